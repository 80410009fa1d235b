import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const API_DIR = resolve(__dirname, '..', '..');
const MAIN = join(API_DIR, 'dist', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds apps/api/dist when it is missing or older than a source file (`npm test` has built it already). */
export function ensureApiBuilt(): string {
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < newestMtime(join(API_DIR, 'src'))) {
    // The package's own tsc, run by this Node: pnpm need not be on PATH (npm test installs it under .tools/).
    const tsc = require.resolve('typescript/bin/tsc', { paths: [API_DIR] });
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: API_DIR,
      stdio: 'pipe',
      timeout: 120_000,
    });
  }
  return MAIN;
}

export interface ChildApi {
  url: string;
  process: ChildProcess;
  output(): string;
  /** SIGKILL, no shutdown hooks: as a crash or an OOM kill would. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** `node apps/api/dist/main.js` with this environment; resolves once it listens. */
export async function startChildApi(env: Record<string, string>): Promise<ChildApi> {
  const main = ensureApiBuilt();
  const child = spawn(process.execPath, [main], {
    cwd: API_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      ONBEHALF_API_PORT: '0',
      ONBEHALF_JOBS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API did not start in 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the API exited with ${code} before listening:\n${out}`));
    });
  });
  const waitExit = async () => {
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  return {
    url,
    process: child,
    output: () => out,
    async kill() {
      child.kill('SIGKILL');
      await waitExit();
    },
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await waitExit();
      clearTimeout(t);
    },
  };
}
