import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, fixture, startHarness, type Harness } from './emulator-harness';
import { DISCOVERY_ACTION, parseReply, textAt } from './soap-client';

const DISCOVERY = '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
const CRM = '/MSCrmServices/2007/CrmService.asmx';

/** What each hostile input must be refused as: HTTP status and a word of the fault text. */
const EXPECTED: Record<string, { status: number; says: RegExp }> = {
  'billion-laughs.xml': { status: 500, says: /DTD/ },
  'xxe-file-etc-passwd.xml': { status: 500, says: /DTD/ },
  'doctype-internal-entity.xml': { status: 500, says: /DTD/ },
  'truncated-envelope.xml': { status: 400, says: /well-formed/ },
  'html-login-page.xml': { status: 400, says: /HTML/ },
  'not-soap-device-add-response.xml': { status: 500, says: /not a SOAP envelope/ },
  'deep-nesting-10000.xml': { status: 400, says: /nested|parsed/i },
  'unknown-discovery-request.xml': { status: 500, says: /RetrieveClientPatchesRequest/ },
  'two-bodies.xml': { status: 500, says: /one Body/ },
};

describe('hostile inputs are refused with a SOAP fault, never a crash or hang', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('has an expectation for every hostile fixture', async () => {
    const files = (await readdir(path.join(FIXTURES, 'hostile'))).filter((f) => f.endsWith('.xml'));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    for (const endpoint of [DISCOVERY, CRM]) {
      it(`refuses ${file} at ${endpoint.includes('Discovery') ? 'discovery' : 'CrmService'}`, async () => {
        const body = await fixture(`hostile/${file}`);
        const started = Date.now();
        const res = await h.post(endpoint, body, endpoint === DISCOVERY ? DISCOVERY_ACTION : {});
        expect(Date.now() - started).toBeLessThan(2000);
        // The unknown request type is a well-formed discovery call; CrmService refuses its body element.
        const status = file === 'unknown-discovery-request.xml' && endpoint === CRM ? 500 : expected.status;
        expect(res.status).toBe(status);
        expect(res.body).toMatch(/<soap:Fault>/);
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
    const res = await h.post(DISCOVERY, await fixture('discovery/retrieve-policy-request.xml'), DISCOVERY_ACTION);
    expect(textAt(parseReply(res.body), 'Envelope/Body/ExecuteResponse/Response/Policy')).toBe('MBI_SSL');
  });
});
