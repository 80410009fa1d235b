import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ENTRA } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import {
  adminConsent,
  assertion,
  assertionClaims,
  clientCredentials,
  demoSigner,
  postTokenForm,
  type Signer,
} from './entra-requests';

/**
 * The identity platform's directory as the token endpoint and the admin-consent page see it (docs/protocol.md
 * §13.1, §13.5): consent is per app and per tenant (700016 for an app the tenant did not consent to, whatever
 * other apps it consented to), withdrawing one app's consent leaves the others, Accept records an app once, and
 * an environment may be registered by its absolute URL (a `*.crm.dynamics.com` host) as well as by a path.
 */
describe('the emulated identity platform: consents per app and environments per tenant', () => {
  let h: Harness;
  let demo: Signer;
  /** A second multi-tenant app (registered with the demo certificate), not consented in the demo tenant. */
  const otherClientId = '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7';
  const tenantOf = () => h.emu.entra.directory.tenant(DEMO_ENTRA.tenantId)!;

  /** A client assertion (RFC 7523, PS256 with x5t#S256) of `clientId` for the demo tenant's token endpoint. */
  const assertionOf = (clientId: string): string =>
    assertion(demo, assertionClaims(h, { iss: clientId, sub: clientId, iat: undefined }));
  const postToken = (clientId: string, scope = `${h.emu.entra.environmentUrl}/.default`) =>
    postTokenForm(
      h,
      clientCredentials(h, assertionOf(clientId), { client_id: clientId, scope }),
      DEMO_ENTRA.tenantId,
    );
  const acceptConsent = async (clientId: string) =>
    (
      await adminConsent(
        h,
        'POST',
        DEMO_ENTRA.tenantId,
        {},
        { client_id: clientId, redirect_uri: 'https://isv.example/consent', consent: 'accept' },
      )
    ).status;

  beforeAll(async () => {
    h = await startHarness();
    demo = await demoSigner(h);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.emu.entra.directory.reset();
    h.emu.entra.directory.apps.set(otherClientId, {
      clientId: otherClientId,
      displayName: 'Another ISV',
      certificatesPem: [demo.certPem],
    });
  });

  it('answers 400 unauthorized_client AADSTS700016 to a registered app the tenant did not consent to, although it consented to another app', async () => {
    expect((await postToken(DEMO_ENTRA.clientId)).status).toBe(200);
    const r = await postToken(otherClientId);
    expect(r.status).toBe(400);
    expect(r.body['error']).toBe('unauthorized_client');
    expect(r.body['error_codes']).toEqual([700016]);
  });

  it("withdrawing one app's consent leaves the tenant's other consents: that app gets 700016, the other still a token", async () => {
    expect(await acceptConsent(otherClientId)).toBe(302);
    expect((await postToken(otherClientId)).status).toBe(200);
    expect(h.emu.entra.directory.revokeConsent(tenantOf(), otherClientId)).toBe(true);
    expect((await postToken(otherClientId)).body['error_codes']).toEqual([700016]);
    const demo = await postToken(DEMO_ENTRA.clientId);
    expect(demo.status).toBe(200);
    expect(demo.body['token_type']).toBe('Bearer');
  });

  it('Accept records the consent once, under the lower-case client id, also for an app the tenant already consented to', async () => {
    expect(await acceptConsent(DEMO_ENTRA.clientId)).toBe(302);
    expect(tenantOf().consentedApps).toEqual([DEMO_ENTRA.clientId]);
    expect(await acceptConsent(otherClientId.toUpperCase())).toBe(302);
    expect(await acceptConsent(otherClientId)).toBe(302);
    expect(tenantOf().consentedApps).toEqual([DEMO_ENTRA.clientId, otherClientId]);
  });

  it('issues a token for an environment registered by its absolute URL, the scope matched without regard to case', async () => {
    tenantOf().environments.push('https://fabrikam.crm4.dynamics.com');
    const r = await postToken(DEMO_ENTRA.clientId, 'https://Fabrikam.CRM4.dynamics.com/.default');
    expect(r.status).toBe(200);
    expect(typeof r.body['access_token']).toBe('string');
    const unknown = await postToken(DEMO_ENTRA.clientId, 'https://contoso.crm4.dynamics.com/.default');
    expect(unknown.body['error_codes']).toEqual([500011]);
  });
});
