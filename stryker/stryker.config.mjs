// @ts-check
/**
 * The one Stryker config; stryker/run.mjs starts it from the package folder with
 * STRYKER_MODULE=<pkg>/<name> (see stryker/modules.mjs).
 *
 * - The sandbox lives one level under the repository root (`/.stryker-tmp-<pkg>/sandbox-…`), so
 *   that paths the specs resolve relative to themselves (`../../../fixtures`, the tsconfig's
 *   `extends: ../../tsconfig.base.json`) land on the repository's folders as from the package.
 * - Report and incremental file: stryker/reports/<pkg>/<name>/ (gitignored, see stryker/README.md).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findModule } from './modules.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const id = process.env.STRYKER_MODULE ?? '';
const mod = findModule(id);
if (!mod) throw new Error(`STRYKER_MODULE=${id}: not a module of stryker/modules.mjs`);
const reports = path.join(here, 'reports', mod.pkg, mod.name);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: mod.mutate,
  testFiles: mod.testFiles,
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // related: false — perTest coverage already names the spec files of a mutant's tests; Vitest's
  // "related" would walk the specs' import graphs again for every mutant.
  vitest: { configFile: 'vitest.config.mts', related: false },
  coverageAnalysis: 'perTest',
  // Two cores shared with other engineers: one test process by default, STRYKER_CONCURRENCY=2 at most.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // Static mutants (module-level constants) would each need every test: not run, not scored.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: path.join(reports, 'incremental.json'),
  tempDirName: path.join(here, '..', `.stryker-tmp-${mod.pkg}`),
  cleanTempDir: 'always',
  // Stryker rewrites tsconfig `extends` for a sandbox two levels down (.stryker-tmp/sandbox-…);
  // ours is as deep as the package, so `../../tsconfig.base.json` must stay as it is.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  reporters: ['json', 'html', 'clear-text', 'progress'],
  jsonReporter: { fileName: path.join(reports, 'mutation.json') },
  htmlReporter: { fileName: path.join(reports, 'mutation.html') },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  ignorePatterns: ['dist', 'coverage', 'bench', '*.tsbuildinfo'],
  // A mutant times out after netTime × 1.5 + timeoutMS. The API's int-specs start Postgres databases, Nest and
  // the emulator, whose time swings with the machine's load: their modules set a larger timeoutMS in modules.mjs
  // so that a slow start is not scored as a timeout (a kill).
  timeoutMS: mod.timeoutMS ?? 10_000,
  thresholds: { high: 85, low: 75, break: null },
};
