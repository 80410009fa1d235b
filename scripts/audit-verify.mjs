// `npm run audit:verify [-- --database-url postgres://…]`: recomputes every org's ledger hash chain and prints
// one line per org: the rows verified and when the last of them was sealed, or the first break (its kind, row
// and seq). Exits 1 when a chain is broken, 2 on bad arguments. The database: --database-url, DATABASE_URL, or
// the embedded cluster `npm start` keeps (started for the command when it is not running). Read only.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installAndBuild } from './lib/build.mjs';
import { openTarget, runCommand } from './lib/database-target.mjs';
import { root } from './lib/pnpm.mjs';

await runCommand('audit:verify', async (say) => {
  const args = parseArgs({ options: { 'database-url': { type: 'string' } } });
  installAndBuild({ install: false, build: true, log: say });
  const require = createRequire(join(root, 'apps', 'api', 'package.json'));
  const { runVerifyCommand } = require('./dist/ledger-chain/verify-command.js');
  const target = await openTarget({
    purpose: 'verify',
    databaseUrl: args.values['database-url'] ?? process.env.DATABASE_URL,
    env: process.env,
    forRestore: false,
    log: say,
  });
  try {
    say(`verifying the ledger chains in ${target.what}`);
    // The same server, database and credentials as the connection openTarget made.
    const c = target.client;
    const url = `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password ?? '')}@${c.host}:${c.port}/${encodeURIComponent(c.database)}`;
    process.exitCode = await runVerifyCommand(url, say);
  } finally {
    await target.close();
  }
});
