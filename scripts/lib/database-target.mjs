// Which database `npm run backup` and `npm run restore` work on: --database-url / DATABASE_URL, or
// the embedded cluster that `npm start` keeps in <ONBEHALF_DATA_DIR or .data>/pg (database onbehalf).
// A cluster that is running (npm start) is used where it runs; one that is stopped is started for
// the command and stopped after it. As root the cluster may live in the shared directory instead
// (packages/devdb: user postgres could not reach the data directory), so both places are looked at.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { DumpError, maskUrl } from './logical-dump.mjs';
import { root } from './pnpm.mjs';

const require = createRequire(join(root, 'apps', 'api', 'package.json'));
export const DATABASE = 'onbehalf';

export function loadPg() {
  return require('pg');
}

function loadDevdb() {
  try {
    return require('@onbehalf/devdb');
  } catch {
    throw new DumpError('NOT_BUILT', 'the embedded Postgres package is not built: run `npm run setup` first');
  }
}

export function dataDirOf(env) {
  return resolve(root, env.ONBEHALF_DATA_DIR || '.data');
}

/**
 * The key-encryption keys configured here: every non-empty ONBEHALF_KEK_<id> (not _ACTIVE or _FILE), the
 * file ONBEHALF_KEK_FILE names, and (unless `dataDirKek` is false) the data directory's kek file, when they exist.
 */
export function configuredKeks(env, { dataDirKek = true } = {}) {
  const keys = [];
  for (const [k, v] of Object.entries(env)) {
    if (/^ONBEHALF_KEK_/.test(k) && k !== 'ONBEHALF_KEK_ACTIVE' && k !== 'ONBEHALF_KEK_FILE' && v)
      keys.push(v);
  }
  const files = [env.ONBEHALF_KEK_FILE, dataDirKek ? join(dataDirOf(env), 'kek') : undefined];
  for (const file of files) {
    if (file && existsSync(file)) keys.push(readFileSync(file, 'utf8'));
  }
  return keys;
}

/** The key-encryption keys configured here, in every encoding a dump could hold them in. */
export function kekNeedles(env) {
  const keys = configuredKeks(env);
  const needles = new Set();
  for (const text of keys) {
    const raw = Buffer.from(text.trim(), 'base64');
    if (raw.length < 16) continue; // not a key (the API refuses it anyway)
    needles.add(text.trim());
    needles.add(raw.toString('base64'));
    needles.add(raw.toString('base64url'));
    needles.add(raw.toString('hex'));
  }
  return { keys: keys.length, needles: [...needles] };
}

/**
 * An operator's database URL, checked: a postgres:// URL, returned exactly as given (query parameters such as
 * sslmode, IPv6 and unix-socket hosts intact: whatever connects with it gets the same string), and how to show it.
 */
