// Installs dependencies and builds the workspace when something changed since the last build,
// so that a second `npm start` is ready in seconds. What was last installed and built is kept in
// a stamp beside the build output (node_modules/.cache/), not in .data/: deleting .data/ to reset
// the data does not force a rebuild, and deleting node_modules/ forces both. The stamp does not name a
// Node version: the build output is plain JavaScript and every native addon is a Node-API addon
// (scripts/test/native-addons.spec.mjs), so one install and build serve every supported Node line.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pnpm, root } from './pnpm.mjs';

const SOURCE_DIRS = [
  'packages/crm-auth/src',
  'packages/devdb/src',
  'apps/emulator/src',
  'apps/api/src',
  'apps/web/src',
];
const SOURCE_FILES = [
  'pnpm-lock.yaml',
  'tsconfig.base.json',
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  ...['packages/crm-auth', 'packages/devdb', 'apps/emulator', 'apps/api', 'apps/web'].flatMap((p) => [
    `${p}/package.json`,
    `${p}/tsconfig.build.json`,
  ]),
];
export const OUTPUTS = [
  'packages/crm-auth/dist/index.js',
  'packages/devdb/dist/index.js',
  'apps/emulator/dist/index.js',
  'apps/api/dist/server.js',
  'apps/web/dist/index.html',
];

/** Where the build stamp of a checkout lives: with the build output, under node_modules/. */
export function buildStampFile(dir = root) {
  return join(dir, 'node_modules', '.cache', 'onbehalf-build-stamp.json');
}

function newestMtime(dir) {
  let newest = 0;
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) visit(join(p, e));
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const d of [...SOURCE_DIRS, ...SOURCE_FILES]) visit(join(dir, d));
  return newest;
}

function readStamp(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * pnpm install (only when the lockfile changed since the last install), then build (only when a
 * source changed since the last build). `force: true` builds even when nothing changed. Returns
 * what it did: { installed, built }. `dir` and `run` (pnpm) are for the tests.
 */
export function installAndBuild({
  install = true,
  build = true,
  force = false,
  log = console.log,
  dir = root,
  run = pnpm,
} = {}) {
  const stampFile = buildStampFile(dir);
  const stamp = readStamp(stampFile);
  const lockfile = () => statSync(join(dir, 'pnpm-lock.yaml')).mtimeMs;
  const done = { installed: false, built: false };
  const installedNow =
    existsSync(join(dir, 'node_modules', '.modules.yaml')) && stamp.installedFrom === lockfile();
  if (install && !installedNow) {
    log('[setup] installing dependencies (pnpm install --frozen-lockfile)');
    run(['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only']);
    done.installed = true;
  }
  const builtNow = OUTPUTS.every((o) => existsSync(join(dir, o))) && stamp.builtFrom === newestMtime(dir);
  if (build && (force || !builtNow)) {
    log('[setup] building packages, API and console');
    run(['run', '-r', '--workspace-concurrency=2', '--reporter=append-only', 'build']);
    done.built = true;
  }
  // Record only what is known to be current: a step skipped with --no-install / --no-build keeps its old entry.
  const next = {
    installedFrom: done.installed || installedNow ? lockfile() : stamp.installedFrom,
    builtFrom: done.built || builtNow ? newestMtime(dir) : stamp.builtFrom,
  };
  if (existsSync(join(dir, 'node_modules'))) {
    mkdirSync(join(dir, 'node_modules', '.cache'), { recursive: true });
    writeFileSync(stampFile, JSON.stringify(next));
  }
  return done;
}
