#!/usr/bin/env node
/**
 * Writes stryker/REPORT.md: the mutation score per rule module, and every surviving mutant as a
 * `file:line mutator` line. Survivors listed in stryker/EQUIVALENT.md (same `file:line mutator`
 * key, then ` — reason`) are shown as equivalent and left out of the "score without equivalents".
 *
 * Two steps, so that the report never depends on what happens to be on this machine:
 * 1. Each module's newest Stryker JSON report (stryker/reports/<pkg>/<name>/mutation.json, local and
 *    gitignored) is boiled down to stryker/results/<pkg>.<name>.json: the counts and the survivors.
 *    That file is committed, so a module that was not re-run here keeps its last result.
 * 2. REPORT.md is written from the results files alone.
 *
 * Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker counts it;
 * compile/runtime errors and ignored (static) mutants are not in it.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { MODULES } from './modules.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, 'results');

/** The result file of a module: what REPORT.md is made from. */
export const resultPath = (mod) => path.join(resultsDir, `${mod.pkg}.${mod.name}.json`);

/** Boils a Stryker JSON report down to counts and survivors (keys relative to the repository). */
export function resultFromReport(mod, json, run) {
  const r = {
    module: `${mod.pkg}/${mod.name}`,
    run,
    killed: 0,
    timeout: 0,
    survived: 0,
    noCoverage: 0,
    survivors: [],
  };
  const root = path.resolve(here, '..', mod.dir);
  for (const [fileName, file] of Object.entries(json.files)) {
    const rel = path.relative(root, path.resolve(root, fileName)).split(path.sep).join('/');
    // A spec is never a mutation target (a glob that reached one mutated test code, not a rule).
    if (/\.(int-)?spec\.[cm]?[jt]s$/.test(rel)) continue;
    for (const m of file.mutants) {
      if (m.status === 'Killed') r.killed++;
      else if (m.status === 'Timeout') r.timeout++;
      else if (m.status === 'Survived' || m.status === 'NoCoverage') {
        if (m.status === 'Survived') r.survived++;
        else r.noCoverage++;
        r.survivors.push({
          key: `${mod.dir}/${rel}:${m.location.start.line} ${m.mutatorName}`,
          status: m.status,
          replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80),
        });
      }
    }
  }
  r.survivors.sort((a, b) => byFileLine(a.key, b.key));
  return r;
}

function byFileLine(a, b) {
  const ka = /^([^:]+):(\d+)/.exec(a);
  const kb = /^([^:]+):(\d+)/.exec(b);
  return ka[1] === kb[1] ? Number(ka[2]) - Number(kb[2]) : ka[1] < kb[1] ? -1 : 1;
}

function readEquivalents() {
  const equivalent = new Map();
  const eqFile = path.join(here, 'EQUIVALENT.md');
  if (!existsSync(eqFile)) return equivalent;
  for (const line of readFileSync(eqFile, 'utf8').split('\n')) {
    const m = /^- `([^`]+)` — (.+)$/.exec(line.trim());
    if (m) equivalent.set(m[1], m[2]);
  }
  return equivalent;
}

/** Step 1: a local report newer than the committed result replaces it. */
function updateResults() {
  mkdirSync(resultsDir, { recursive: true });
  const updated = [];
  for (const mod of MODULES) {
    const report = path.join(here, 'reports', mod.pkg, mod.name, 'mutation.json');
    if (!existsSync(report)) continue;
    const run = statSync(report).mtime.toISOString().slice(0, 16) + 'Z';
    const file = resultPath(mod);
    const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
    if (previous && previous.run >= run) continue;
    const result = resultFromReport(mod, JSON.parse(readFileSync(report, 'utf8')), run);
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    updated.push(result.module);
  }
  return updated;
}

/** Step 2: REPORT.md from the results files and EQUIVALENT.md. */
function writeReport() {
  const equivalent = readEquivalents();
  const pct = (n, d) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);
  const survivorsOut = [];
  const tableRows = [];
  const totals = {};
  let equivalentsUsed = 0;
  for (const mod of MODULES) {
    const t = (totals[mod.pkg] ??= { detected: 0, valid: 0, eq: 0, target: mod.target, missing: 0 });
    const file = resultPath(mod);
    if (!existsSync(file)) {
      t.missing++;
      tableRows.push(`| ${mod.pkg} | ${mod.label} | not yet run | | | | | | ${mod.target} % | |`);
      continue;
    }
    const r = JSON.parse(readFileSync(file, 'utf8'));
    let eqCount = 0;
    const lines = r.survivors.map((s) => {
      const eq = equivalent.get(s.key);
      if (eq) eqCount++;
      const replacement = s.replacement.replace(/`/g, "'");
      // An entry whose reason starts "killed outside Stryker:" is a mutant a test kills under `npm test` that
      // Stryker's runner cannot (named so, not called equivalent); it is accounted for all the same.
      const outside = eq?.match(/^killed outside Stryker: (.+)$/);
      const label = outside
        ? ` — **killed outside Stryker**: ${outside[1]}`
        : eq
          ? ` — **equivalent**: ${eq}`
          : '';
      return `- \`${s.key}\`${s.status === 'NoCoverage' ? ' (no coverage)' : ''} — \`${replacement}\`${label}`;
    });
    equivalentsUsed += eqCount;
    const detected = r.killed + r.timeout;
    const valid = detected + r.survived + r.noCoverage;
    t.detected += detected;
    t.valid += valid;
    t.eq += eqCount;
    const when = r.run.replace('T', ' ').replace('Z', '');
    tableRows.push(
      `| ${mod.pkg} | ${mod.label} | ${pct(detected, valid)} | ${pct(detected, valid - eqCount)} | ${detected} | ${r.survived} | ${r.noCoverage} | ${eqCount} | ${mod.target} % | ${when} |`,
    );
    survivorsOut.push(`### ${mod.pkg} — ${mod.label}`, '', ...(lines.length ? lines : ['None.']), '');
  }
  for (const [pkg, t] of Object.entries(totals)) {
    tableRows.push(
      `| **${pkg}** | **all run modules**${t.missing ? ` (${t.missing} not yet run)` : ''} | **${pct(t.detected, t.valid)}** | **${pct(t.detected, t.valid - t.eq)}** | ${t.detected} | | | ${t.eq} | ${t.target} % | |`,
    );
  }
  const out = [
    '# Mutation testing report',
    '',
    'Generated by `node stryker/summary.mjs` from `stryker/results/*.json` (see stryker/README.md).',
    '',
    '## Scores per module',
    '',
    '| package | module | score | score without listed equivalents | killed + timeout | survived | no coverage | equivalent | target | run (UTC) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...tableRows,
    '',
    '## Survivors (`file:line mutator` — replacement)',
    '',
    'Equivalent mutants carry their reason from stryker/EQUIVALENT.md; every other line is a test still to write.',
    '',
    ...survivorsOut,
  ];
  writeFileSync(path.join(here, 'REPORT.md'), out.join('\n') + '\n');
  return { equivalentsUsed, tableRows };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const updated = updateResults();
  if (updated.length) console.log(`stryker/results updated from local reports: ${updated.join(', ')}`);
  const { equivalentsUsed, tableRows } = writeReport();
  console.log(`stryker/REPORT.md written (${equivalentsUsed} survivors matched stryker/EQUIVALENT.md)`);
  console.log(tableRows.join('\n'));
}
