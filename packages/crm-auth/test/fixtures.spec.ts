/**
 * The conformance suite: every message of a corpus decodes to exactly its JSON, and every hostile
 * file is refused with its code. It runs on the project's corpus (`fixtures/`) and, when one is
 * present, on an external corpus of the same layout (see fixtures-helpers.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CrmAuthError } from '../src/errors';
import { decodeMessage } from '../src/messages/decode';

import { CORPORA, FIXTURES_DIR } from './fixtures-helpers';

function fixtureNames(dir: string, service: string): string[] {
  return readdirSync(path.join(dir, service))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => f.slice(0, -4))
    .sort();
}

// The CrmAuthError code is the contract (fixtures/README.md); the message only has to name the problem.
const HOSTILE: Readonly<Record<string, { code: string; mentions: RegExp }>> = {
  'billion-laughs.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /DOCTYPE/ },
  'xxe-file-etc-passwd.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /DOCTYPE/ },
  'xxe-parameter-entity.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /DOCTYPE/ },
  'doctype-internal-entity.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /DOCTYPE/ },
  'doctype-in-soap12.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /DOCTYPE/ },
  'processing-instruction-in-body.xml': { code: 'ERR_XML_FORBIDDEN', mentions: /processing instruction/ },
  'html-login-page.xml': { code: 'ERR_HTML_INSTEAD_OF_SOAP', mentions: /HTML/ },
  'html-proxy-error-page.xml': { code: 'ERR_HTML_INSTEAD_OF_SOAP', mentions: /HTML/ },
  'deep-nesting-10000.xml': { code: 'ERR_XML_TOO_DEEP', mentions: /deeper than/ },
  'huge-attribute-count.xml': { code: 'ERR_XML_TOO_LARGE', mentions: /attributes/ },
  'truncated-envelope.xml': { code: 'ERR_XML_MALFORMED', mentions: /malformed/ },
  'unclosed-cdata.xml': { code: 'ERR_XML_MALFORMED', mentions: /malformed/ },
  'named-html-entity-nbsp.xml': { code: 'ERR_XML_MALFORMED', mentions: /malformed/ },
  'invalid-character-reference.xml': { code: 'ERR_XML_MALFORMED', mentions: /malformed/ },
  'nul-byte.xml': { code: 'ERR_XML_MALFORMED', mentions: /character XML does not allow/ },
  'invalid-utf8.xml': { code: 'ERR_XML_MALFORMED', mentions: /not valid UTF-8/ },
  'utf16-bom-mismatch.xml': { code: 'ERR_XML_MALFORMED', mentions: /malformed/ },
  'xml-declaration-wrong-encoding.xml': { code: 'ERR_XML_MALFORMED', mentions: /encoding/ },
  'duplicate-attribute.xml': { code: 'ERR_XML_MALFORMED', mentions: /malformed/ },
  'duplicate-namespaced-attribute.xml': { code: 'ERR_XML_MALFORMED', mentions: /appears twice/ },
  'undeclared-prefix.xml': { code: 'ERR_XML_MALFORMED', mentions: /undeclared namespace prefix/ },
  'not-soap-device-add-response.xml': {
    code: 'ERR_XML_MALFORMED',
    mentions: /not a SOAP envelope.*DeviceAddResponse/,
  },
  'wrong-envelope-namespace.xml': { code: 'ERR_XML_MALFORMED', mentions: /malformed|envelope/i },
  'envelope-without-body.xml': { code: 'ERR_XML_MALFORMED', mentions: /Body/ },
  'header-after-body.xml': { code: 'ERR_XML_MALFORMED', mentions: /Header|Body/ },
  'two-bodies.xml': { code: 'ERR_XML_MALFORMED', mentions: /exactly one Body/ },
  'body-with-two-payloads.xml': { code: 'ERR_XML_MALFORMED', mentions: /Body/ },
  'mixed-soap-versions.xml': { code: 'ERR_XML_MALFORMED', mentions: /Body/ },
  'two-crm-authentication-tokens.xml': {
    code: 'ERR_UNEXPECTED_MESSAGE',
    mentions: /CrmAuthenticationToken|twice/,
  },
  'two-organization-names.xml': { code: 'ERR_UNEXPECTED_MESSAGE', mentions: /OrganizationName|twice/ },
  'unknown-discovery-request.xml': {
    code: 'ERR_UNEXPECTED_MESSAGE',
    mentions: /RetrieveClientPatchesRequest/,
  },
  'execute-type-foreign-namespace.xml': {
    code: 'ERR_UNEXPECTED_MESSAGE',
    mentions: /unsupported|Execute|type/,
  },
  'create-in-2006-namespace.xml': { code: 'ERR_UNEXPECTED_MESSAGE', mentions: /Create/ },
};

describe.each(CORPORA)('$label', ({ dir }) => {
  describe.each(['crm', 'discovery', 'wlid'])('%s', (service) => {
    it.each(fixtureNames(dir, service))('%s.xml decodes to exactly %s.json', (name) => {
      const xml = readFileSync(path.join(dir, service, `${name}.xml`), 'utf8');
      const expected: unknown = JSON.parse(readFileSync(path.join(dir, service, `${name}.json`), 'utf8'));
      expect(decodeMessage(xml)).toStrictEqual(expected);
    });
  });

  describe('hostile', () => {
    const files = readdirSync(path.join(dir, 'hostile'))
      .filter((f) => f.endsWith('.xml'))
      .sort();

    it(
      dir === FIXTURES_DIR
        ? 'has an expectation for every hostile file, and a file for every expectation'
        : 'has an expectation for every hostile file',
      () => {
        if (dir === FIXTURES_DIR) expect(files).toEqual(Object.keys(HOSTILE).sort());
        else expect(files.filter((f) => !(f in HOSTILE))).toEqual([]);
      },
    );

    // Read as bytes: decoding to a string first would turn invalid UTF-8 into U+FFFD and hide the attack.
    // No time bound here (a hang fails on the test timeout); speed is measured in npm run bench.
    it.each(files.filter((f) => f in HOSTILE))('refuses %s with its code, in one line', (file) => {
      const { code, mentions } = HOSTILE[file]!;
      const bytes = readFileSync(path.join(dir, 'hostile', file));
      let thrown: unknown;
      try {
        decodeMessage(bytes);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(CrmAuthError);
      expect((thrown as CrmAuthError).code).toBe(code);
      expect((thrown as CrmAuthError).message).toMatch(mentions);
      expect((thrown as CrmAuthError).message).not.toContain('\n');
    });
  });
});
