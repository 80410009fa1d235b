import { DEMO_IDS } from '@onbehalf/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmServiceClient, type CrmServiceApi } from '../../src/clients/crm-service-client';
import { DiscoveryClient } from '../../src/clients/discovery-client';
import { WlidClient } from '../../src/clients/wlid-client';
import { isCrmAuthError } from '../../src/errors';
import type { CrmAuthenticationToken } from '../../src/messages/types';
import { CrmSession } from '../../src/session/crm-session';
import { startTestEmulator, type EmulatorHarness } from '../helpers/emulator-harness';

let h: EmulatorHarness;
let wlid: WlidClient;
let discovery: DiscoveryClient;

beforeAll(async () => {
  h = await startTestEmulator();
  const ca = [h.emulator.caCertPem];
  wlid = new WlidClient({ stsUrl: h.emulator.stsUrl, certificate: h.demoBundle, ca });
  discovery = new DiscoveryClient({ url: h.emulator.discoveryUrl, ca });
}, 60_000);

afterAll(async () => {
  await wlid?.close();
  await discovery?.close();
  await h?.close();
});

const token = (crmTicket: string, organizationName: string): CrmAuthenticationToken => ({
  authenticationType: 1,
  crmTicket,
  organizationName,
  callerId: null,
});

describe('tickets against the emulator', { timeout: 30_000 }, () => {
  it('carries a Passport ticket (t=…&p=) and a CRM ticket with +, / and = intact from the STS through discovery to CrmService', async () => {
    const passport = await wlid.requestTicket({ policy: 'MBI_SSL' });
    // Standard base64 (not base64url) in the compact t=…&p= form: every character XML and URLs care about.
    expect(passport.ticket).toMatch(/^t=[A-Za-z0-9+/]+={1,2}&p=$/);
    expect(passport.ticket).toMatch(/\+/);
    expect(passport.ticket).toMatch(/\//);

    const crm = await discovery.retrieveCrmTicket('contoso', passport.ticket);
    expect(crm.crmTicket).toMatch(/^[A-Za-z0-9+/]+={1,2}$/);
    expect(crm.crmTicket).toMatch(/\+/);
    expect(crm.crmTicket).toMatch(/\//);
    expect(crm.organizationDetail.crmServiceUrl).toBe(h.emulator.crmServiceUrlFor('contoso'));

    const client = new CrmServiceClient({
      url: crm.organizationDetail.crmServiceUrl,
      ca: [h.emulator.caCertPem],
    });
    try {
      expect(await client.whoAmI(token(crm.crmTicket, 'contoso'))).toMatchObject({
        userId: DEMO_IDS.erpInContoso,
      });
      // A ticket mangled on the way (+ read as a space, padding trimmed) is refused, never half-accepted.
      for (const mangled of [crm.crmTicket.replace(/\+/g, ' '), crm.crmTicket.replace(/=+$/, '')]) {
        await expect(client.whoAmI(token(mangled, 'contoso'))).rejects.toMatchObject({
          code: 'ERR_CRM_BAD_TICKET',
        });
      }
    } finally {
      await client.close();
    }
    await expect(discovery.retrieveOrganizations(passport.ticket.replace(/\+/g, ' '))).rejects.toMatchObject({
      code: 'ERR_CRM_BAD_TICKET',
    });
  });

  it("gets ERR_CRM_BAD_TICKET (0x8004A102) for Contoso's ticket at Fabrikam's CrmService URL", async () => {
    const passport = await wlid.requestTicket({ policy: 'MBI_SSL' });
    const crm = await discovery.retrieveCrmTicket('contoso', passport.ticket);
    const fabrikam = new CrmServiceClient({
      url: h.emulator.crmServiceUrlFor('fabrikam'),
      ca: [h.emulator.caCertPem],
    });
    try {
      const err = await fabrikam.whoAmI(token(crm.crmTicket, 'contoso')).catch((e: unknown) => e);
      expect(isCrmAuthError(err, 'ERR_CRM_BAD_TICKET')).toBe(true);
      expect(err).toMatchObject({ faultCode: '0x8004A102', notExecuted: true });
    } finally {
      await fabrikam.close();
    }
  });

  it("a CrmSession per org posts each org's ticket only to that org's CrmService URL from discovery", async () => {
    const posted: Array<{ url: string; org: string }> = [];
    const ca = [h.emulator.caCertPem];
    const recording = (url: string): CrmServiceApi => {
      const real = new CrmServiceClient({ url, ca });
      return new Proxy(real, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const first = args[0] as CrmAuthenticationToken | undefined;
            if (first && typeof first === 'object' && 'crmTicket' in first)
              posted.push({ url, org: first.organizationName });
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    };
    const session = (organizationName: string): CrmSession =>
      new CrmSession({
        discoveryUrl: h.emulator.discoveryUrl,
        stsUrl: h.emulator.stsUrl,
        organizationName,
        certificate: h.demoBundle,
        ca,
        timeoutMs: 10_000,
        clients: { crmService: recording },
      });
    const contoso = session('contoso');
    const fabrikam = session('fabrikam');
    try {
      await Promise.all([contoso.whoAmI(), fabrikam.whoAmI(), contoso.whoAmI(), fabrikam.whoAmI()]);
      h.emulator.control.expireTickets({});
      await Promise.all([contoso.whoAmI(), fabrikam.whoAmI()]);
      expect(posted.length).toBeGreaterThanOrEqual(6);
      for (const p of posted) expect(p.url).toBe(h.emulator.crmServiceUrlFor(p.org));
      expect(new Set(posted.map((p) => p.url)).size).toBe(2);
    } finally {
      await contoso.close();
      await fabrikam.close();
    }
  });

  it('gets ERR_CRM_BAD_TICKET from discovery for a Passport ticket issued for another partner domain', async () => {
    const crm4 = await wlid.requestTicket({ policy: 'MBI_SSL', appliesTo: 'crm4.dynamics.com' });
    await expect(discovery.retrieveOrganizations(crm4.ticket)).rejects.toMatchObject({
      code: 'ERR_CRM_BAD_TICKET',
      faultCode: '0x8004A102',
    });
  });
});
