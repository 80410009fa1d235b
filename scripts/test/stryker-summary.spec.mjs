import { describe, expect, it } from 'vitest';

import { MODULES } from '../../stryker/modules.mjs';
import { resultFromReport, resultPath } from '../../stryker/summary.mjs';

const rps = MODULES.find((m) => m.pkg === 'crm-auth' && m.name === 'rps');

function mutant(status, line, mutatorName = 'ConditionalExpression', replacement = 'false') {
  return {
    status,
    mutatorName,
    replacement,
    location: { start: { line, column: 1 }, end: { line, column: 9 } },
  };
}

describe('stryker summary', () => {
  it('counts each status and keys survivors by repository path, line and mutator, sorted by file and line', () => {
    const json = {
      files: {
        'src/rps/rps-verifier.ts': {
          mutants: [
            mutant('Killed', 3),
            mutant('Timeout', 4),
            mutant('Survived', 67, 'ObjectLiteral', '{}'),
            mutant('NoCoverage', 12),
            mutant('CompileError', 5),
          ],
        },
        'src/rps/build-rps-url.ts': {
          mutants: [mutant('Survived', 28, 'OptionalChaining', 'options.\n  siteId')],
        },
      },
    };
    const r = resultFromReport(rps, json, '2026-12-03T00:00Z');
    expect(r).toMatchObject({ module: 'crm-auth/rps', killed: 1, timeout: 1, survived: 2, noCoverage: 1 });
    expect(r.survivors).toEqual([
      {
        key: 'packages/crm-auth/src/rps/build-rps-url.ts:28 OptionalChaining',
        status: 'Survived',
        replacement: 'options. siteId',
      },
      {
        key: 'packages/crm-auth/src/rps/rps-verifier.ts:12 ConditionalExpression',
        status: 'NoCoverage',
        replacement: 'false',
      },
      {
        key: 'packages/crm-auth/src/rps/rps-verifier.ts:67 ObjectLiteral',
        status: 'Survived',
        replacement: '{}',
      },
    ]);
  });

  it('leaves out mutants in spec files, which a broad glob may have reached: tests are not rules', () => {
    const json = {
      files: {
        'src/rps/rps-verifier.ts': { mutants: [mutant('Killed', 3)] },
        'src/rps/rps-verifier.spec.ts': { mutants: [mutant('NoCoverage', 9), mutant('Survived', 10)] },
        'src/rps/x.int-spec.ts': { mutants: [mutant('Survived', 1)] },
      },
    };
    const r = resultFromReport(rps, json, '2026-12-03T00:00Z');
    expect(r).toMatchObject({ killed: 1, survived: 0, noCoverage: 0, survivors: [] });
  });

  it('keeps one committed result file per module under stryker/results', () => {
    expect(resultPath(rps)).toMatch(/stryker[/\\]results[/\\]crm-auth\.rps\.json$/);
  });
});