export function externalDatabase(databaseUrl) {
  // by its scheme only: a valid libpq-style URL need not be a WHATWG URL (postgres://user@/db?host=/socket)
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(databaseUrl)?.[1];
  if (!scheme)
    throw new DumpError(
      'BAD_ARGUMENTS',
      'the database URL is not a URL (postgres://user:password@host:port/database)',
    );
  if (!/^postgres(ql)?$/i.test(scheme))
    throw new DumpError('BAD_ARGUMENTS', `the database URL must start with postgres:// (got ${scheme}://)`);
  return { url: databaseUrl, what: maskUrl(databaseUrl) };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Where the embedded cluster's files may be, and whether a server runs on them (its pid and port). */
function embeddedCluster(env) {
  const { sharedDir } = loadDevdb();
  const requested = join(dataDirOf(env), 'pg');
  const shared = join(
    sharedDir(),
    'data',
    createHash('sha256').update(requested).digest('hex').slice(0, 16),
    basename(requested),
  );
  let meta = null;
  try {
    meta = JSON.parse(readFileSync(`${requested}.json`, 'utf8'));
  } catch {
    /* no cluster made here yet */
  }
  for (const dir of [requested, shared]) {
    if (!existsSync(join(dir, 'PG_VERSION'))) continue;
    let running = null;
    try {
      const lines = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n');
      const pid = Number(lines[0]);
      const port = Number(lines[3]);
      if (Number.isInteger(pid) && pid > 0 && alive(pid) && port > 0) running = { pid, port };
    } catch {
      /* not running */
    }
    return { requested, dir, meta, running };
  }
  return { requested, dir: null, meta, running: null };
}

const urlFor = (meta, port) =>
  `postgres://${encodeURIComponent(meta.user)}:${encodeURIComponent(meta.password)}@127.0.0.1:${port}/${DATABASE}`;

/**
 * Connects to the database to work on. `forRestore`: a missing embedded cluster is created (fresh),
 * and a running one is refused (the API serving it would see the restore happen under it).
 * Returns the connected `client`, the `url` it connected with (the operator's own, unchanged), `what` (for
 * messages, password masked) and `close`.
 */
export async function openTarget({ databaseUrl, env, forRestore, log, purpose = 'back up' }) {
  const { Client } = loadPg();
  const connect = async (url, what) => {
    const client = new Client({
      connectionString: url,
      application_name: `onbehalf-${purpose.replace(/\s+/g, '-')}`,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      throw new DumpError('CONNECT_FAILED', `cannot connect to ${what}: ${err.message}`);
    }
    return client;
  };
  if (databaseUrl) {
    const { url, what } = externalDatabase(databaseUrl);
    const client = await connect(url, what);
    return { client, url, what, close: () => client.end().catch(() => undefined) };
  }

  const cluster = embeddedCluster(env);
  if (cluster.running) {
    if (forRestore) {
      throw new DumpError(
        'CLUSTER_IN_USE',
        `the embedded cluster in ${cluster.dir} is running (pid ${cluster.running.pid}, port ${cluster.running.port}): stop npm start first, or set ONBEHALF_DATA_DIR to restore into a new cluster elsewhere`,
      );
    }
    if (!cluster.meta)
      throw new DumpError(
        'NO_DATABASE',
        `no credentials for the cluster in ${cluster.dir} (${cluster.requested}.json is missing)`,
      );
    const what = `the running embedded cluster (${cluster.dir}, port ${cluster.running.port}, database ${DATABASE})`;
    const url = urlFor(cluster.meta, cluster.running.port);
    const client = await connect(url, what);
    return { client, url, what, close: () => client.end().catch(() => undefined) };
  }
  if (!forRestore && (!cluster.dir || !cluster.meta)) {
    throw new DumpError(
      'NO_DATABASE',
      `no embedded cluster in ${cluster.requested}: nothing to ${purpose}. Set ONBEHALF_DATA_DIR to where npm start keeps its data, or pass --database-url`,
    );
  }
  const { startEmbeddedPostgres } = loadDevdb();
  log(
    cluster.dir
      ? `starting the embedded cluster in ${cluster.dir} for this command`
      : `creating a fresh embedded cluster in ${cluster.requested}`,
  );
  const pg = await startEmbeddedPostgres({
    dataDir: cluster.requested,
    port: env.ONBEHALF_PG_PORT ? Number(env.ONBEHALF_PG_PORT) : undefined,
    preferredPort: 54329,
    persistent: true,
  }).catch((err) => {
    throw new DumpError('DATABASE_START_FAILED', err.message);
  });
  try {
    await pg.createDatabase(DATABASE);
    const what = `the embedded cluster (${pg.dataDir}, database ${DATABASE})`;
    const url = pg.url(DATABASE);
    const client = await connect(url, what);
    return {
      client,
      url,
      what,
      async close() {
        await client.end().catch(() => undefined);
        await pg.stop();
      },
    };
  } catch (err) {
    await pg.stop();
    throw err;
  }
}

/**
 * The shared shape of the commands: `[backup] …` lines, `error CODE: message` on failure, and exit code 2 for
 * BAD_ARGUMENTS, else `failureExitCode` (1 for backup and restore; audit:verify keeps 1 for a broken chain).
 */
export async function runCommand(name, main, { failureExitCode = 1 } = {}) {
  const say = (msg) => console.log(`[${name}] ${msg}`);
  try {
    await main(say);
  } catch (err) {
    const code = err instanceof DumpError ? err.code : 'INTERNAL';
    const message = err instanceof DumpError ? err.message : (err?.stack ?? String(err));
    console.error(`[${name}] error ${code}: ${message}`);
    process.exitCode = code === 'BAD_ARGUMENTS' ? 2 : failureExitCode;
  }
}
