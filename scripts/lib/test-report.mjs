// Failed tests by name, from the JSON reports of Vitest and Playwright, for the lines `npm test` prints just
// above its last one: a log cut to its tail still says which tests failed and why.
import { relative } from 'node:path';

// Terminal colour codes (ESC [ … m), built from a string so the source holds no control character.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The first non-empty line of a failure message, without terminal colours. */
export function firstLine(text) {
  return (
    String(text ?? '')
      .replace(ANSI, '')
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? ''
  );
}

/** `file > test name: first line of the error` for each failed test of a Vitest JSON report. */
export function vitestFailures(report, root) {
  const out = [];
  for (const file of report?.testResults ?? []) {
    const where = relative(root, file.name ?? '');
    const bad = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of bad) out.push(`${where} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
    // A file that failed without a failed test did not load or failed in a hook.
    if (file.status === 'failed' && !bad.length) out.push(`${where}: ${firstLine(file.message)}`);
  }
  return out;
}

/** The same for a Playwright JSON report (`testDir` relative to the repository, e.g. e2e/tests). */
export function playwrightFailures(report, testDir) {
  const out = [];
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      if (spec.ok !== false) continue;
      const error = (spec.tests ?? []).flatMap((t) => t.results ?? []).find((r) => r.error)?.error;
      out.push(`${testDir}/${spec.file} > ${spec.title}: ${firstLine(error?.message)}`);
    }
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report?.suites ?? []) walk(suite);
  return out;
}

/** At most `max` lines of `clip` characters, and how many more there were. */
export function failureLines(failures, { max = 30, clip = 240 } = {}) {
  const cut = (t) => (t.length > clip ? `${t.slice(0, clip - 1)}…` : t);
  const lines = failures.slice(0, max).map(cut);
  if (failures.length > max) lines.push(`… and ${failures.length - max} more`);
  return lines;
}
