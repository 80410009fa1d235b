// `npm run audit:verify [-- --database-url postgres://…] [--no-build]`: recomputes every org's ledger hash chain
// and prints one line per org: the rows verified and when the last of them was sealed, or the first break (its
// kind, row and seq). Exit codes: 0 every chain verifies, 1 a chain is broken, 2 bad arguments, 3 the chains
// could not be verified (no database, connection refused, a query failed…): alert on 1 as tampering, on 3 as
// a failed check. The database: --database-url, DATABASE_URL (used exactly as given: sslmode and the other
// parameters, IPv6 and unix-socket hosts), or the embedded cluster `npm start` keeps (started for the command
// when it is not running). Read only. --no-build uses the API's build output as it is.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installAndBuild } from './lib/build.mjs';
import { openTarget, runCommand } from './lib/database-target.mjs';
import { DumpError } from './lib/logical-dump.mjs';
import { root } from './lib/pnpm.mjs';

const USAGE = 'usage: npm run audit:verify -- [--database-url postgres://…] [--no-build]';
/** Exit code when the chains could not be verified at all (a broken chain is 1, bad arguments 2). */
const NOT_VERIFIED = 3;

await runCommand(
  'audit:verify',
  async (say) => {
    let args;
    try {
      args = parseArgs({
        options: {
          'database-url': { type: 'string' },
          'no-build': { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (err) {
      throw new DumpError('BAD_ARGUMENTS', `${err.message}\n${USAGE}`);
    }
    if (args.values.help) {
      console.log(USAGE);
      return;
    }
    const target = await openTarget({
      purpose: 'verify',
      databaseUrl: args.values['database-url'] ?? process.env.DATABASE_URL,
      env: process.env,
      forRestore: false,
      log: say,
    });
    try {
      if (!args.values['no-build']) installAndBuild({ install: false, build: true, log: say });
      const require = createRequire(join(root, 'apps', 'api', 'package.json'));
      const { runVerifyCommand } = require('./dist/ledger-chain/verify-command.js');
      say(`verifying the ledger chains in ${target.what}`);
      // target.url: the operator's URL unchanged, or the embedded cluster's
      const code = await runVerifyCommand(target.url, say).catch((err) => {
        throw new DumpError('VERIFY_FAILED', `the chains could not be verified: ${err.message}`);
      });
      process.exitCode = code;
    } finally {
      await target.close();
    }
  },
  { failureExitCode: NOT_VERIFIED },
);
