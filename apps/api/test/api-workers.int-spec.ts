import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleClient } from './harness';
import { type RestartableApi, startRestartableApi } from './support/restartable-api';

/** The pids whose parent is `ppid`, from /proc (no ps needed). */
function childPids(ppid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppidField = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (Number(ppidField) === ppid) pids.push(Number(name));
    } catch {
      // the process ended while being read
    }
  }
  return pids.sort((a, b) => a - b);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${apiOutput()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let apiOutput = (): string => '';
describe('ONBEHALF_API_WORKERS=2: node dist/main.js runs two API processes on one port', () => {
  let world: RestartableApi;
  let admin: ConsoleClient;

  beforeAll(async () => {
    world = await startRestartableApi('workers', { ONBEHALF_API_WORKERS: '2' });
    admin = await world.boot();
    apiOutput = () => world.api!.output();
  }, 120_000);

  afterAll(async () => {
    await world?.close();
  });

  it('starts two API processes under the one started, which answer a signed-in admin', async () => {
    const primary = world.api!.process.pid!;
    const workers = await until('two API processes', () => {
      const pids = childPids(primary);
      return pids.length === 2 ? pids : undefined;
    });
    expect(workers).toHaveLength(2);
    expect(world.api!.output()).toContain('starting 2 API processes on one port');
    // Both listen on the one port the first process named.
    const ports = await until('both to listen', () => {
      const found = [...world.api!.output().matchAll(/listening on http:\/\/[^:]+:(\d+)/g)].map((m) => m[1]);
      return found.length === 2 ? found : undefined;
    });
    expect(ports[1]).toBe(ports[0]);
    // Sessions live in Postgres: the cookie is good whichever process a connection reaches.
    for (let i = 0; i < 10; i += 1) {
      const res = await admin.get('/api/orgs');
      expect(res.status).toBe(200);
    }
  });

  it('replaces an API process that dies, and keeps serving meanwhile', async () => {
    const primary = world.api!.process.pid!;
    const [victim, survivor] = childPids(primary);
    process.kill(victim!, 'SIGKILL');
    const replaced = await until('a new API process', () => {
      const pids = childPids(primary);
      return pids.length === 2 && !pids.includes(victim!) ? pids : undefined;
    });
    expect(replaced).toContain(survivor);
    // The line is written before the new process is forked, but it reaches this test through a pipe of its own.
    const said = new RegExp(`API process ${victim} exited \\(SIGKILL\\); starting another`);
    await until('the replacement to be logged', () => (said.test(world.api!.output()) ? true : undefined));
    expect(world.api!.output()).toMatch(said);
    await until('the new process to listen', () =>
      (world.api!.output().match(/listening on/g) ?? []).length >= 3 ? true : undefined,
    );
    const res = await admin.get('/api/orgs');
    expect(res.status).toBe(200);
  });

  it('on SIGTERM stops every API process and exits 0', async () => {
    const child = world.api!.process;
    const workers = childPids(child.pid!);
    expect(workers).toHaveLength(2);
    await world.api!.stop();
    expect(child.exitCode).toBe(0);
    for (const pid of workers) expect(alive(pid)).toBe(false);
  });
});
