/**
 * Can another user reach a path? As root, Postgres runs as user `postgres`, which must be able
 * to enter every directory above its binaries and its data directory. This answers from the
 * permission bits, for a process started with only a uid and a primary gid (Node's spawn with
 * `uid`/`gid` drops the supplementary groups, so only the primary group counts).
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface UserIds {
  uid: number;
  gid: number;
}

/** What is needed on the path itself: any of r, w, x. Every directory above it needs x. */
export type Access = 'r' | 'w' | 'x' | 'rx' | 'rw' | 'wx' | 'rwx';

function bitsOf(need: Access): number {
  return (need.includes('r') ? 4 : 0) | (need.includes('w') ? 2 : 0) | (need.includes('x') ? 1 : 0);
}

/** Whether mode bits grant `need` to `who`: owner bits for the owner, else group bits for its group, else others'. */
export function permits(st: { mode: number; uid: number; gid: number }, who: UserIds, need: Access): boolean {
  if (who.uid === 0) return true;
  const granted =
    st.uid === who.uid ? (st.mode >> 6) & 7 : st.gid === who.gid ? (st.mode >> 3) & 7 : st.mode & 7;
  const want = bitsOf(need);
  return (granted & want) === want;
}

/** '/', '/a', '/a/b' for '/a/b'. */
function ancestry(path: string): string[] {
  const out: string[] = [];
  let cur = resolve(path);
  for (;;) {
    out.unshift(cur);
    const up = dirname(cur);
    if (up === cur) return out;
    cur = up;
  }
}

/**
 * The first path that stops `who` from reaching `path` with `need` on it (search permission on
 * every directory above it, both as written and after resolving symbolic links), or null when
 * nothing does. A path that does not exist blocks at its first missing part.
 */
export function firstBlocker(path: string, who: UserIds, need: Access = 'x'): string | null {
  const target = resolve(path);
  let real = target;
  try {
    real = realpathSync(target);
  } catch {
    /* reported below at its first missing part */
  }
  const checks: [string, Access][] = [];
  for (const chain of real === target ? [ancestry(target)] : [ancestry(target), ancestry(real)]) {
    chain.forEach((p, i) => checks.push([p, i === chain.length - 1 ? need : 'x']));
  }
  for (const [p, want] of checks) {
    let st;
    try {
      st = statSync(p);
    } catch {
      return p;
    }
    if (!permits(st, who, want)) return p;
  }
  return null;
}

/** Whether `who` can reach `path` with `need` on it (see firstBlocker). */
export function canReach(path: string, who: UserIds, need: Access = 'x'): boolean {
  return firstBlocker(path, who, need) === null;
}
