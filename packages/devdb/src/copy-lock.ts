/**
 * One writer at a time for the shared binaries' copy, across processes.
 *
 * Two `npm test` runs (or a test run and `npm start`) can both find the shared copy missing or
 * stale. Without a lock, one could delete the stale copy just after the other had renamed its
 * fresh one into place, under a server already running from it. The lock is a file created with
 * O_EXCL that holds its owner's pid: a lock whose owner is gone (killed mid-copy) is taken over.
 */
import { readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the lock file holding this process's pid; false when another process holds it. */
function createLockFile(lockPath: string): boolean {
  try {
    writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o644 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

const pause = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

export interface LockOptions {
  /** Checked before taking the lock and while waiting for it: true ends the wait, and `work` is not run. */
  done: () => boolean;
  /** How long to wait for a live owner before giving up (default 5 min: a copy takes seconds). */
  timeoutMs?: number;
  /** Between two looks at the lock (default 200 ms). */
  pollMs?: number;
}

/**
 * Runs `work` holding the lock at `lockPath`, unless `done()` becomes true first. Returns whether
 * `work` ran. Throws when a live owner keeps the lock past the timeout.
 */
export function withFileLock(lockPath: string, options: LockOptions, work: () => void): boolean {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  for (;;) {
    if (options.done()) return false;
    if (!createLockFile(lockPath)) {
      const text = readText(lockPath);
      const owner = Number(text);
      // an empty file is an owner between create and write, unless it has stayed empty for seconds
      const abandoned = text === '' ? ageMs(lockPath) > 10_000 : text !== null && !isAlive(owner);
      if (abandoned) {
        removeIfHolding(lockPath, text as string);
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${lockPath} is held by process ${owner} for too long; remove it if that process is not copying`,
        );
      }
      pause(options.pollMs ?? 200);
      continue;
    }
    try {
      work();
      return true;
    } finally {
      removeIfHolding(lockPath, String(process.pid));
    }
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Removes the lock file only if it still holds `text` (another process may have taken it over since). */
function removeIfHolding(path: string, text: string): void {
  if (readText(path) !== text) return;
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

/**
 * Deletes the temporary folders `<prefix><pid>.<random>` in `dir` left by processes that died
 * mid-copy; a live process's folder is left alone. Returns the names removed.
 */
export function sweepDeadTemps(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = name.slice(prefix.length).split('.')[0] ?? '';
    // only names of the form <prefix><pid>.<random>; a live process's folder is its copy in progress
    if (!/^[1-9][0-9]*$/.test(pid) || isAlive(Number(pid))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
