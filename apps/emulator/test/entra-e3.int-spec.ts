import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EntraHandler } from '../src/entra/entra.handler';
import { startHarness, type Harness } from './emulator-harness';
import {
  assertion,
  assertionClaims,
  clientCredentials,
  demoSigner,
  postTokenForm,
  type Signer,
} from './entra-requests';

/**
 * The token endpoint's refusal rules one by one (docs/protocol.md §13.1, §13.5): for each rule the input just
 * past it is refused with the OAuth error, the AADSTS code and the description the service gives, and the input
 * just inside it is served. The checks at an exact second run against the handler with a frozen clock.
 */

const sha1 = (pem: string) => createHash('sha1').update(new X509Certificate(pem).raw).digest('base64url');
const sha256 = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');

describe('the emulated identity platform: the token endpoint, rule by rule', () => {
  let h: Harness;
  let demo: Signer;
  let tokenUrl: string;
  let scope: string;

  /** The claims of a good assertion at `nowSec` (the real clock unless given); a claim `over` sets to undefined is removed. */
  const claims = (over?: Record<string, unknown>, nowSec?: number) => assertionClaims(h, over, nowSec);
  const grant = (clientAssertion: string, over: Record<string, string | undefined> = {}) =>
    clientCredentials(h, clientAssertion, over);
  const postToken = (fields: Record<string, string>) => postTokenForm(h, fields);
  /** The same request handed straight to a handler built without a scenario engine (as the emulator may build it). */
  const direct = async (fields: Record<string, string>) => {
    const handler = new EntraHandler(h.emu.entra.directory, () => h.emu.url);
    const req = Object.assign(Readable.from([Buffer.from(new URLSearchParams(fields).toString())]), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }) as unknown as IncomingMessage;
    const reply = await handler.handle(
      req,
      { kind: 'token', tenant: h.emu.entra.tenantId },
      new URL(tokenUrl),
    );
    return { status: reply.status, body: JSON.parse(String(reply.body)) as Record<string, unknown> };
  };
  /** status, error, the AADSTS code and the description's first line (after `AADSTSn: `). */
  const refusal = (r: { status: number; body: Record<string, unknown> }) => ({
    status: r.status,
    error: r.body['error'],
    codes: r.body['error_codes'],
    message: String(r.body['error_description'])
      .split('\r\n')[0]!
      .replace(/^AADSTS\d+: /, ''),
  });
  const registerOnApp = (pem: string) =>
    h.emu.entra.directory.app(h.emu.entra.clientId)!.certificatesPem.push(pem);

  beforeAll(async () => {
    h = await startHarness();
    demo = await demoSigner(h);
    tokenUrl = `${h.emu.url}/${h.emu.entra.tenantId}/oauth2/v2.0/token`;
    scope = `${h.emu.entra.environmentUrl}/.default`;
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.emu.entra.directory.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('the form', () => {
    it('refuses a grant type other than client_credentials with unsupported_grant_type, AADSTS70003, naming the grant', async () => {
      const r = await postToken(grant(assertion(demo, claims()), { grant_type: 'authorization_code' }));
      expect(refusal(r)).toEqual({
        status: 400,
        error: 'unsupported_grant_type',
        codes: [70003],
        message: "The app requested an unsupported grant type 'authorization_code'.",
      });
    });

    it("refuses an app not consented in the tenant with AADSTS700016 and the service's text naming the client id and the domain", async () => {
      h.emu.entra.directory.tenant(h.emu.entra.tenantId)!.consentedApps = [];
      const r = await postToken(grant(assertion(demo, claims())));
      expect(refusal(r)).toEqual({
        status: 400,
        error: 'unauthorized_client',
        codes: [700016],
        message: `Application with identifier '${h.emu.entra.clientId}' was not found in the directory '${h.emu.entra.tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      });
    });

    it('reads the scope as a whitespace-separated list: leading, trailing and repeated spaces add no scope', async () => {
      for (const s of [` ${scope}`, `${scope} `, `  ${scope}\t `]) {
        const r = await postToken(grant(assertion(demo, claims()), { scope: s }));
        expect(r.status).toBe(200);
      }
    });

    it('refuses two scopes even when both are /.default of the same environment: AADSTS70011 with the scope in the text', async () => {
      const two = `${scope} ${scope}`;
      const r = await postToken(grant(assertion(demo, claims()), { scope: two }));
      expect(refusal(r)).toEqual({
        status: 400,
        error: 'invalid_scope',
        codes: [70011],
        message: `The provided value for the input parameter 'scope' is not valid. The scope ${two} is not valid: client credential flows must have one scope value with /.default.`,
      });
    });

    it('refuses a scope for an environment outside the tenant with invalid_resource, AADSTS500011, naming the resource and the domain', async () => {
      const r = await postToken(
        grant(assertion(demo, claims()), { scope: 'https://Fabrikam.crm.dynamics.com/.default' }),
      );
      expect(refusal(r)).toEqual({
        status: 400,
        error: 'invalid_resource',
        codes: [500011],
        message: `The resource principal named https://fabrikam.crm.dynamics.com was not found in the tenant named ${h.emu.entra.tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      });
    });

    it.each([
      ['client_assertion_type is missing', { client_assertion_type: undefined }],
      [
        'client_assertion_type is not jwt-bearer',
        { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' },
      ],
      ['client_assertion is missing', { client_assertion: undefined }],
      ['client_assertion is empty', { client_assertion: '' }],
    ] as const)(
      'refuses with invalid_client, 401, AADSTS7000218 when %s, although the rest is good',
      async (_what, over) => {
        const r = await postToken(grant(assertion(demo, claims()), over));
        expect(refusal(r)).toEqual({
          status: 401,
          error: 'invalid_client',
          codes: [7000218],
          message:
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        });
      },
    );

    it('issues a token from a handler built without a scenario engine (no scenario is consulted)', async () => {
      const r = await direct(grant(assertion(demo, claims())));
      expect(r.status).toBe(200);
      expect(r.body['token_type']).toBe('Bearer');
    });
  });

  describe('the header and the certificate', () => {
    it("refuses an alg other than PS256 and RS256 with invalid_client, AADSTS50027, naming the alg, though the signature is RS256's", async () => {
      const r = await postToken(
        grant(assertion(demo, claims(), { alg: 'RS256', header: { alg: 'RS512' }, signAs: 'RS256' })),
      );
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [50027],
        message: "JWT token is invalid or malformed: unsupported alg 'RS512'.",
      });
    });

    it('ignores an x5t#S256 that is not a string: RS256 with a good x5t is served', async () => {
      for (const bad of [null, 42, { v: 1 }]) {
        const r = await postToken(
          grant(assertion(demo, claims(), { alg: 'RS256', header: { 'x5t#S256': bad } })),
        );
        expect(r.status).toBe(200);
      }
    });

    it('names the certificate by x5t#S256 when present: a wrong x5t#S256 is refused (AADSTS700027, naming it) even with a good x5t', async () => {
      const wrong = sha256((await h.emu.control.issueCertificate({ commonName: 'e3-other-s256' })).certPem);
      const r = await postToken(
        grant(
          assertion(demo, claims(), { alg: 'RS256', header: { x5t: sha1(demo.certPem), 'x5t#S256': wrong } }),
        ),
      );
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [700027],
        message: `Client assertion failed signature validation. Trace: the key was not found on application '${h.emu.entra.clientId}' (thumbprint ${wrong}).`,
      });
    });

    it('refuses an x5t naming no certificate of the app (AADSTS700027, naming it) although the key is the registered one', async () => {
      const wrong = sha1((await h.emu.control.issueCertificate({ commonName: 'e3-other-sha1' })).certPem);
      const r = await postToken(grant(assertion(demo, claims(), { alg: 'RS256', header: { x5t: wrong } })));
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [700027],
        message: `Client assertion failed signature validation. Trace: the key was not found on application '${h.emu.entra.clientId}' (thumbprint ${wrong}).`,
      });
    });

    it("refuses a header naming no certificate (no x5t#S256, x5t not a string) with AADSTS700027 and 'thumbprint none'", async () => {
      for (const x5t of [undefined, 42]) {
        const r = await postToken(grant(assertion(demo, claims(), { alg: 'RS256', header: { x5t } })));
        expect(refusal(r)).toEqual({
          status: 401,
          error: 'invalid_client',
          codes: [700027],
          message: `Client assertion failed signature validation. Trace: the key was not found on application '${h.emu.entra.clientId}' (thumbprint none).`,
        });
      }
    });

    it('refuses a signature made with another key than the named certificate: invalid_client, AADSTS7000274', async () => {
      const other = await h.emu.control.issueCertificate({ commonName: 'e3-other-key' });
      const r = await postToken(
        grant(assertion(other, claims(), { header: { 'x5t#S256': sha256(demo.certPem) } })),
      );
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [7000274],
        message: 'Client assertion contains an invalid signature.',
      });
    });

    it('refuses a registered certificate that is not yet valid: invalid_client, AADSTS1000502, with its validity in the text', async () => {
      const future = await h.emu.control.issueCertificate({
        commonName: 'e3-future-cert',
        notBefore: new Date(Date.now() + 86_400_000).toISOString(),
        notAfter: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      });
      registerOnApp(future.certPem);
      const cert = new X509Certificate(future.certPem);
      const r = await postToken(grant(assertion(future, claims())));
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [1000502],
        message: `The provided client certificate is expired or not yet valid (valid ${cert.validFrom} to ${cert.validTo}).`,
      });
    });

    it('accepts a certificate at the first and at the last instant of its validity', async () => {
      const c = await h.emu.control.issueCertificate({
        commonName: 'e3-boundary-cert',
        notBefore: new Date(Date.now() + 86_400_000).toISOString(),
        notAfter: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      });
      registerOnApp(c.certPem);
      const cert = new X509Certificate(c.certPem);
      vi.useFakeTimers({ toFake: ['Date'] });
      for (const instant of [Date.parse(cert.validFrom), Date.parse(cert.validTo)]) {
        vi.setSystemTime(instant);
        const r = await direct(grant(assertion(c, claims({}, Math.floor(instant / 1000)))));
        expect(r.status).toBe(200);
      }
    });
  });

  describe('the claims', () => {
    it.each([
      ['a number', 42],
      ['an array naming another endpoint', ['https://elsewhere.example/common/oauth2/v2.0/token']],
    ])('refuses an aud that is %s with invalid_client, AADSTS700023, quoting it', async (_what, aud) => {
      const r = await postToken(grant(assertion(demo, claims({ aud }))));
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [700023],
        message: `Client assertion audience claim does not match the token endpoint (aud '${String(aud)}').`,
      });
    });

    it('refuses a sub that is not the client id although iss is: invalid_client, AADSTS700021', async () => {
      const r = await postToken(grant(assertion(demo, claims({ sub: randomUUID() }))));
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [700021],
        message:
          "Client assertion application identifier doesn't match 'client_id' parameter (iss and sub must both be the client id).",
      });
    });

    it.each([
      ['exp is missing', { exp: undefined }],
      ['exp is a string', { exp: 'soon' }],
      ['nbf is a string', { nbf: 'now' }],
    ] as const)('refuses with invalid_client, AADSTS50027 when %s', async (_what, over) => {
      const r = await postToken(grant(assertion(demo, claims(over))));
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [50027],
        message: 'JWT token is invalid or malformed: exp and nbf must be numbers.',
      });
    });

    it('serves an assertion without nbf: its range starts at iat', async () => {
      const r = await postToken(grant(assertion(demo, claims({ nbf: undefined }))));
      expect(r.status).toBe(200);
    });

    it('without nbf, refuses (AADSTS700024) an assertion whose iat is more than 600 s before its exp', async () => {
      const now = Math.floor(Date.now() / 1000);
      const r = await postToken(
        grant(assertion(demo, claims({ nbf: undefined, iat: now - 700, exp: now + 60 }))),
      );
      expect(r.body['error_codes']).toEqual([700024]);
    });

    it('without nbf and iat, takes the range as the 600 s before exp: exp 60 s ahead is served, exp an hour ahead refused (AADSTS700024)', async () => {
      const now = Math.floor(Date.now() / 1000);
      const near = await postToken(
        grant(assertion(demo, claims({ nbf: undefined, iat: undefined, exp: now + 60 }))),
      );
      expect(near.status).toBe(200);
      const far = await postToken(
        grant(assertion(demo, claims({ nbf: undefined, iat: undefined, exp: now + 3600 }))),
      );
      expect(far.body['error_codes']).toEqual([700024]);
    });

    it('refuses an nbf beyond the 300 s skew (AADSTS700024), stating the current time, the start and the expiry', async () => {
      const nowSec = Math.floor(Date.now() / 1000);
      const iso = (sec: number) => new Date(sec * 1000).toISOString();
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(nowSec * 1000);
      const r = await direct(
        grant(assertion(demo, claims({ nbf: nowSec + 1000, iat: nowSec, exp: nowSec + 1500 }, nowSec))),
      );
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [700024],
        message: `Client assertion is not within its valid time range. Current time: ${iso(nowSec)}, assertion valid from ${iso(nowSec + 1000)}, expiry time of assertion ${iso(nowSec + 1500)}.`,
      });
    });

    it('applies the 300 s skew to the second: nbf exactly 300 s ahead is served, exp exactly 300 s past is refused (AADSTS700024)', async () => {
      const nowSec = Math.floor(Date.now() / 1000);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(nowSec * 1000);
      const ahead = await direct(
        grant(assertion(demo, claims({ nbf: nowSec + 300, iat: nowSec, exp: nowSec + 900 }, nowSec))),
      );
      expect(ahead.status).toBe(200);
      const past = await direct(
        grant(assertion(demo, claims({ nbf: nowSec - 600, iat: nowSec - 600, exp: nowSec - 300 }, nowSec))),
      );
      expect(past.body['error_codes']).toEqual([700024]);
    });

    it.each([
      ['missing', { jti: undefined }],
      ['empty', { jti: '' }],
      ['not a string', { jti: 42 }],
    ] as const)('refuses a jti that is %s with invalid_client, AADSTS50027', async (_what, over) => {
      const r = await postToken(grant(assertion(demo, claims(over))));
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [50027],
        message: 'JWT token is invalid or malformed: jti is required.',
      });
    });

    it('refuses a jti already used in another assertion with invalid_client, AADSTS50027, naming the jti', async () => {
      const c = claims();
      expect((await postToken(grant(assertion(demo, c)))).status).toBe(200);
      const r = await postToken(grant(assertion(demo, { ...c, iat: Number(c['iat']) + 1 })));
      expect(refusal(r)).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [50027],
        message: `JWT token is invalid or malformed: the jti '${String(c['jti'])}' was already used by another assertion.`,
      });
    });
  });
});
