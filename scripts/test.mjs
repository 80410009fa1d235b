// `npm test`: installs what is missing, builds, then runs every tier (unit and integration
// tests with Vitest against a throwaway embedded Postgres and the real emulator over HTTPS,
// then the Playwright browser tests in Debian's Chromium). Its last line is `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installAndBuild } from './lib/build.mjs';
import { ensurePnpm, root } from './lib/pnpm.mjs';
import { failureLines, playwrightFailures, vitestFailures } from './lib/test-report.mjs';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null; // unit | e2e
const resultsDir = join(root, '.data', 'test-results');
const say = (msg) => console.log(`[test] ${msg}`);
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

// What failed, by name, repeated just above the last line: a log cut to its tail still says which tests failed.
const failures = [];

function finish() {
  if (failures.length) {
    console.log(`[test] failed (${failures.length}; the reports are in ${resultsDir}):`);
    for (const line of failureLines(failures)) console.log(`[test]   ${line}`);
  }
  if (problems.length) for (const p of problems) console.log(`[test] ${p}`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed > 0 || problems.length > 0 ? 1 : 0);
}

function findChromium() {
  const candidates = [
    process.env.CHROME_PATH,
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ];
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

const chromium = only === 'unit' ? null : findChromium();
if (only !== 'unit' && !chromium) {
  problems.push(
    'no Chromium found for the browser tests (looked at CHROME_PATH, /usr/bin/chromium). ' +
      'Install it with: sudo apt-get install -y chromium   (or set CHROME_PATH to a Chromium binary)',
  );
  failed += 1;
  finish();
}

try {
  installAndBuild({ log: say });
} catch (err) {
  problems.push(err.message);
  failed += 1;
  finish();
}

// The conformance suites run on the project's fixtures/ and, when ONBEHALF_CONFORMANCE_DIR names
// one, on an external corpus of the same layout.
{
  const named = process.env.ONBEHALF_CONFORMANCE_DIR;
  if (!named)
    say(
      'no external conformance corpus (ONBEHALF_CONFORMANCE_DIR): the fixture suites run on fixtures/ only',
    );
  else if (existsSync(join(resolve(named), 'crm')))
    say(`external conformance corpus: ${resolve(named)} (the fixture suites also run against it)`);
  else {
    problems.push(`ONBEHALF_CONFORMANCE_DIR=${named} holds no corpus (no crm/ folder in it)`);
    failed += 1;
    finish();
  }
}

// The integration tests and the browser tests' stack need the embedded Postgres (unless pointed at
// a server): start a throwaway cluster once, so that a machine where it cannot run gets one line
// saying why instead of every suite failing. As root this also prepares what user postgres needs.
const needsEmbedded =
  (only !== 'e2e' && !process.env.TEST_DATABASE_URL) || (only !== 'unit' && !process.env.DATABASE_URL);
if (needsEmbedded) {
  const { startEmbeddedPostgres } = createRequire(join(root, 'apps', 'api', 'package.json'))(
    '@onbehalf/devdb',
  );
  const dir = mkdtempSync(join(tmpdir(), 'onbehalf-pg-check-'));
  try {
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), persistent: false });
    await pg.stop();
  } catch (err) {
    problems.push(`${err.message} (checked before the tests, which need it)`);
    failed += 1;
    finish();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const pnpm = ensurePnpm();

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function vitest(label, args, env, out, config = 'vitest.config.mts') {
  say(label);
  const r = spawnSync(
    pnpm,
    [
      'exec',
      'vitest',
      'run',
      '--config',
      config,
      ...args,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${out}`,
    ],
    {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1', ...env },
    },
  );
  const json = readJson(out);
  if (json) {
    passed += json.numPassedTests ?? 0;
    failed += json.numFailedTests ?? 0;
    skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
    failures.push(...vitestFailures(json, root));
    if (r.status !== 0 && !json.numFailedTests)
      problems.push(`Vitest (${label}) exited with code ${r.status} (a suite failed to load or run)`);
  } else {
    problems.push(`Vitest (${label}) wrote no results (exit code ${r.status})`);
  }
}

if (only !== 'e2e') {
  // The repository's own tooling: packages/devdb (the embedded Postgres) and scripts/ (these commands).
  vitest(
    'tooling tests: embedded Postgres and scripts (Vitest)',
    [],
    {},
    join(resultsDir, 'vitest-tooling.json'),
    'scripts/vitest.config.mts',
  );
  vitest(
    'unit and integration tests (Vitest)',
    [],
    { ONBEHALF_TESTS: 'parallel' },
    join(resultsDir, 'vitest.json'),
  );
  // Fault injection, soak, crash safety and audit speed measure latency: alone, one file at a time.
  vitest(
    'fault injection, soak and crash-safety suites (Vitest, one file at a time)',
    ['--project', 'api', '--maxWorkers=1'],
    { ONBEHALF_TESTS: 'serial' },
    join(resultsDir, 'vitest-serial.json'),
  );
}

if (only !== 'unit') {
  say(`browser tests (Playwright, ${chromium})`);
  const out = join(resultsDir, 'playwright.json');
  const r = spawnSync(pnpm, ['--filter', '@onbehalf/e2e', 'exec', 'playwright', 'test'], {
    stdio: 'inherit',
    cwd: root,
    env: {
      ...process.env,
      CHROME_PATH: chromium,
      PLAYWRIGHT_JSON_OUTPUT_NAME: out,
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
    },
  });
  const json = readJson(out);
  if (json?.stats) {
    passed += (json.stats.expected ?? 0) + (json.stats.flaky ?? 0);
    failed += json.stats.unexpected ?? 0;
    skipped += json.stats.skipped ?? 0;
    failures.push(...playwrightFailures(json, 'e2e/tests'));
    if (json.stats.flaky) say(`${json.stats.flaky} browser test(s) passed only on a retry (flaky)`);
    if (r.status !== 0 && !json.stats.unexpected) problems.push(`Playwright exited with code ${r.status}`);
  } else {
    problems.push(`Playwright wrote no results (exit code ${r.status})`);
  }
}

finish();
