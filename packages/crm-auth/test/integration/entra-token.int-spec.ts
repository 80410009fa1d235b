import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { EntraTokenClient, type EntraTokenClientOptions } from '../../src/dataverse/entra-token-client';
import type { RoundTrip } from '../../src/clients/round-trip';
import { startTestEmulator, type EmulatorHarness } from '../helpers/emulator-harness';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startTestEmulator();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.emulator.entra.directory.reset();
});

function client(over: Partial<EntraTokenClientOptions> = {}): EntraTokenClient {
  return new EntraTokenClient({
    authorityUrl: h.emulator.entra.authorityUrl,
    tenant: h.emulator.entra.tenantId,
    clientId: h.emulator.entra.clientId,
    certificate: h.demoBundle,
    ca: [h.emulator.caCertPem],
    ...over,
  });
}

describe('EntraTokenClient against the emulated identity platform over HTTPS', { timeout: 30_000 }, () => {
  it('gets a Bearer token for the environment, valid 60-90 minutes from the request, and reports one entra round trip', async () => {
    const trips: RoundTrip[] = [];
    const c = client({ onRoundTrip: (t) => trips.push(t) });
    const before = Date.now();
    const token = await c.acquireToken({ scope: `${h.emulator.entra.environmentUrl}/.default` });
    await c.close();
    expect(token.tokenType).toBe('Bearer');
    const lifetimeMin = (token.expiresAt.getTime() - before) / 60_000;
    expect(lifetimeMin).toBeGreaterThanOrEqual(60);
    expect(lifetimeMin).toBeLessThanOrEqual(90.1);
    expect(h.emulator.entra.directory.token(token.accessToken, Date.now())?.clientId).toBe(
      h.emulator.entra.clientId,
    );
    expect(trips).toEqual([expect.objectContaining({ service: 'entra', operation: 'token', ok: true })]);
  });

  it('works by tenant domain and with the older RS256 assertion', async () => {
    const c = client({ tenant: h.emulator.entra.tenantDomain, algorithm: 'RS256' });
    await expect(
      c.acquireToken({ scope: `${h.emulator.entra.environmentUrl}/.default` }),
    ).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
    await c.close();
  });

  it.each([
    ['an unknown tenant', 'ERR_ENTRA_TENANT_NOT_FOUND', 'AADSTS90002'],
    ['an app the tenant did not consent to', 'ERR_ENTRA_APP_NOT_FOUND', 'AADSTS700016'],
    ['a certificate not registered on the app', 'ERR_ENTRA_CERT_NOT_ON_APP', 'AADSTS700027'],
    ['an environment outside the tenant', 'ERR_ENTRA_NO_RESOURCE', 'AADSTS500011'],
  ])('turns %s into %s with faultCode %s', async (what, code, faultCode) => {
    let over: Partial<EntraTokenClientOptions> = {};
    let scope = `${h.emulator.entra.environmentUrl}/.default`;
    if (what === 'an unknown tenant') over = { tenant: 'nowhere.onmicrosoft.com' };
    if (what === 'an app the tenant did not consent to')
      h.emulator.entra.directory.tenant(h.emulator.entra.tenantId)!.consentedApps = [];
    if (what === 'a certificate not registered on the app') {
      const other = await h.emulator.control.issueCertificate({ commonName: 'other-app-cert' });
      over = {
        certificate: CertificateBundle.fromPem({
          certificatePem: other.certPem,
          privateKeyPem: other.keyPem,
        }),
      };
    }
    if (what === 'an environment outside the tenant') scope = 'https://fabrikam.crm.dynamics.com/.default';
    const c = client(over);
    const err = await c.acquireToken({ scope }).catch((e: unknown) => e);
    await c.close();
    expect(err).toMatchObject({ code, faultCode, operation: 'token', notExecuted: true });
    expect((err as Error).message).toMatch(
      new RegExp(`^The identity platform refused the token request: ${faultCode}: `),
    );
  });
});
