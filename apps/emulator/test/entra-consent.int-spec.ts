import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ENTRA } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { demoToken } from './entra-clients';
import { adminConsent } from './entra-requests';

/**
 * The identity platform's admin-consent endpoint (docs/protocol.md §13.2, §13.5): the page an administrator of
 * the customer's tenant accepts or cancels, and the redirect back to the ISV that follows.
 */
describe('the emulated identity platform: admin consent', () => {
  let h: Harness;
  const redirectUri = 'https://isv.example/onboarding/consent?step=2';

  const get = (tenant: string, query: Record<string, string>) => adminConsent(h, 'GET', tenant, query);
  const post = (tenant: string, form: Record<string, string>) => adminConsent(h, 'POST', tenant, {}, form);
  /** The hidden fields and the action of the page's form, as a browser would post them. */
  const formOf = (page: string) => {
    const fields: Record<string, string> = {};
    for (const m of page.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g))
      fields[m[1]!] = m[2]!
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'");
    const action = /<form method="post" action="([^"]+)">/.exec(page)?.[1];
    return { fields, action };
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

  it('shows a page naming the app and the tenant, whose form carries client_id, redirect_uri and state back', async () => {
    const page = await get(DEMO_ENTRA.tenantDomain, {
      client_id: DEMO_ENTRA.clientId,
      redirect_uri: redirectUri,
      state: 'a&b"c',
    });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain(
      `${DEMO_ENTRA.appName} wants permission to access Dynamics 365 in ${DEMO_ENTRA.tenantDomain}`,
    );
    expect(page.body).toContain('>Accept</button>');
    expect(page.body).toContain('>Cancel</button>');
    expect(formOf(page.body)).toEqual({
      action: `/${DEMO_ENTRA.tenantId}/adminconsent`,
      fields: { client_id: DEMO_ENTRA.clientId, redirect_uri: redirectUri, state: 'a&b"c' },
    });
  });

  it('on Accept records the consent (a token can then be had) and redirects with admin_consent=True, the tenant id and the state', async () => {
    await expect(demoToken(h)).rejects.toThrow(/700016/);
    const page = await get(DEMO_ENTRA.tenantDomain, {
      client_id: DEMO_ENTRA.clientId,
      redirect_uri: redirectUri,
      state: 'xyz',
    });
    const r = await post(DEMO_ENTRA.tenantId, { ...formOf(page.body).fields, consent: 'accept' });
    expect(r.status).toBe(302);
    const location = new URL(String(r.headers['location']));
    expect(`${location.origin}${location.pathname}`).toBe('https://isv.example/onboarding/consent');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      step: '2',
      admin_consent: 'True',
      tenant: DEMO_ENTRA.tenantId,
      state: 'xyz',
    });
    expect(h.emu.entra.directory.isConsented(tenantOf(), DEMO_ENTRA.clientId)).toBe(true);
    expect(await demoToken(h)).toEqual(expect.any(String));
  });

  it('on Cancel records nothing and redirects with error=access_denied, AADSTS65004 and the state', async () => {
    const r = await post(DEMO_ENTRA.tenantId, {
      client_id: DEMO_ENTRA.clientId,
      redirect_uri: redirectUri,
      state: 'xyz',
      consent: 'cancel',
    });
    expect(r.status).toBe(302);
    const q = new URL(String(r.headers['location'])).searchParams;
    expect(q.get('error')).toBe('access_denied');
    expect(q.get('error_description')).toMatch(/^AADSTS65004: /);
    expect(q.get('state')).toBe('xyz');
    expect(q.has('tenant')).toBe(false);
    expect(h.emu.entra.directory.isConsented(tenantOf(), DEMO_ENTRA.clientId)).toBe(false);
  });

  it.each([
    ['an unknown tenant', 'nowhere.onmicrosoft.com', {}, 90002],
    ['an unknown app', DEMO_ENTRA.tenantId, { client_id: '11111111-2222-4333-8444-555555555555' }, 700016],
    ['no client_id', DEMO_ENTRA.tenantId, { client_id: '' }, 900144],
    ['no redirect_uri', DEMO_ENTRA.tenantId, { redirect_uri: '' }, 900144],
    [
      'a redirect_uri that is no http(s) URL',
      DEMO_ENTRA.tenantId,
      { redirect_uri: 'javascript:alert(1)' },
      50011,
    ],
  ])(
    'answers %s with an error page naming the AADSTS code, and no redirect',
    async (_what, tenant, over, code) => {
      const query = { client_id: DEMO_ENTRA.clientId, redirect_uri: redirectUri, state: 's', ...over };
      for (const r of [await get(tenant, query), await post(tenant, { ...query, consent: 'accept' })]) {
        expect(r.status).toBe(400);
        expect(r.headers['location']).toBeUndefined();
        expect(r.body).toContain(`AADSTS${code}:`);
      }
      expect(h.emu.entra.directory.isConsented(tenantOf(), DEMO_ENTRA.clientId)).toBe(false);
    },
  );

  it('revokeConsent withdraws a consent, after which the token endpoint answers AADSTS700016', async () => {
    h.emu.entra.directory.grantConsent(tenantOf(), DEMO_ENTRA.clientId);
    expect(await demoToken(h)).toEqual(expect.any(String));
    expect(h.emu.entra.directory.revokeConsent(tenantOf(), DEMO_ENTRA.clientId)).toBe(true);
    expect(h.emu.entra.directory.revokeConsent(tenantOf(), DEMO_ENTRA.clientId)).toBe(false);
    await expect(demoToken(h)).rejects.toThrow(/700016/);
  });
});
