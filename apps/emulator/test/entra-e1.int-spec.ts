import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './emulator-harness';
import {
  assertionClaims,
  assertionHeader,
  clientCredentials,
  demoSigner,
  sendText,
  signJwt,
  type Signer,
  type TextReply,
} from './entra-requests';

/**
 * The identity platform's refusals before and while it reads a client assertion, and its HTML pages' headers
 * (docs/protocol.md §13.1, §13.5): each answers with the service's error body, the AADSTS code and the OAuth
 * error the service pairs with it.
 */
describe('the emulated identity platform: request refusals and malformed assertions', () => {
  let h: Harness;
  let demo: Signer;
  let tokenUrl: string;

  const send = (method: 'GET' | 'POST', path: string, body?: string, contentType?: string, via?: Agent) =>
    sendText(h, method, path, body, contentType, via);
  /** The error body's fields, and the first line of `error_description` (the `AADSTSn: message` line). */
  const refusal = (r: TextReply) => {
    const body = JSON.parse(r.text) as Record<string, unknown>;
    return {
      status: r.status,
      error: body['error'],
      codes: body['error_codes'],
      line: String(body['error_description']).split('\r\n')[0],
      body,
    };
  };
  const tokenPath = () => `/${h.emu.entra.tenantId}/oauth2/v2.0/token`;
  const grant = (clientAssertion: string, over: Record<string, string> = {}) =>
    new URLSearchParams(clientCredentials(h, clientAssertion, over)).toString();
  /** A JWT of the given header and claims JSON texts, signed PS256 with the demo certificate's key. */
  const signedJwt = (headerJson: string, claimsJson: string): string => signJwt(demo, headerJson, claimsJson);
  const goodHeader = () => JSON.stringify(assertionHeader(demo));
  /** A good assertion's claims, without iat. */
  const goodClaims = () => JSON.stringify(assertionClaims(h, { iat: undefined }));

  beforeAll(async () => {
    h = await startHarness();
    demo = await demoSigner(h);
    tokenUrl = `${h.emu.url}${tokenPath()}`;
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.emu.entra.directory.reset();
  });

  it('the hand-built assertion of these tests is accepted as it stands (200 with a token)', async () => {
    const r = await send('POST', tokenPath(), grant(signedJwt(goodHeader(), goodClaims())));
    expect(r.status).toBe(200);
    expect(tokenUrl).toBe(`${h.emu.url}/${h.emu.entra.tenantId}/oauth2/v2.0/token`);
  });

  it('names the error page of the code in error_uri: <login host>/error?code=<AADSTS>', async () => {
    const r = refusal(await send('POST', '/nowhere.onmicrosoft.com/oauth2/v2.0/token', 'grant_type=x'));
    expect(r.codes).toEqual([90002]);
    expect(r.body['error_uri']).toBe(`${h.emu.url}/error?code=90002`);
  });

  it('answers a tenant whose percent-encoding is broken as an unknown tenant: 400 invalid_request, AADSTS90002', async () => {
    for (const [method, path] of [
      ['GET', '/%ZZ/v2.0/.well-known/openid-configuration'],
      ['POST', '/%E0%A4%A/oauth2/v2.0/token'],
    ] as const) {
      const r = refusal(
        await send(method, path, method === 'POST' ? 'grant_type=client_credentials' : undefined),
      );
      expect({ path, status: r.status, error: r.error, codes: r.codes }).toEqual({
        path,
        status: 400,
        error: 'invalid_request',
        codes: [90002],
      });
    }
  });

  it('refuses a form over the size limit with invalid_request and an AADSTS90033 description that says why', async () => {
    // Its own connection: a body the emulator stops reading may leave that connection unusable.
    const own = new Agent({ connect: { ca: h.emu.caCertPem } });
    let reply: TextReply;
    try {
      reply = await send('POST', tokenPath(), `scope=${'x'.repeat(70_000)}`, undefined, own);
    } finally {
      await own.destroy();
    }
    const r = refusal(reply);
    expect({ status: r.status, error: r.error, codes: r.codes }).toEqual({
      status: 400,
      error: 'invalid_request',
      codes: [90033],
    });
    expect(r.line).toMatch(/^AADSTS90033: \S/);
  });

  it('refuses a body that is not form-encoded with invalid_request, AADSTS900144, and says why', async () => {
    const r = refusal(
      await send('POST', tokenPath(), '{"grant_type":"client_credentials"}', 'application/json'),
    );
    expect({ status: r.status, error: r.error, codes: r.codes }).toEqual({
      status: 400,
      error: 'invalid_request',
      codes: [900144],
    });
    expect(r.line).toMatch(/^AADSTS900144: \S/);
  });

  it('refuses a form without grant_type: invalid_request, "AADSTS900144: The request body must contain the following parameter: \'grant_type\'."', async () => {
    const r = refusal(await send('POST', tokenPath(), `client_id=${h.emu.entra.clientId}`));
    expect({ status: r.status, error: r.error, codes: r.codes, line: r.line }).toEqual({
      status: 400,
      error: 'invalid_request',
      codes: [900144],
      line: "AADSTS900144: The request body must contain the following parameter: 'grant_type'.",
    });
  });

  it('refuses a GET of the token endpoint: invalid_request, "AADSTS900561: The endpoint only accepts POST requests."', async () => {
    const r = refusal(await send('GET', tokenPath()));
    expect({ status: r.status, error: r.error, codes: r.codes }).toEqual({
      status: 400,
      error: 'invalid_request',
      codes: [900561],
    });
    expect(r.line).toMatch(/^AADSTS900561: The endpoint only accepts POST requests\./);
  });

  it('refuses a POST to openid-configuration or instance discovery: invalid_request, AADSTS900561 (GET only)', async () => {
    for (const path of [
      `/${h.emu.entra.tenantId}/v2.0/.well-known/openid-configuration`,
      '/common/discovery/instance',
    ]) {
      const r = refusal(await send('POST', path, 'a=b'));
      expect({ path, status: r.status, error: r.error, codes: r.codes }).toEqual({
        path,
        status: 400,
        error: 'invalid_request',
        codes: [900561],
      });
      expect(r.line).toMatch(/^AADSTS900561: The endpoint only accepts GET requests\./);
    }
  });

  it.each([
    ['is not three base64url parts', 'not-a-jwt'],
    ['has parts that are not JSON', 'abc.def.ghi'],
    ['has a header that is JSON null', 'null'],
    ['has a header that is a JSON number', '1'],
    ['has claims that are JSON null', 'claims:null'],
    ['has claims that are a JSON number, although signed by the registered certificate', 'claims:1'],
  ])(
    'refuses an assertion that %s: 401 invalid_client, "AADSTS50027: JWT token is invalid or malformed."',
    async (_what, shape) => {
      const jwt =
        shape === 'not-a-jwt' || shape === 'abc.def.ghi'
          ? shape
          : shape.startsWith('claims:')
            ? signedJwt(goodHeader(), shape.slice('claims:'.length))
            : signedJwt(shape, goodClaims());
      const r = refusal(await send('POST', tokenPath(), grant(jwt)));
      expect({ status: r.status, error: r.error, codes: r.codes, line: r.line }).toEqual({
        status: 401,
        error: 'invalid_client',
        codes: [50027],
        line: 'AADSTS50027: JWT token is invalid or malformed.',
      });
    },
  );

  it('serves the consent page and its error page uncached and unframeable (Cache-Control: no-store, no-cache; X-Frame-Options: DENY)', async () => {
    const consentPath = `/${h.emu.entra.tenantId}/adminconsent?${new URLSearchParams({
      client_id: h.emu.entra.clientId,
      redirect_uri: 'https://isv.example/consent',
    }).toString()}`;
    const page = await send('GET', consentPath);
    const error = await send(
      'GET',
      `/nowhere.onmicrosoft.com/adminconsent?client_id=${h.emu.entra.clientId}`,
    );
    expect([page.status, error.status]).toEqual([200, 400]);
    for (const r of [page, error]) {
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['cache-control']).toBe('no-store, no-cache');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('gives the admin-consent error page a non-empty <title> (HTML requires one) and the AADSTS code', async () => {
    const r = await send('GET', `/nowhere.onmicrosoft.com/adminconsent?client_id=${h.emu.entra.clientId}`);
    expect(r.status).toBe(400);
    expect(/<title>([^<]*)<\/title>/.exec(r.text)?.[1]?.trim()).toBeTruthy();
    expect(r.text).toContain('AADSTS90002');
  });
});
