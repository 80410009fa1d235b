import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './emulator-harness';
import {
  assertion,
  assertionClaims,
  clientCredentials,
  demoSigner,
  sendText,
  type Signer,
  type TextReply,
} from './entra-requests';

/**
 * The identity platform's token endpoint and admin-consent page at their edges (docs/protocol.md §13.1, §13.5):
 * the JSON replies' caching header, a form of exactly the size limit, a well-formed token request sent under
 * another content type, client assertions whose segments carry characters outside base64url although they are
 * otherwise valid and correctly signed, and which admin-consent refusals close their connection.
 */
describe('the emulated identity platform: form limits, content type, assertion segments, consent connections', () => {
  let h: Harness;
  let demo: Signer;

  const send = (method: 'GET' | 'POST', path: string, body?: string, contentType?: string, via?: Agent) =>
    sendText(h, method, path, body, contentType, via);
  const tokenPath = () => `/${h.emu.entra.tenantId}/oauth2/v2.0/token`;
  const consentPath = () => `/${h.emu.entra.tenantId}/adminconsent`;
  /** The error body's status, OAuth error, AADSTS codes, and first line of `error_description`. */
  const refusal = (r: TextReply) => {
    const body = JSON.parse(r.text) as Record<string, unknown>;
    return {
      status: r.status,
      error: body['error'],
      codes: body['error_codes'],
      line: String(body['error_description']).split('\r\n')[0],
    };
  };
  const grant = (clientAssertion: string, over: Record<string, string> = {}) =>
    new URLSearchParams(clientCredentials(h, clientAssertion, over)).toString();
  /** A good assertion's claims, without iat. */
  const goodClaims = () => assertionClaims(h, { iat: undefined });
  /** A correctly signed assertion of the demo app (PS256, x5t#S256), accepted as it stands. */
  const goodAssertion = () => assertion(demo, goodClaims());
  const malformed = {
    status: 401,
    error: 'invalid_client',
    codes: [50027],
    line: 'AADSTS50027: JWT token is invalid or malformed.',
  };

  beforeAll(async () => {
    h = await startHarness();
    demo = await demoSigner(h);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.emu.entra.directory.reset();
  });

  describe('JSON replies', () => {
    it('answers a token and a refusal with Cache-Control: no-store, no-cache', async () => {
      const ok = await send('POST', tokenPath(), grant(goodAssertion()));
      const refused = await send(
        'POST',
        '/nowhere.onmicrosoft.com/oauth2/v2.0/token',
        grant(goodAssertion()),
      );
      expect([ok.status, refused.status]).toEqual([200, 400]);
      for (const r of [ok, refused]) {
        expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(r.headers['cache-control']).toBe('no-store, no-cache');
      }
    });
  });

  describe('the form', () => {
    /** A good token request padded with an extra field to exactly `bytes` bytes. */
    const padded = (bytes: number): string => {
      const body = `${grant(goodAssertion())}&pad=`;
      return body + 'x'.repeat(bytes - Buffer.byteLength(body));
    };

    it('accepts a token request whose form is exactly 64 KiB (65,536 bytes), the limit itself', async () => {
      const body = padded(64 * 1024);
      expect(Buffer.byteLength(body)).toBe(65_536);
      const r = await send('POST', tokenPath(), body);
      expect(r.status).toBe(200);
    });

    it('refuses the same request one byte over the limit (65,537 bytes) with AADSTS90033', async () => {
      const own = new Agent({ connect: { ca: h.emu.caCertPem } });
      try {
        const r = refusal(await send('POST', tokenPath(), padded(64 * 1024 + 1), undefined, own));
        expect({ status: r.status, error: r.error, codes: r.codes }).toEqual({
          status: 400,
          error: 'invalid_request',
          codes: [90033],
        });
      } finally {
        await own.destroy();
      }
    });

    it.each(['text/plain; charset=utf-8', 'application/json', 'multipart/form-data; boundary=x'])(
      'refuses a complete, correctly signed token request sent as %s with invalid_request, AADSTS900144 (form-encoded only)',
      async (contentType) => {
        const r = refusal(await send('POST', tokenPath(), grant(goodAssertion()), contentType));
        expect({ status: r.status, error: r.error, codes: r.codes, line: r.line }).toEqual({
          status: 400,
          error: 'invalid_request',
          codes: [900144],
          line: "AADSTS900144: The request body must be form-encoded ('application/x-www-form-urlencoded').",
        });
      },
    );

    it('accepts the form-encoded content type in any case and with a charset parameter', async () => {
      const r = await send(
        'POST',
        tokenPath(),
        grant(goodAssertion()),
        'Application/X-WWW-Form-Urlencoded; charset=UTF-8',
      );
      expect(r.status).toBe(200);
    });
  });

  describe('client assertion segments (base64url only, exactly three)', () => {
    it('accepts the hand-built assertion of these tests as it stands (200)', async () => {
      expect((await send('POST', tokenPath(), grant(goodAssertion()))).status).toBe(200);
    });

    it.each([
      ['whose signature carries base64 padding (=)', (jwt: string) => `${jwt}=`],
      ['whose signature carries base64 padding (==)', (jwt: string) => `${jwt}==`],
      ['whose signature ends in a character outside base64url (!)', (jwt: string) => `${jwt}!`],
      [
        'whose signature starts with a character outside base64url (~)',
        (jwt: string) => jwt.replace(/\.([^.]+)$/, '.~$1'),
      ],
      [
        'whose signature carries a character outside base64url in its middle (*)',
        (jwt: string) => jwt.replace(/\.([^.]{10})([^.]+)$/, '.$1*$2'),
      ],
    ])(
      'refuses a correctly signed assertion %s: 401 invalid_client, AADSTS50027 (Node would decode it to the same bytes)',
      async (_what, spoil) => {
        const r = refusal(await send('POST', tokenPath(), grant(spoil(goodAssertion()))));
        expect(r).toEqual(malformed);
      },
    );

    it.each([
      ['header segment starts with', (s: string) => `!${s}`, 0],
      ['header segment ends with', (s: string) => `${s}!`, 0],
      ['claims segment starts with', (s: string) => `~${s}`, 1],
      ['claims segment ends with', (s: string) => `${s}~`, 1],
    ] as const)(
      'refuses an assertion whose %s a character outside base64url, signed as it stands: 401 invalid_client, AADSTS50027',
      async (_what, spoil, which) => {
        const jwt = assertion(demo, goodClaims(), {
          respell: (segment, at) => (at === which ? spoil(segment) : segment),
        });
        const r = refusal(await send('POST', tokenPath(), grant(jwt)));
        expect(r).toEqual(malformed);
      },
    );

    it('refuses a correctly signed assertion followed by a fourth base64url segment: 401 invalid_client, AADSTS50027', async () => {
      const r = refusal(await send('POST', tokenPath(), grant(`${goodAssertion()}.AAAA`)));
      expect(r).toEqual(malformed);
    });

    it('refuses an assertion of two segments (no signature): 401 invalid_client, AADSTS50027', async () => {
      const jwt = goodAssertion().split('.').slice(0, 2).join('.');
      const r = refusal(await send('POST', tokenPath(), grant(jwt)));
      expect(r).toEqual(malformed);
    });
  });

  describe('admin consent: which refusals close the connection', () => {
    it('answers a consent form over the size limit with the 400 error page, AADSTS90033, and Connection: close', async () => {
      const own = new Agent({ connect: { ca: h.emu.caCertPem } });
      try {
        const body = new URLSearchParams({
          client_id: h.emu.entra.clientId,
          redirect_uri: 'https://isv.example/consent',
          consent: 'accept',
          pad: 'x'.repeat(70_000),
        }).toString();
        const r = await send('POST', consentPath(), body, undefined, own);
        expect(r.status).toBe(400);
        expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(r.text).toContain('AADSTS90033');
        expect(r.headers['connection']).toBe('close');
      } finally {
        await own.destroy();
      }
    });

    it('keeps the connection open after a consent refusal whose form was read to its end (no Connection: close)', async () => {
      const posted = await send(
        'POST',
        consentPath(),
        new URLSearchParams({
          client_id: h.emu.entra.clientId,
          redirect_uri: 'https://isv.example/consent',
          consent: 'maybe',
        }).toString(),
      );
      const got = await send(
        'GET',
        `/nowhere.onmicrosoft.com/adminconsent?client_id=${h.emu.entra.clientId}`,
      );
      expect([posted.status, got.status]).toEqual([400, 400]);
      expect(posted.text).toContain('AADSTS900144');
      expect(got.text).toContain('AADSTS90002');
      for (const r of [posted, got]) expect(r.headers['connection']).not.toBe('close');
    });
  });
});
