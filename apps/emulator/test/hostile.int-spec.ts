import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPORA, FIXTURES, fixture, fixtureBytes, startHarness, type Harness } from './emulator-harness';
import { DISCOVERY_ACTION, parseReply, textAt } from './soap-client';

const DISCOVERY = '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
const CRM = '/MSCrmServices/2007/CrmService.asmx';

/**
 * What each hostile input must be refused as: HTTP status and a word of the fault text, at the
 * discovery service (CrmService answers with a fault too; its text is checked for the first kinds).
 */
const EXPECTED: Record<string, { status: number; says: RegExp }> = {
  'billion-laughs.xml': { status: 500, says: /DTD/ },
  'xxe-file-etc-passwd.xml': { status: 500, says: /DTD/ },
  'xxe-parameter-entity.xml': { status: 500, says: /DTD/ },
  'doctype-internal-entity.xml': { status: 500, says: /DTD/ },
  'doctype-in-soap12.xml': { status: 500, says: /DTD/ },
  // These three are replies, not requests: like ASMX, the emulator reads the XML (XmlReader allows a
  // processing instruction, honours a declared encoding and has no attribute cap) and refuses the operation.
  'processing-instruction-in-body.xml': { status: 500, says: /did not recognize the operation/ },
  'truncated-envelope.xml': { status: 400, says: /well-formed/ },
  'unclosed-cdata.xml': { status: 400, says: /well-formed/ },
  'named-html-entity-nbsp.xml': { status: 400, says: /well-formed/ },
  'invalid-character-reference.xml': { status: 400, says: /well-formed/ },
  'nul-byte.xml': { status: 400, says: /well-formed/ },
  'invalid-utf8.xml': { status: 400, says: /well-formed/ },
  'utf16-bom-mismatch.xml': { status: 400, says: /well-formed/ },
  'xml-declaration-wrong-encoding.xml': { status: 500, says: /did not recognize the operation/ },
  'duplicate-attribute.xml': { status: 400, says: /well-formed/ },
  'duplicate-namespaced-attribute.xml': { status: 400, says: /well-formed/ },
  'undeclared-prefix.xml': { status: 400, says: /well-formed/ },
  'html-login-page.xml': { status: 400, says: /HTML/ },
  'html-proxy-error-page.xml': { status: 400, says: /HTML/ },
  'huge-attribute-count.xml': { status: 500, says: /did not recognize the operation/ },
  'not-soap-device-add-response.xml': { status: 500, says: /not a SOAP envelope/ },
  'wrong-envelope-namespace.xml': { status: 500, says: /not a SOAP envelope|version|namespace/i },
  'deep-nesting-10000.xml': { status: 400, says: /nested|parsed/i },
  'envelope-without-body.xml': { status: 500, says: /Body/ },
  'header-after-body.xml': { status: 500, says: /Header|Body/ },
  'two-bodies.xml': { status: 500, says: /one Body/ },
  'body-with-two-payloads.xml': { status: 500, says: /Body|element/ },
  'mixed-soap-versions.xml': { status: 500, says: /Body|version|namespace/i },
  'two-crm-authentication-tokens.xml': { status: 500, says: /Server was unable|recognize|twice|token/i },
  'two-organization-names.xml': { status: 500, says: /OrganizationName|twice|more than once/i },
  'unknown-discovery-request.xml': { status: 500, says: /RetrieveClientPatchesRequest/ },
  'execute-type-foreign-namespace.xml': { status: 500, says: /recognize|type|namespace/i },
  'create-in-2006-namespace.xml': { status: 500, says: /recognize|Create|namespace/i },
};

describe.each(CORPORA)(
  '$label: hostile inputs are refused with a SOAP fault, never a crash or hang',
  ({ dir }) => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(async () => {
      await h.close();
    });

    const files = readdirSync(path.join(dir, 'hostile'))
      .filter((f) => f.endsWith('.xml'))
      .sort();

    it(
      dir === FIXTURES
        ? 'has an expectation for every hostile fixture, and a fixture for every expectation'
        : 'has an expectation for every hostile file',
      () => {
        if (dir === FIXTURES) expect(files).toEqual(Object.keys(EXPECTED).sort());
        else expect(files.filter((f) => !(f in EXPECTED))).toEqual([]);
      },
    );

    for (const file of files.filter((f) => f in EXPECTED)) {
      const expected = EXPECTED[file]!;
      for (const endpoint of [DISCOVERY, CRM]) {
        it(`refuses ${file} at ${endpoint.includes('Discovery') ? 'discovery' : 'CrmService'}`, async () => {
          // Sent as the file's bytes: invalid UTF-8 must reach the emulator as it is.
          const body = await fixtureBytes(`hostile/${file}`, dir);
          const res = await h.post(endpoint, body, endpoint === DISCOVERY ? DISCOVERY_ACTION : {});
          // A request that is well-formed SOAP for the other service is refused by its operation instead.
          expect(res.status === 400 || res.status === 500, `${res.status}`).toBe(true);
          if (endpoint === DISCOVERY) expect(res.status).toBe(expected.status);
          expect(res.body).toMatch(/<(soap|env):Fault>/);
          if (endpoint === DISCOVERY) expect(res.body).toMatch(expected.says);
          expect(res.body).not.toContain('root:');
        });
      }
    }

    it('refuses a hostile body at the STS with a Live fault', async () => {
      const res = await h.post('/RST2.srf', await fixture('hostile/xxe-file-etc-passwd.xml'), {
        'content-type': 'application/soap+xml',
      });
      expect(res.status).toBe(500);
      expect(res.body).toContain('<psf:code>0x80048820</psf:code>');
    });

    it('refuses a body over 2 MB with 413', async () => {
      const big = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>${'a'.repeat(2_200_000)}</x></soap:Body></soap:Envelope>`;
      const res = await h.post(DISCOVERY, big);
      expect(res.status).toBe(413);
    });

    it('refuses a body that is not XML with 400', async () => {
      const res = await h.post(CRM, 'hello');
      expect(res.status).toBe(400);
      expect(res.body).toContain('soap:Client');
    });

    it('keeps serving after all of that', async () => {
      const res = await h.post(
        DISCOVERY,
        await fixture('discovery/retrieve-policy-request.xml'),
        DISCOVERY_ACTION,
      );
      expect(textAt(parseReply(res.body), 'Envelope/Body/ExecuteResponse/Response/Policy')).toBe('MBI_SSL');
    });
  },
);
