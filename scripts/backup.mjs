// `npm run backup [-- <file>] [--database-url URL]`: a logical dump of the Onbehalf database
// (scripts/lib/logical-dump.mjs). Default file: ./backups/onbehalf-<UTC timestamp>.dump.
// An existing file is never overwritten (OUTPUT_EXISTS). The key-encryption keys are never in it: keep them
// (and .data/kek) beside it, not inside it.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kekNeedles, openTarget, runCommand } from './lib/database-target.mjs';
import { dumpDatabase, DumpError, refuseExisting } from './lib/logical-dump.mjs';

const USAGE = 'usage: npm run backup -- [<file>] [--database-url postgres://…]';

await runCommand('backup', async (say) => {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { 'database-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new DumpError('BAD_ARGUMENTS', `${err.message}\n${USAGE}`);
  }
  if (args.values.help) {
    console.log(USAGE);
    return;
  }
  if (args.positionals.length > 1) throw new DumpError('BAD_ARGUMENTS', `one output file at most\n${USAGE}`);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  // npm runs scripts from the repository root; paths are the caller's (INIT_CWD is where npm was run)
  const file = resolve(process.env.INIT_CWD ?? '.', args.positionals[0] ?? `backups/onbehalf-${stamp}.dump`);
  // never overwritten: refused before any database is touched (and again when the dump gets its name)
  refuseExisting(file);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new DumpError('OUTPUT_UNWRITABLE', `cannot create ${dirname(file)}: ${err.code ?? err.message}`);
  }
  const t0 = Date.now();
  const target = await openTarget({
    databaseUrl: args.values['database-url'] ?? process.env.DATABASE_URL,
    env: process.env,
    forRestore: false,
    log: say,
  });
  try {
    say(`dumping ${target.what}`);
    const kek = kekNeedles(process.env);
    const r = await dumpDatabase({ client: target.client, path: file, log: say, secrets: kek.needles });
    say(
      `wrote ${file}: ${r.tables} tables, ${r.rows} rows, ${r.migrations.length} migrations` +
        `${r.migrations.length ? ` (last ${r.migrations.at(-1)})` : ''}, Postgres ${r.server}, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    say(
      kek.keys
        ? `checked: none of the ${kek.keys} key-encryption key(s) configured here is in the dump`
        : 'no key-encryption key is configured here, so none could be checked for',
    );
    say(
      'keep the key-encryption key (ONBEHALF_KEK_* or the kek file) apart from this file: a restore needs it',
    );
  } finally {
    await target.close();
  }
});
