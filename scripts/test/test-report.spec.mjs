import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../lib/pnpm.mjs';
import { failureLines, firstLine, playwrightFailures, vitestFailures } from '../lib/test-report.mjs';

describe('npm test names what failed (scripts/lib/test-report.mjs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'test-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a real Vitest JSON report: each failed test with its file and first error line, and a file that did not load', () => {
    writeFileSync(
      join(dir, 'sample.spec.mjs'),
      `describe('group', () => {
         it('passes', () => expect(1).toBe(1));
         it('adds up', () => expect(1 + 1).toBe(3));
       });\n`,
    );
    writeFileSync(join(dir, 'broken.spec.mjs'), `throw new Error('cannot load this file');\n`);
    const out = join(dir, 'report.json');
    spawnSync(
      join(root, 'node_modules', '.bin', 'vitest'),
      ['run', '--root', dir, '--globals', '--reporter=json', `--outputFile.json=${out}`],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '1' } },
    );
    const failures = vitestFailures(JSON.parse(readFileSync(out, 'utf8')), dir).sort();
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatch(/^broken\.spec\.mjs: .*cannot load this file/);
    expect(failures[1]).toMatch(/^sample\.spec\.mjs > group adds up: .*expected 2 to be 3/);
    for (const f of failures) expect(f).not.toContain(String.fromCharCode(27));
  }, 60_000);

  it('reads a Playwright JSON report: failed specs in nested suites, passing ones left out', () => {
    const report = {
      suites: [
        {
          title: 'a.spec.ts',
          specs: [{ title: 'passes', ok: true, file: 'a.spec.ts', tests: [] }],
          suites: [
            {
              title: 'nested',
              specs: [
                {
                  title: 'shows the chain card',
                  ok: false,
                  file: 'a.spec.ts',
                  tests: [
                    {
                      results: [
                        {
                          status: 'failed',
                          error: {
                            message: '\u001b[31mError: expect(locator).toBeVisible()\u001b[39m\n\nCall log:',
                          },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect(playwrightFailures(report, 'e2e/tests')).toEqual([
      'e2e/tests/a.spec.ts > shows the chain card: Error: expect(locator).toBeVisible()',
    ]);
  });

  it('caps the list and clips long lines, saying how many more there were', () => {
    const lines = failureLines(
      Array.from({ length: 33 }, (_, i) => `t${i} ${'x'.repeat(300)}`),
      { max: 30, clip: 50 },
    );
    expect(lines).toHaveLength(31);
    expect(lines[0]).toHaveLength(50);
    expect(lines[0]?.endsWith('…')).toBe(true);
    expect(lines[30]).toBe('… and 3 more');
    expect(firstLine('\n\n  second line\nthird')).toBe('second line');
  });
});
