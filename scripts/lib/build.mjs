// Installs dependencies and builds the workspace when something changed since the last build,
// so that a second `npm start` is ready in seconds.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pnpm, root } from './pnpm.mjs';

const SOURCE_DIRS = ['packages/crm-auth/src', 'packages/devdb/src', 'apps/emulator/src', 'apps/api/src', 'apps/web/src'];
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
const OUTPUTS = [
  'packages/crm-auth/dist/index.js',
  'packages/devdb/dist/index.js',
  'apps/emulator/dist/index.js',
  'apps/api/dist/server.js',
  'apps/web/dist/index.html',
];

function newestMtime() {
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
  for (const d of [...SOURCE_DIRS, ...SOURCE_FILES]) visit(join(root, d));
  return newest;
}

/** pnpm install (only when the lockfile or a manifest changed), then build (only when a source changed). */
export function installAndBuild({ dataDir, install = true, build = true, log = console.log }) {
  mkdirSync(dataDir, { recursive: true });
  const stampFile = join(dataDir, 'build-stamp.json');
  const stamp = existsSync(stampFile) ? JSON.parse(readFileSync(stampFile, 'utf8')) : {};
  const newest = newestMtime();
  const installed = existsSync(join(root, 'node_modules', '.modules.yaml'));
  if (install && (!installed || stamp.installedFrom !== lockfileMtime())) {
    log('[setup] installing dependencies (pnpm install --frozen-lockfile)');
    pnpm(['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only']);
  }
  const built = OUTPUTS.every((o) => existsSync(join(root, o)));
  if (build && (!built || stamp.builtFrom !== newest)) {
    log('[setup] building packages, API and console');
    pnpm(['run', '-r', '--workspace-concurrency=2', '--reporter=append-only', 'build']);
  }
  writeFileSync(stampFile, JSON.stringify({ installedFrom: lockfileMtime(), builtFrom: newestMtime() }));
}

function lockfileMtime() {
  return statSync(join(root, 'pnpm-lock.yaml')).mtimeMs;
}
