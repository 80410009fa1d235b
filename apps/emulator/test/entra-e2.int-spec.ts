import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ENTRA } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { adminConsent } from './entra-requests';

/**
 * The identity platform's admin-consent endpoint, openid-configuration and instance discovery, rule by rule
 * (docs/protocol.md §13.2, §13.5): the refusals as error pages naming the AADSTS code and the service's text,
 * the redirect's query, the consent page's form, and the two metadata documents msal reads.
 */
describe('the emulated identity platform: consent page, redirects, openid-configuration and instance discovery', () => {
  let h: Harness;
  const redirectUri = 'https://isv.example/onboarding/consent';

  const send = (
    method: string,
    tenant: string,
    query: Record<string, string>,
    form?: Record<string, string>,
  ) => adminConsent(h, method, tenant, query, form);
  const get = (query: Record<string, string>) => send('GET', DEMO_ENTRA.tenantId, query);
  const post = (form: Record<string, string>) => send('POST', DEMO_ENTRA.tenantId, {}, form);
  const unescape = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  /** The error page's `AADSTSnnnn: message` line, unescaped. */
  const errorLine = (page: string) => {
    const m = /<p id="error">([^<]*)<\/p>/.exec(page);
    return m ? unescape(m[1]!) : undefined;
  };
  const tenantOf = () => h.emu.entra.directory.tenant(DEMO_ENTRA.tenantId)!;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.emu.entra.directory.reset();
    h.emu.entra.directory.revokeConsent(tenantOf(), DEMO_ENTRA.clientId);
  });

  describe('admin consent', () => {
    it.each(['PUT', 'DELETE', 'PATCH'])(
      'answers %s with a 400 error page AADSTS900561 naming GET and POST as the accepted methods',
      async (method) => {
        const r = await send(method, DEMO_ENTRA.tenantId, {
          client_id: DEMO_ENTRA.clientId,
          redirect_uri: redirectUri,
        });
        expect(r.status).toBe(400);
        expect(r.headers['location']).toBeUndefined();
        expect(errorLine(r.body)).toBe('AADSTS900561: The endpoint only accepts GET and POST requests.');
        expect(h.emu.entra.directory.isConsented(tenantOf(), DEMO_ENTRA.clientId)).toBe(false);
      },
    );

    it("answers an unknown app with AADSTS700016 and the service's text naming the client id and the tenant's domain", async () => {
      const clientId = '11111111-2222-4333-8444-555555555555';
      const r = await get({ client_id: clientId, redirect_uri: redirectUri });
      expect(r.status).toBe(400);
      expect(errorLine(r.body)).toBe(
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${DEMO_ENTRA.tenantDomain}'.`,
      );
    });

    it("answers a redirect_uri that is no http(s) URL with AADSTS50011 and the service's text naming the URI and the app", async () => {
      const r = await get({ client_id: DEMO_ENTRA.clientId, redirect_uri: 'ftp://isv.example/consent' });
      expect(r.status).toBe(400);
      expect(errorLine(r.body)).toBe(
        `AADSTS50011: The redirect URI 'ftp://isv.example/consent' specified in the request does not match the redirect URIs configured for the application '${DEMO_ENTRA.clientId}'.`,
      );
    });

    it.each(['isv.example/consent', '/onboarding/consent', 'http//isv.example'])(
      'answers a redirect_uri that is not an absolute URL (%s) with a 400 error page AADSTS50011, by GET and POST',
      async (bad) => {
        const query = { client_id: DEMO_ENTRA.clientId, redirect_uri: bad };
        for (const r of [await get(query), await post({ ...query, consent: 'accept' })]) {
          expect(r.status).toBe(400);
          expect(r.headers['location']).toBeUndefined();
          expect(errorLine(r.body)).toMatch(/^AADSTS50011: The redirect URI '/);
        }
        expect(h.emu.entra.directory.isConsented(tenantOf(), DEMO_ENTRA.clientId)).toBe(false);
      },
    );

    it('accepts a plain http redirect_uri (any absolute http(s) URL): the page, then a 302 back to it on Accept', async () => {
      const local = 'http://localhost:3000/consent';
      const page = await get({ client_id: DEMO_ENTRA.clientId, redirect_uri: local });
      expect(page.status).toBe(200);
      const r = await post({ client_id: DEMO_ENTRA.clientId, redirect_uri: local, consent: 'accept' });
      expect(r.status).toBe(302);
      const location = new URL(String(r.headers['location']));
      expect(`${location.origin}${location.pathname}`).toBe(local);
      expect(location.searchParams.get('admin_consent')).toBe('True');
      expect(h.emu.entra.directory.isConsented(tenantOf(), DEMO_ENTRA.clientId)).toBe(true);
    });

    it.each([
      ['no consent field', {}],
      ['consent=maybe', { consent: 'maybe' }],
      ['an empty consent', { consent: '' }],
    ])(
      'answers a POST with %s with a 400 error page AADSTS900144 naming the consent field, records nothing and does not redirect',
      async (_what, over) => {
        const r = await post({
          client_id: DEMO_ENTRA.clientId,
          redirect_uri: redirectUri,
          state: 's',
          ...over,
        });
        expect(r.status).toBe(400);
        expect(r.headers['location']).toBeUndefined();
        expect(errorLine(r.body)).toMatch(/^AADSTS900144: .*'consent'/);
        expect(h.emu.entra.directory.isConsented(tenantOf(), DEMO_ENTRA.clientId)).toBe(false);
      },
    );

    it('on Cancel redirects with exactly error=access_denied, the AADSTS65004 description, admin_consent=True and the state', async () => {
      const r = await post({
        client_id: DEMO_ENTRA.clientId,
        redirect_uri: redirectUri,
        state: 'xyz',
        consent: 'cancel',
      });
      expect(r.status).toBe(302);
      expect(Object.fromEntries(new URL(String(r.headers['location'])).searchParams)).toEqual({
        error: 'access_denied',
        error_description: 'AADSTS65004: The resource owner or authorization server denied the request.',
        admin_consent: 'True',
        state: 'xyz',
      });
    });

    it.each(['accept', 'cancel'])(
      'on %s without a state redirects with no state parameter',
      async (consent) => {
        const r = await post({ client_id: DEMO_ENTRA.clientId, redirect_uri: redirectUri, consent });
        expect(r.status).toBe(302);
        const q = new URL(String(r.headers['location'])).searchParams;
        expect(q.has('state')).toBe(false);
        expect(q.get('admin_consent')).toBe('True');
      },
    );

    it('the redirect is a bare 302: Location, cache-control no-store, and an empty body', async () => {
      const r = await post({ client_id: DEMO_ENTRA.clientId, redirect_uri: redirectUri, consent: 'accept' });
      expect(r.status).toBe(302);
      expect(r.headers['location']).toEqual(
        expect.stringMatching(/^https:\/\/isv\.example\/onboarding\/consent\?/),
      );
      expect(String(r.headers['cache-control'])).toMatch(/\bno-store\b/);
      expect(r.body).toBe('');
    });

    it("the consent page is titled 'Permissions requested' as the service's prompt is", async () => {
      const page = await get({ client_id: DEMO_ENTRA.clientId, redirect_uri: redirectUri, state: 's' });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>Permissions requested</title>');
      expect(page.body).toContain('<h1>Permissions requested</h1>');
    });

    it("without a state the page's form holds only client_id, redirect_uri and the Cancel and Accept buttons", async () => {
      const page = await get({ client_id: DEMO_ENTRA.clientId, redirect_uri: redirectUri });
      expect(page.status).toBe(200);
      const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(page.body);
      expect(form?.[1]).toBe(`/${DEMO_ENTRA.tenantId}/adminconsent`);
      const inner = form![2]!;
      const inputs = [...inner.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        unescape(m[2]!),
      ]);
      expect(inputs).toEqual([
        ['client_id', DEMO_ENTRA.clientId],
        ['redirect_uri', redirectUri],
      ]);
      const buttons = [
        ...inner.matchAll(/<button type="submit" name="consent" value="(\w+)">(\w+)<\/button>/g),
      ].map((m) => [m[1], m[2]]);
      expect(buttons).toEqual([
        ['cancel', 'Cancel'],
        ['accept', 'Accept'],
      ]);
      // Nothing else in the form: no stray text or field.
      expect(
        inner
          .replace(/<input [^>]*>/g, '')
          .replace(/<button [^>]*>\w+<\/button>/g, '')
          .trim(),
      ).toBe('');
    });
  });

  describe('openid-configuration', () => {
    it("serves the v2.0 document's fields with the service's values, every endpoint under the tenant id (asked by domain)", async () => {
      const r = await h.get(`/${DEMO_ENTRA.tenantDomain}/v2.0/.well-known/openid-configuration`);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      const base = `${h.emu.url}/${DEMO_ENTRA.tenantId}`;
      expect(JSON.parse(r.body)).toEqual({
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        tenant_region_scope: 'NA',
      });
    });
  });

  describe('instance discovery', () => {
    const discover = async (query: string) => {
      const r = await h.get(`/common/discovery/instance?api-version=1.1${query}`);
      expect(r.status).toBe(200);
      return JSON.parse(r.body) as Record<string, unknown>;
    };
    const host = () => new URL(h.emu.url).host;
    const openid = (tenant: string) => `${h.emu.url}/${tenant}/v2.0/.well-known/openid-configuration`;

    it('answers api-version 1.1 with the tenant of an https authorization endpoint and this host as network, cache and only alias', async () => {
      const auth = encodeURIComponent(`${h.emu.url}/${DEMO_ENTRA.tenantDomain}/oauth2/v2.0/authorize`);
      expect(await discover(`&authorization_endpoint=${auth}`)).toEqual({
        tenant_discovery_endpoint: openid(DEMO_ENTRA.tenantDomain),
        'api-version': '1.1',
        metadata: [{ preferred_network: host(), preferred_cache: host(), aliases: [host()] }],
      });
    });

    /**
     * For an authorization endpoint naming no instance it knows, the service refuses (400 invalid_instance,
     * AADSTS50049) where the emulator falls back to `common`; either way no server error, and a 200 names a
     * non-empty tenant in its tenant_discovery_endpoint, never one taken from an https URL inside another value.
     */
    it.each([
      ['no authorization_endpoint', ''],
      ['an empty authorization_endpoint', '&authorization_endpoint='],
      ['an authorization_endpoint that is no URL', '&authorization_endpoint=not-a-url'],
      [
        'an https URL with no path after the host',
        `&authorization_endpoint=${encodeURIComponent('https://login.example')}`,
      ],
      [
        'an http URL that merely contains an https one',
        `&authorization_endpoint=${encodeURIComponent('http://proxy.example/https://login.example/contoso/oauth2/v2.0/authorize')}`,
      ],
    ])(
      'given %s answers without a server error, and a 200 names a non-empty tenant not taken from inside the value',
      async (_what, query) => {
        const r = await h.get(`/common/discovery/instance?api-version=1.1${query}`);
        const endpoint =
          r.status === 200
            ? String((JSON.parse(r.body) as Record<string, unknown>)['tenant_discovery_endpoint'])
            : undefined;
        const path = endpoint?.startsWith(`${h.emu.url}/`) ? endpoint.slice(h.emu.url.length) : endpoint;
        expect({ status: r.status, path }).toEqual(
          r.status === 200
            ? {
                status: 200,
                path: expect.stringMatching(/^\/[^/]+\/v2\.0\/\.well-known\/openid-configuration$/),
              }
            : { status: 400, path: undefined },
        );
        expect(String(endpoint)).not.toContain('/contoso/');
      },
    );
  });
});
