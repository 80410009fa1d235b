import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive, sweepDeadTemps, withFileLock } from '../src/copy-lock';

let dir: string;
const children: ChildProcess[] = [];

/** A process that stays alive until killed, and one that has already exited: real pids for both cases. */
function liveProcess(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return child.pid as number;
}
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devdb-lock-'));
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('withFileLock', () => {
  it('runs the work holding the lock file (with our pid in it) and removes the file afterwards', () => {
    const lock = join(dir, 'x.lock');
    let seen: string | null = null;
    const ran = withFileLock(lock, { done: () => false }, () => {
      seen = readFileSync(lock, 'utf8');
    });
    expect(ran).toBe(true);
    expect(seen).toBe(String(process.pid));
    expect(existsSync(lock)).toBe(false);
  });

  it('does not run the work when it is already done', () => {
    let ran = false;
    expect(withFileLock(join(dir, 'x.lock'), { done: () => true }, () => (ran = true))).toBe(false);
    expect(ran).toBe(false);
  });

  it('takes over a lock left by a process that died, instead of waiting for it', async () => {
    const lock = join(dir, 'x.lock');
    writeFileSync(lock, String(await deadPid()));
    let ran = false;
    withFileLock(lock, { done: () => false, timeoutMs: 1000, pollMs: 10 }, () => (ran = true));
    expect(ran).toBe(true);
  });

  it("waits while a live process holds the lock, and returns without copying once that process's copy is done", () => {
    const lock = join(dir, 'x.lock');
    writeFileSync(lock, String(liveProcess()));
    let looks = 0;
    let ran = false;
    // the holder "finishes" on the third look: done() turns true while we wait
    const result = withFileLock(
      lock,
      { done: () => ++looks >= 3, timeoutMs: 5000, pollMs: 10 },
      () => (ran = true),
    );
    expect(result).toBe(false);
    expect(ran).toBe(false);
    expect(readFileSync(lock, 'utf8')).not.toBe(String(process.pid));
  });

  it('gives up with an error naming the lock and its owner when a live process holds it past the timeout', () => {
    const lock = join(dir, 'x.lock');
    const owner = liveProcess();
    writeFileSync(lock, String(owner));
    expect(() =>
      withFileLock(lock, { done: () => false, timeoutMs: 50, pollMs: 10 }, () => undefined),
    ).toThrow(new RegExp(`x\\.lock is held by process ${owner}`));
  });

  it('removes the lock file even when the work throws, and passes the error on', () => {
    const lock = join(dir, 'x.lock');
    expect(() =>
      withFileLock(lock, { done: () => false }, () => {
        throw new Error('copy failed');
      }),
    ).toThrow('copy failed');
    expect(existsSync(lock)).toBe(false);
  });
});

describe('sweepDeadTemps', () => {
  it("removes the temporary copies of dead processes and keeps a live process's copy and unrelated entries", async () => {
    const dead = await deadPid();
    const live = liveProcess();
    for (const name of [`.v1.${dead}.ab12`, `.v1.${live}.cd34`, '.v1-copy.lock', 'v1', '.v2.1.x']) {
      mkdirSync(join(dir, name));
    }
    expect(sweepDeadTemps(dir, '.v1.')).toEqual([`.v1.${dead}.ab12`]);
    expect(existsSync(join(dir, `.v1.${live}.cd34`))).toBe(true);
    expect(existsSync(join(dir, '.v1-copy.lock'))).toBe(true);
    expect(existsSync(join(dir, 'v1'))).toBe(true);
  });

  it('tells a live pid from a dead one', async () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(await deadPid())).toBe(false);
    expect(isAlive(0)).toBe(false);
  });
});
