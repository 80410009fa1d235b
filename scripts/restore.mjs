// `npm run restore -- <file> [--database-url URL] [--force] [--force-live]`: loads a dump made by `npm run
// backup` into an empty database (or, without a URL, the embedded cluster of npm start, created when missing),
// in one transaction. --force replaces whatever the database holds. A database other sessions are connected to
// (an API) is refused unless --force-live. The dump's statements are executed as written: restore only trusted dumps.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configuredKeks, dataDirOf, openTarget, runCommand } from './lib/database-target.mjs';
import { DumpError, openDump, restoreDatabase } from './lib/logical-dump.mjs';

const USAGE = 'usage: npm run restore -- <file> [--database-url postgres://…] [--force] [--force-live]';

await runCommand('restore', async (say) => {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        'database-url': { type: 'string' },
        force: { type: 'boolean', default: false },
        'force-live': { type: 'boolean', default: false },
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
  if (args.positionals.length !== 1) throw new DumpError('BAD_ARGUMENTS', `name one dump file\n${USAGE}`);
  const file = resolve(process.env.INIT_CWD ?? '.', args.positionals[0]); // relative to where npm was run
  if (!existsSync(file)) throw new DumpError('DUMP_UNREADABLE', `${file} does not exist`);
  (await openDump(file)).close(); // a file that is no dump is refused before any database is touched
  const databaseUrl = args.values['database-url'] ?? process.env.DATABASE_URL;
  const t0 = Date.now();
  const target = await openTarget({ databaseUrl, env: process.env, forRestore: true, log: say });
  try {
    say(`restoring ${file} into ${target.what}`);
    const r = await restoreDatabase({
      client: target.client,
      path: file,
      force: args.values.force,
      allowOtherSessions: args.values['force-live'],
      log: say,
    });
    const m = r.header.migrations;
    say(
      `restored ${r.tables} tables and ${r.rows} rows${r.replaced ? ', replacing what the database held' : ''} ` +
        `(dump of ${r.header.database} made ${r.header.createdAt} on Postgres ${r.header.server}), ` +
        `${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    say(
      `schema checked: it matches the dumped one; ${m.length} migrations recorded${m.length ? ` (last ${m.at(-1)})` : ''}`,
    );
  } finally {
    await target.close();
  }
  const env = process.env;
  // the data directory's kek file serves only the embedded cluster
  if (!configuredKeks(env, { dataDirKek: !databaseUrl }).length) {
    say(
      `no key-encryption key is configured here: before the API starts on this database, set ONBEHALF_KEK_<id> ` +
        (databaseUrl ? 'or ONBEHALF_KEK_FILE' : `or put the kek file in ${join(dataDirOf(env), 'kek')}`) +
        ' to the key in use when the dump was made, ' +
        'or the sealed certificates and tickets will not open',
    );
  }
});
