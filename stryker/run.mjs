#!/usr/bin/env node
/**
 * `npm run mutation [-- <pkg>|<pkg>/<module> …] [-- --force]`: Stryker over the modules that hold
 * the product's rules (stryker/modules.mjs), one module after another (never two Stryker runs at
 * once), then stryker/summary.mjs writes stryker/REPORT.md from the JSON reports.
 *
 *   npm run mutation                        every module (hours on two cores: see stryker/README.md)
 *   npm run mutation -- crm-auth            the crm-auth modules
 *   npm run mutation -- crm-auth/session    one module
 *
 * Incremental: each module keeps stryker/reports/<pkg>/<name>/incremental.json; a re-run only tests
 * mutants whose code or covering tests changed. `--force` ignores it. Not part of `npm test`/CI.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODULES } from './modules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const wanted = args.filter((a) => !a.startsWith('--'));
const selected = MODULES.filter(
  (m) => wanted.length === 0 || wanted.includes(m.pkg) || wanted.includes(`${m.pkg}/${m.name}`),
);
if (selected.length === 0) {
  console.error(
    `nothing matches ${wanted.join(' ')}; modules: ${MODULES.map((m) => `${m.pkg}/${m.name}`).join(', ')}`,
  );
  process.exit(2);
}

const stryker = path.join(root, 'node_modules', '.bin', 'stryker');
let failed = false;
for (const m of selected) {
  const id = `${m.pkg}/${m.name}`;
  console.log(`\n=== Stryker: ${id} (${m.dir}: ${m.mutate.join(' ')}) ===`);
  const started = Date.now();
  const result = spawnSync(stryker, ['run', path.join(root, 'stryker', 'stryker.config.mjs'), ...flags], {
    cwd: path.join(root, m.dir),
    stdio: 'inherit',
    env: { ...process.env, STRYKER_MODULE: id },
  });
  console.log(`=== ${id}: exit ${result.status} after ${Math.round((Date.now() - started) / 1000)} s ===`);
  if (result.status !== 0) failed = true;
}

spawnSync(process.execPath, [path.join(root, 'stryker', 'summary.mjs')], { cwd: root, stdio: 'inherit' });
process.exit(failed ? 1 : 0);
