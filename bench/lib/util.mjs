// Small helpers shared by the suites: statistics, timing, child processes, temp dirs, cleanup.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(benchDir, '..');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();

export function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((s.length * p) / 100) - 1))];
}
export const median = (xs) => percentile(xs, 50);
export const round = (x, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

/** Ports the OS hands out are far from the ones people use (3000, 8443, 54329, …). */
export async function freePort() {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen({ port: 0, host: '127.0.0.1' }, () => {
        const a = srv.address();
        srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    if (![3000, 8443, 3100, 8543, 3200, 8643, 54329].includes(port)) return port;
  }
  throw new Error('no free port');
}

// ---- cleanup: every child and temp dir is registered and removed at the end, even on Ctrl-C ----
const children = new Set();
const tempDirs = new Set();
const cleanups = [];

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `onbehalf-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}
export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}
export function onCleanup(fn) {
  cleanups.push(fn);
}

/** Waits for a child to exit; SIGKILL after `ms`. */
export function stopChild(child, signal = 'SIGTERM', ms = 15_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    try {
      child.kill(signal);
    } catch {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    }
  });
}

export async function cleanupAll() {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      console.error(`cleanup: ${err?.message ?? err}`);
    }
  }
  await Promise.all([...children].map((c) => stopChild(c, 'SIGTERM', 5000)));
  for (const d of [...tempDirs]) removeTempDir(d);
}

/**
 * Spawns a child and resolves once `ready(line)` returns a value for one of its stdout lines.
 * Output is kept (last lines) for error messages; `echo` prints it.
 */
export function spawnUntil(
  cmd,
  args,
  { env, cwd = repoRoot, ready, timeoutMs = 120_000, name = cmd, echo = false, ipc = false },
) {
  const child = ipc
    ? fork(args[0], args.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    : spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const tail = [];
  const keep = (line) => {
    tail.push(line);
    if (tail.length > 60) tail.shift();
    if (echo) console.log(`  [${name}] ${line}`);
  };
  const started = now();
  const result = new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(
      () => finish(new Error(`${name} not ready within ${timeoutMs / 1000} s:\n${tail.join('\n')}`)),
      timeoutMs,
    );
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve({ child, value, readyMs: now() - started, tail });
    };
    const lines = (stream) => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          keep(line);
          if (!done && stream === child.stdout) {
            const v = ready(line);
            if (v !== undefined && v !== null && v !== false) finish(null, v);
          }
        }
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    if (ipc) {
      child.on('message', (m) => {
        const v = ready(m);
        if (v !== undefined && v !== null && v !== false) finish(null, v);
      });
    }
    child.once('exit', (code, signal) =>
      finish(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${tail.join('\n')}`)),
    );
    child.once('error', (err) => finish(err));
  });
  return result;
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * A closed-loop load: `concurrency` workers call `fn(i)` back to back until `count` calls were
 * started or `durationMs` passed. Returns completed/failed counts, elapsed time and latencies.
 */
export async function closedLoop({
  concurrency,
  count = Infinity,
  durationMs = Infinity,
  fn,
  keepLatencies = false,
}) {
  let next = 0;
  let ok = 0;
  let failed = 0;
  const errors = new Map();
  const latencies = keepLatencies ? [] : null;
  const t0 = now();
  const deadline = t0 + durationMs;
  const worker = async () => {
    for (;;) {
      if (next >= count || now() >= deadline) return;
      const i = next++;
      const s = now();
      try {
        await fn(i);
        ok++;
      } catch (err) {
        failed++;
        const key = String(err?.code ?? err?.message ?? err).slice(0, 120);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
      latencies?.push(now() - s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = now() - t0;
  return {
    ok,
    failed,
    elapsedMs,
    perSec: (ok / elapsedMs) * 1000,
    errors: Object.fromEntries(errors),
    latencies,
  };
}

// ---- CPU accounting from /proc: which process spends the machine's two cores ----
const TICK_MS = 10; // CLK_TCK is 100 on Linux x86-64

function statOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // fields after the name: state(0) ppid(1) … utime(11) stime(12)
    return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** CPU milliseconds (user + system, all threads) used so far by `pid` and, with `tree`, its descendants. */
export function cpuMs(pid, { tree = false } = {}) {
  const own = statOf(pid);
  if (!own) return NaN;
  if (!tree) return own.cpuMs;
  const kids = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = statOf(name);
    if (!st) continue;
    if (!kids.has(st.ppid)) kids.set(st.ppid, []);
    kids.get(st.ppid).push({ pid: Number(name), cpuMs: st.cpuMs });
  }
  let total = own.cpuMs;
  const stack = [Number(pid)];
  while (stack.length) {
    for (const k of kids.get(stack.pop()) ?? []) {
      total += k.cpuMs;
      stack.push(k.pid);
    }
  }
  return total;
}

/** Snapshots CPU use of named processes; `delta()` gives the milliseconds each used since. */
export function cpuMeter(procs) {
  const read = () =>
    Object.fromEntries(
      Object.entries(procs).map(([k, p]) => [
        k,
        k === 'bench'
          ? (process.cpuUsage().user + process.cpuUsage().system) / 1000
          : cpuMs(p.pid, { tree: p.tree }),
      ]),
    );
  const start = read();
  return {
    delta() {
      const end = read();
      return Object.fromEntries(Object.keys(procs).map((k) => [k, end[k] - start[k]]));
    },
  };
}
