import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CrmAuthError } from '../src/errors';
import { decodeMessage } from '../src/messages/decode';

import { FIXTURES_DIR as FIXTURES } from './fixtures-helpers';

function fixtureNames(service: string): string[] {
  return readdirSync(path.join(FIXTURES, service))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => f.slice(0, -4))
    .sort();
}

describe.each(['crm', 'discovery', 'wlid'])('fixtures/%s', (service) => {
  it.each(fixtureNames(service))('%s.xml decodes to exactly %s.json', (name) => {
    const xml = readFileSync(path.join(FIXTURES, service, `${name}.xml`), 'utf8');
    const expected: unknown = JSON.parse(readFileSync(path.join(FIXTURES, service, `${name}.json`), 'utf8'));
    expect(decodeMessage(xml)).toStrictEqual(expected);
  });
});

// The CrmAuthError code is the contract (hostile/README.md); the message only has to name the problem.
const HOSTILE: Readonly<Record<string, { code: string; mentions: RegExp }>> = {
  'billion-laughs.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /DOCTYPE/ },
  'xxe-file-etc-passwd.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /DOCTYPE/ },
  'doctype-internal-entity.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /DOCTYPE/ },
  'truncated-envelope.xml': { code: 'ERR_XML_MALFORMED', mentions: /malformed/ },
  'html-login-page.xml': { code: 'ERR_HTML_INSTEAD_OF_SOAP', mentions: /HTML/ },
  'not-soap-device-add-response.xml': {
    code: 'ERR_XML_MALFORMED',
    mentions: /not a SOAP envelope.*DeviceAddResponse/,
  },
  'deep-nesting-10000.xml': { code: 'ERR_XML_TOO_DEEP', mentions: /deeper than/ },
  'unknown-discovery-request.xml': {
    code: 'ERR_UNEXPECTED_MESSAGE',
    mentions: /RetrieveClientPatchesRequest/,
  },
  'two-bodies.xml': { code: 'ERR_XML_MALFORMED', mentions: /exactly one Body/ },
};

describe('fixtures/hostile', () => {
  const files = readdirSync(path.join(FIXTURES, 'hostile')).filter((f) => f.endsWith('.xml'));

  it('has an expectation for every hostile file', () => {
    expect(files.sort()).toEqual(Object.keys(HOSTILE).sort());
  });

  it.each(Object.entries(HOSTILE))('refuses %s with %o, quickly', (file, { code, mentions }) => {
    const xml = readFileSync(path.join(FIXTURES, 'hostile', file), 'utf8');
    const attempt = (): { thrown: unknown; ms: number } => {
      const started = performance.now();
      try {
        decodeMessage(xml);
      } catch (err) {
        return { thrown: err, ms: performance.now() - started };
      }
      return { thrown: undefined, ms: performance.now() - started };
    };
    // Best of three: a loaded shared machine or a cold JIT must not make this flaky.
    const runs = [attempt(), attempt(), attempt()];
    const { thrown } = runs[0]!;
    const elapsed = Math.min(...runs.map((r) => r.ms));
    expect(thrown).toBeInstanceOf(CrmAuthError);
    expect((thrown as CrmAuthError).code).toBe(code);
    expect((thrown as CrmAuthError).message).toMatch(mentions);
    expect((thrown as CrmAuthError).message).not.toContain('\n');
    // Generous bound: the point is "no expansion, no hang", not a benchmark.
    expect(elapsed).toBeLessThan(50);
  });
});
