import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../src/messages/decode';

// CI clones fresh with ../shared beside the repository root.
const SHARED = process.env['ONBEHALF_SHARED_DIR'] ?? path.resolve(__dirname, '../../../../shared');
const FIXTURES = path.join(SHARED, 'fixtures');

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
