// Finds the pinned pnpm, installing it with npm under .tools/ when it is missing.
// corepack cannot be used: on Node 20 it fails to verify current pnpm signatures.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

function versionOf(cmd) {
  try {
    return execFileSync(cmd, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The path of a pnpm binary of the pinned version. */
export function ensurePnpm() {
  const local = join(root, '.tools', 'node_modules', '.bin', 'pnpm');
  if (existsSync(local) && versionOf(local) === pinned) return local;
  if (versionOf('pnpm') === pinned) return 'pnpm';
  console.log(`[setup] installing pnpm ${pinned} under .tools/ (npm install)`);
  const r = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      join(root, '.tools'),
      '--no-save',
      '--no-package-lock',
      '--loglevel=error',
      `pnpm@${pinned}`,
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0 || versionOf(local) !== pinned) {
    throw new Error(
      `could not install pnpm ${pinned} with npm; install it yourself: npm i -g pnpm@${pinned}`,
    );
  }
  return local;
}

/** Runs pnpm with the given arguments in the repository root; throws on failure. */
export function pnpm(args, opts = {}) {
  const bin = ensurePnpm();
  const r = spawnSync(bin, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    const err = new Error(`pnpm ${args.join(' ')} failed with exit code ${r.status}`);
    err.exitCode = r.status ?? 1;
    throw err;
  }
}
