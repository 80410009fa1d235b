import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './emulator-harness';
import { demoMsalApp } from './entra-clients';
import {
  assertion,
  assertionClaims,
  clientCredentials,
  demoSigner,
  postTokenForm,
  type Signer,
} from './entra-requests';

/**
 * The identity platform's token endpoint (client credentials with a certificate), checked with msal-node, an
 * off-the-shelf client nobody here wrote, and with assertions built by hand for each refusal. The emulator
 * must answer as the service does (docs/protocol.md §13.1).
 */

describe('the emulated identity platform: client credentials with a certificate', () => {
  let h: Harness;
  let demo: Signer;
  let tokenUrl: string;
  let scope: string;
  let claims: () => Record<string, unknown>;

  const postToken = (fields: Record<string, string>, tenant?: string) => postTokenForm(h, fields, tenant);
  const grant = (clientAssertion: string, over: Record<string, string> = {}) =>
    clientCredentials(h, clientAssertion, over);

  beforeAll(async () => {
    h = await startHarness();
    demo = await demoSigner(h);
    tokenUrl = `${h.emu.url}/${h.emu.entra.tenantId}/oauth2/v2.0/token`;
    scope = `${h.emu.entra.environmentUrl}/.default`;
    claims = () => assertionClaims(h);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.emu.entra.directory.reset();
  });

  it('gives msal-node a token for the environment with the demo certificate (PS256, x5t#S256), by tenant id and by domain', async () => {
    for (const tenant of [h.emu.entra.tenantId, h.emu.entra.tenantDomain]) {
      const app = await demoMsalApp(h, tenant);
      const result = await app.acquireTokenByClientCredential({ scopes: [scope] });
      expect(result?.tokenType).toBe('Bearer');
      const grantSeen = h.emu.entra.directory.token(result!.accessToken, Date.now());
      expect(grantSeen).toMatchObject({
        tenantId: h.emu.entra.tenantId,
        clientId: h.emu.entra.clientId,
        resource: h.emu.entra.environmentUrl.toLowerCase(),
      });
      // Lifetime 60–90 minutes, as the service gives (docs/protocol.md §13.1).
      const lifetimeSec = (result!.expiresOn!.getTime() - Date.now()) / 1000;
      expect(lifetimeSec).toBeGreaterThan(3590);
      expect(lifetimeSec).toBeLessThanOrEqual(5400);
    }
  });

  it('answers a good assertion with token_type, expires_in, ext_expires_in and an opaque access_token, also in the older RS256 + x5t form', async () => {
    for (const alg of ['PS256', 'RS256'] as const) {
      const r = await postToken(grant(assertion(demo, claims(), { alg })));
      expect(r.status).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual([
        'access_token',
        'expires_in',
        'ext_expires_in',
        'token_type',
      ]);
      expect(r.body['token_type']).toBe('Bearer');
      expect(typeof r.body['access_token']).toBe('string');
    }
  });

  it("refuses with the service's error body: error, 'AADSTSn: …' with trace and correlation lines, error_codes, timestamp, ids", async () => {
    const r = await postToken(grant(assertion(demo, claims())), 'nowhere.onmicrosoft.com');
    expect(r.status).toBe(400);
    expect(r.body['error']).toBe('invalid_request');
    expect(r.body['error_codes']).toEqual([90002]);
    const description = String(r.body['error_description']);
    expect(description).toMatch(/^AADSTS90002: Tenant 'nowhere\.onmicrosoft\.com' not found\./);
    expect(description).toContain(`\r\nTrace ID: ${String(r.body['trace_id'])}`);
    expect(description).toContain(`\r\nCorrelation ID: ${String(r.body['correlation_id'])}`);
    expect(String(r.body['timestamp'])).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it.each([
    ['the app is not consented in the tenant', 700016, 'unauthorized_client', 400],
    ['the certificate is not registered on the app', 700027, 'invalid_client', 401],
    ['the signature does not verify', 7000274, 'invalid_client', 401],
    ['the assertion has expired', 700024, 'invalid_client', 401],
    ['the assertion lives longer than 10 minutes', 700024, 'invalid_client', 401],
    ['the scope names an environment outside the tenant', 500011, 'invalid_resource', 400],
    ['the scope is not one /.default', 70011, 'invalid_scope', 400],
    ['aud is not the token endpoint', 700023, 'invalid_client', 401],
    ['iss is not the client id', 700021, 'invalid_client', 401],
  ] as const)('refuses when %s: AADSTS%i', async (what, code, error, status) => {
    const c = claims();
    let fields = grant(assertion(demo, c));
    if (what.startsWith('the app is not consented')) {
      h.emu.entra.directory.tenant(h.emu.entra.tenantId)!.consentedApps = [];
    } else if (what.startsWith('the certificate is not registered')) {
      const other = await h.emu.control.issueCertificate({ commonName: 'not-on-the-app' });
      fields = grant(assertion(other, c));
    } else if (what.startsWith('the signature')) {
      fields = grant(assertion(demo, c, { tamper: true }));
    } else if (what.startsWith('the assertion has expired')) {
      fields = grant(assertion(demo, { ...c, nbf: Number(c['nbf']) - 3600, exp: Number(c['nbf']) - 3000 }));
    } else if (what.startsWith('the assertion lives longer')) {
      fields = grant(assertion(demo, { ...c, exp: Number(c['nbf']) + 601 }));
    } else if (what.startsWith('the scope names')) {
      fields = grant(assertion(demo, c), { scope: 'https://fabrikam.crm.dynamics.com/.default' });
    } else if (what.startsWith('the scope is not')) {
      fields = grant(assertion(demo, c), { scope: `${h.emu.entra.environmentUrl}/user_impersonation` });
    } else if (what.startsWith('aud')) {
      fields = grant(assertion(demo, { ...c, aud: `${h.emu.url}/common/oauth2/v2.0/token` }));
    } else if (what.startsWith('iss')) {
      fields = grant(assertion(demo, { ...c, iss: randomUUID() }));
    }
    const r = await postToken(fields);
    expect({ status: r.status, error: r.body['error'], codes: r.body['error_codes'] }).toEqual({
      status,
      error,
      codes: [code],
    });
  });

  it('refuses a certificate outside its validity although it is registered on the app: AADSTS1000502', async () => {
    const expired = await h.emu.control.issueCertificate({
      commonName: 'expired-app-cert',
      notBefore: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      notAfter: new Date(Date.now() - 86_400_000).toISOString(),
    });
    h.emu.entra.directory.app(h.emu.entra.clientId)!.certificatesPem.push(expired.certPem);
    const r = await postToken(grant(assertion(expired, claims())));
    expect(r.body['error_codes']).toEqual([1000502]);
  });

  it('accepts the same assertion sent again (msal-node reuses it) but refuses its jti in another assertion', async () => {
    const c = claims();
    const first = assertion(demo, c);
    expect((await postToken(grant(first))).status).toBe(200);
    expect((await postToken(grant(first))).status).toBe(200);
    const replay = await postToken(grant(assertion(demo, { ...c, iat: Number(c['iat']) + 1 })));
    expect(replay.status).toBe(401);
    expect(replay.body['error_codes']).toEqual([50027]);
  });

  it('keeps refusing a reused jti while the first assertion is still acceptable within the clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Expired 100 s ago, still inside the 300 s skew: accepted, and its jti stays taken.
    const c = { ...claims(), nbf: now - 400, iat: now - 400, exp: now - 100 };
    expect((await postToken(grant(assertion(demo, c)))).status).toBe(200);
    const replay = await postToken(grant(assertion(demo, { ...c, iat: c.iat + 1 })));
    expect(replay.body['error_codes']).toEqual([50027]);
  });

  it('answers the next request after refusing a form over the size limit, closing the connection it did not read to its end', async () => {
    const { Agent } = await import('undici');
    // One connection, and a form far over the limit (most of it never read): without Connection: close the next
    // request would wait on that connection until the headers timeout.
    const one = new Agent({ connect: { ca: h.emu.caCertPem }, connections: 1, headersTimeout: 10_000 });
    const post = async (body: string) => {
      const res = await request(tokenUrl, {
        method: 'POST',
        dispatcher: one,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      return {
        status: res.statusCode,
        connection: res.headers['connection'],
        body: (await res.body.json()) as Record<string, unknown>,
      };
    };
    try {
      const big = await post(`scope=${'x'.repeat(400_000)}`);
      expect(big.body['error_codes']).toEqual([90033]);
      expect(big.connection).toBe('close');
      const next = await post(new URLSearchParams(grant(assertion(demo, claims()))).toString());
      expect(next.status).toBe(200);
    } finally {
      await one.close();
    }
  });

  it('serves openid-configuration naming its token endpoint by tenant id, and 90002 for an unknown tenant', async () => {
    const ok = await h.get(`/${h.emu.entra.tenantDomain}/v2.0/.well-known/openid-configuration`);
    expect(ok.status).toBe(200);
    const doc = JSON.parse(ok.body) as Record<string, string>;
    expect(doc['token_endpoint']).toBe(tokenUrl);
    expect(doc['issuer']).toBe(`${h.emu.url}/${h.emu.entra.tenantId}/v2.0`);
    const unknown = await h.get('/nowhere.onmicrosoft.com/v2.0/.well-known/openid-configuration');
    expect(unknown.status).toBe(400);
    expect((JSON.parse(unknown.body) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });

  it('answers instance discovery with this host as the preferred network and cache alias', async () => {
    const auth = encodeURIComponent(`${h.emu.url}/${h.emu.entra.tenantId}/oauth2/v2.0/authorize`);
    const r = await h.get(`/common/discovery/instance?api-version=1.1&authorization_endpoint=${auth}`);
    const body = JSON.parse(r.body) as {
      tenant_discovery_endpoint: string;
      metadata: { aliases: string[] }[];
    };
    expect(body.tenant_discovery_endpoint).toBe(
      `${h.emu.url}/${h.emu.entra.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(body.metadata[0]!.aliases).toEqual([new URL(h.emu.url).host]);
  });

  it('forgets consent changes and issued tokens on a control reset', async () => {
    h.emu.entra.directory.tenant(h.emu.entra.tenantId)!.consentedApps = [];
    await h.control('POST', '/reset', {});
    expect((await postToken(grant(assertion(demo, claims())))).status).toBe(200);
  });
});
