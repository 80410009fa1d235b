// `npm run bench` (or `node bench/run.mjs`): every benchmark of docs/architecture.md §9, one after the other,
// then a table of figures, targets and pass/fail, written to bench/results/latest.json.
//
//   node bench/run.mjs                      everything (a few minutes on 2 cores; the last run's time is totalSec in results/latest.json)
//   node bench/run.mjs --only api,audit     some suites: web, decode, emulator, api, audit, chain, start, refresh
//   node bench/run.mjs --quick              smaller runs for trying things out (writes results/quick.json)
//   node bench/run.mjs --no-build-start     skip the "cold start including the workspace build"
//
// Needs the built workspace (`npm run build`). Servers run as child processes on random free ports
// with temporary data directories; all of them are stopped at the end, also on Ctrl-C.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { DB_ROLES } from './lib/stack.mjs';
import { benchDir, cleanupAll, now, repoRoot, round } from './lib/util.mjs';

const SUITES = ['web', 'decode', 'emulator', 'api', 'audit', 'chain', 'start', 'refresh'];

function parseArgs(argv) {
  const opts = { only: null, quick: false, withBuild: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--no-build-start') opts.withBuild = false;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(7) : argv[++i];
      opts.only = (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = opts.only.filter((s) => !SUITES.includes(s));
      if (unknown.length || opts.only.length === 0) usage(`unknown suite ${unknown.join(', ') || '(none)'}`);
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  return opts;
}

function usage(error) {
  if (error) console.error(`bench: ${error}`);
  console.error(`usage: node bench/run.mjs [--only ${SUITES.join(',')}] [--quick] [--no-build-start]`);
  process.exit(error ? 2 : 0);
}

const opts = parseArgs(process.argv.slice(2));
const selected = opts.only ?? SUITES;

const needed = [
  'packages/crm-auth/dist/index.js',
  'packages/devdb/dist/index.js',
  'apps/emulator/dist/index.js',
  'apps/api/dist/main.js',
  'apps/web/dist/index.html',
];
const missing = needed.filter((p) => !existsSync(join(repoRoot, p)));
if (missing.length) {
  console.error(`bench: build the workspace first (npm run build); missing ${missing.join(', ')}`);
  process.exit(2);
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nbench: ${sig}, stopping every server it started…`);
    await cleanupAll();
    process.exit(130);
  });
}

const t0 = now();
const figures = {};
const details = {};
const suites = {};
const errors = {};
const load = () => loadavg().map((x) => round(x, 2));
console.log(
  `Onbehalf benchmarks: ${selected.join(', ')}${opts.quick ? ' (quick)' : ''} on ${cpus().length} cores, load average ${load().join(' ')}`,
);
console.log(
  '(the load average counts everyone on this machine: the wall-clock figures move with it; ratios are measured side by side)',
);
for (const name of selected) {
  const s0 = now();
  const loadBefore = load();
  console.log(`\n[${name}]`);
  try {
    const mod = await import(`./suites/${name}.mjs`);
    const r = await mod.run({
      quick: opts.quick,
      withBuild: opts.withBuild,
      log: (line) => console.log(line),
    });
    for (const [k, f] of Object.entries(r.figures)) figures[k] = { suite: name, ...f };
    details[name] = r.details;
  } catch (err) {
    errors[name] = err?.stack ?? String(err);
    console.error(`  FAILED: ${err?.message ?? err}`);
  } finally {
    await cleanupAll();
  }
  suites[name] = {
    at: new Date().toISOString(),
    sec: round((now() - s0) / 1000, 1),
    loadBefore,
    loadAfter: load(),
  };
  console.log(`  (${suites[name].sec} s, load average ${loadBefore[0]} -> ${suites[name].loadAfter[0]})`);
}
const totalSec = (now() - t0) / 1000;

// ------------------------------------------------------------------ the table
const ORDER = [
  'roundTripsPerCall',
  'dataverseRoundTripsPerCall',
  'seedFlowRoundTripsPerCall',
  'herdRefreshes',
  'herdFailures',
  'apiVsDirectThroughputRatio',
  'apiCreatesPerSec',
  'directCreatesPerSec',
  'decodeVsRawParseRatio',
  'auditSearchP95Ms',
  'auditExportRowsPerSec',
  'auditExportPeakRssMb',
  'auditSeedSec',
  'ledgerChainCpuUsPerCall',
  'emulatorWhoAmIPerSec',
  'startColdBuildSec',
  'startColdSec',
  'startWarmSec',
  'webInitialJsKbGzip',
];
const keys = [
  ...ORDER.filter((k) => k in figures),
  ...Object.keys(figures).filter((k) => !ORDER.includes(k)),
];
const rows = keys.map((k) => {
  const f = figures[k];
  return [
    k,
    `${f.value}${f.unit && f.unit !== '/s' ? ` ${f.unit}` : (f.unit ?? '')}`,
    f.target ?? '',
    f.pass === undefined ? '' : f.pass ? 'PASS' : 'MISS',
    f.note ?? '',
  ];
});
const head = ['figure', 'value', 'target', 'result', 'how'];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => (i === r.length - 1 ? String(c) : String(c).padEnd(width[i]))).join('  ');
console.log(
  `\n${line(head)}\n${width.map((w, i) => '-'.repeat(i === width.length - 1 ? 40 : w)).join('  ')}`,
);
for (const r of rows) console.log(line(r));
const judged = keys.filter((k) => figures[k].pass !== undefined);
const passed = judged.filter((k) => figures[k].pass);
const rt = figures.roundTripsPerCall?.value;
const seed = figures.seedFlowRoundTripsPerCall?.value;
if (rt && seed)
  console.log(
    `\nRound trips per call: ${rt} through Onbehalf vs ${seed} in the SDK sample's flow (${round(seed / rt, 1)}x fewer).`,
  );
console.log(
  `${judged.length ? `${passed.length} of ${judged.length} targets met` : 'No pass/fail targets in these suites'}${Object.keys(errors).length ? `; suites that FAILED: ${Object.keys(errors).join(', ')}` : ''}. Total ${round(totalSec / 60, 1)} min.`,
);

// ------------------------------------------------------------------ results file
const file = join(benchDir, 'results', opts.quick ? 'quick.json' : 'latest.json');
mkdirSync(join(benchDir, 'results'), { recursive: true });
let previous = null;
if (opts.only && existsSync(file)) {
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    previous = null;
  }
}
const cpuModel = cpus()[0]?.model ?? 'unknown';
const result = {
  generatedAt: new Date().toISOString(),
  command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  machine: {
    cores: cpus().length,
    cpu: cpuModel,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: process.platform,
  },
  // two: the API as a runtime role beside the owner (what npm start runs); one: as the owner alone
  databaseRoles: DB_ROLES,
  totalSec: round(totalSec, 1),
  loadAverageAtEnd: load(),
  // With --only, the other suites' figures are kept from the previous full run (see suites.*.at).
  suites: { ...(previous?.suites ?? {}), ...suites },
  figures: { ...(previous?.figures ?? {}), ...figures },
  details: { ...(previous?.details ?? {}), ...details },
  ...(Object.keys(errors).length ? { errors } : {}),
};
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`Written to ${file.replace(`${repoRoot}/`, '')}`);
process.exit(Object.keys(errors).length ? 1 : 0);
