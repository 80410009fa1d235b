import { readFile } from 'node:fs/promises';
import { DEMO_IDS, SERVICE_ACCOUNT } from '@onbehalf/emulator';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { supportedRootFromPem } from '../../src/certificates/supported-roots';
import { DiscoveryClient } from '../../src/clients/discovery-client';
import { WlidClient } from '../../src/clients/wlid-client';
import { buildRpsUrl } from '../../src/rps/build-rps-url';
import { RpsVerifier } from '../../src/rps/rps-verifier';
import { CrmSession, type CrmSessionOptions } from '../../src/session/crm-session';
import type { SessionEvent } from '../../src/session/session-event';
import { startTestEmulator, total, type EmulatorHarness } from '../helpers/emulator-harness';

const JON_PUID = '0003BFFD8F3A5B21';
const FRANK_PUID = '00037FFE3B5D7F96';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startTestEmulator();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

function session(overrides: Partial<CrmSessionOptions> = {}): CrmSession {
  return new CrmSession({
    discoveryUrl: h.emulator.discoveryUrl,
    stsUrl: h.emulator.stsUrl,
    friendlyName: 'Contoso Ltd',
    certificate: h.demoBundle,
    ca: [h.emulator.caCertPem],
    timeoutMs: 10_000,
    ...overrides,
  });
}

describe('against the emulator over HTTPS', { timeout: 30_000 }, () => {
  it('validates the demo certificate against the emulator CA as a supported root', () => {
    const report = h.demoBundle.validate({
      roots: [supportedRootFromPem('Onbehalf emulator CA', h.emulator.caCertPem)],
    });
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.chain.at(-1)?.isPinned).toBe(true);
  });

  it('runs the whole flow once, then costs one round trip per impersonated call', async () => {
    const events: SessionEvent[] = [];
    const s = session({ onEvent: (e) => events.push(e) });
    try {
      expect(await s.whoAmI()).toMatchObject({
        userId: DEMO_IDS.erpInContoso,
        organizationId: DEMO_IDS.contosoOrg,
      });
      const jon = await s.resolveUserId(JON_PUID.toLowerCase());
      expect(jon).toBe(DEMO_IDS.jonWilson);
      // WhoAmI under impersonation still answers the service account; the user acted for shows in
      // an impersonated Retrieve of their own row.
      expect(await s.whoAmI({ callerId: jon })).toMatchObject({ userId: DEMO_IDS.erpInContoso });
      const own = await s.retrieve(
        { entityName: 'systemuser', id: jon, columns: ['fullname'] },
        { callerId: jon },
      );
      expect(own.entity.attributes).toMatchObject({ systemuserid: jon, fullname: 'Jon Wilson' });

      h.emulator.control.resetCounts();
      for (let i = 0; i < 10; i += 1) await s.whoAmI({ callerId: jon });
      const counts = h.emulator.control.counts();
      expect(total(counts.crm)).toBe(10);
      expect(total(counts.discovery) + total(counts.sts)).toBe(0);

      const { id } = await s.create(
        { logicalName: 'account', attributes: { name: 'Onbehalf Integration Test' } },
        { callerId: jon },
      );
      const { entity } = await s.retrieve({
        entityName: 'account',
        id,
        columns: ['name', 'createdby', 'createdonbehalfby'],
      });
      expect(entity.attributes.name).toBe('Onbehalf Integration Test');
      expect(entity.attributes.createdby).toMatchObject({ id: DEMO_IDS.jonWilson, type: 'systemuser' });
      expect(entity.attributes.createdonbehalfby).toMatchObject({
        id: DEMO_IDS.erpInContoso,
        type: 'systemuser',
      });

      const page = await s.retrieveMultiple({
        entityName: 'account',
        columns: ['name'],
        criteria: {
          conditions: [{ attribute: 'name', operator: 'Equal', values: ['Onbehalf Integration Test'] }],
        },
      });
      expect(page.entities.map((e) => e.attributes.name)).toEqual(['Onbehalf Integration Test']);
      await s.update(
        { logicalName: 'account', attributes: { accountid: id, name: 'Renamed' } },
        { callerId: jon },
      );
      await s.delete('account', id);
      await expect(s.retrieve({ entityName: 'account', id, columns: 'all' })).rejects.toMatchObject({
        code: 'ERR_CRM_OBJECT_NOT_FOUND',
      });

      expect(s.getState()).toMatchObject({ organizationName: 'contoso', refreshCount: 1 });
      expect(events.filter((e) => e.type === 'round-trip').length).toBeGreaterThan(10);
      expect(JSON.stringify(events)).not.toMatch(/t=|"(crmTicket|ticket|passportTicket)":/);
    } finally {
      await s.close();
    }
  });

  it('refreshes once and retries when the emulator expires the CRM tickets, for a concurrent herd too', async () => {
    const s = session({ organizationName: 'contoso', friendlyName: undefined });
    try {
      await s.whoAmI();
      h.emulator.control.expireTickets({ org: 'contoso' });
      h.emulator.control.resetCounts();
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => s.whoAmI()));
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const counts = h.emulator.control.counts();
      expect(counts.discovery.RetrieveCrmTicket).toBe(1);
      expect(total(counts.sts)).toBe(0); // the Passport ticket is still good
      expect(s.getState()).toMatchObject({ refreshCount: 2, expiredFaultCount: 50 });
    } finally {
      await s.close();
    }
  });

  it('reports ERR_CRM_PRIVILEGE_DENIED in Fabrikam, where the account lacks the proxy role', async () => {
    const s = session({ friendlyName: 'Fabrikam Inc' });
    try {
      expect(await s.whoAmI()).toMatchObject({ userId: DEMO_IDS.erpInFabrikam });
      const frank = await s.resolveUserId(FRANK_PUID);
      expect(frank).toBe(DEMO_IDS.frankMiller);
      await expect(s.whoAmI({ callerId: frank })).rejects.toMatchObject({
        code: 'ERR_CRM_PRIVILEGE_DENIED',
        faultCode: '0x80040220',
        notExecuted: true,
      });
    } finally {
      await s.close();
    }
  });

  it('reports ERR_ORG_NOT_FOUND for an org the account does not belong to', async () => {
    const s = session({ friendlyName: 'Northwind Traders' });
    try {
      await expect(s.whoAmI()).rejects.toMatchObject({ code: 'ERR_ORG_NOT_FOUND' });
    } finally {
      await s.close();
    }
  });

  it('gets ERR_WLID_FAULT when the STS refuses the client certificate', async () => {
    const { policy } = await new DiscoveryClient({
      url: h.emulator.discoveryUrl,
      ca: [h.emulator.caCertPem],
    }).retrievePolicy();
    expect(policy).toBe('MBI_SSL');
    const unregistered = await h.emulator.control.issueCertificate({ commonName: 'Nobody' });
    const selfSigned = await h.emulator.control.issueCertificate({
      commonName: 'Self',
      account: SERVICE_ACCOUNT.liveId,
      selfSigned: true,
    });
    for (const issued of [unregistered, selfSigned]) {
      const bundle = CertificateBundle.fromPem({
        certificatePem: issued.certPem,
        privateKeyPem: issued.keyPem,
        chainPem: issued.chainPem,
      });
      const wlid = new WlidClient({
        stsUrl: h.emulator.stsUrl,
        certificate: bundle,
        ca: [h.emulator.caCertPem],
      });
      try {
        await expect(wlid.requestTicket({ policy })).rejects.toMatchObject({ code: 'ERR_WLID_FAULT' });
      } finally {
        await wlid.close();
      }
    }
  });

  it('gets a Passport ticket with a lifetime from the STS with the demo certificate', async () => {
    const wlid = new WlidClient({
      stsUrl: h.emulator.stsUrl,
      certificate: h.demoBundle,
      ca: [h.emulator.caCertPem],
    });
    try {
      const ticket = await wlid.requestTicket({ policy: 'MBI_SSL' });
      expect(ticket.ticket.length).toBeGreaterThan(10);
      expect(ticket.expires.getTime()).toBeGreaterThan(ticket.created.getTime());
    } finally {
      await wlid.close();
    }
  });

  it('refuses an emulator whose CA it was not told to trust (ERR_TLS)', async () => {
    const s = session({ ca: undefined });
    try {
      await expect(s.whoAmI()).rejects.toMatchObject({ code: 'ERR_TLS', notExecuted: true });
    } finally {
      await s.close();
    }
  });

  it('verifies an RPS ticket issued by the emulator sign-in page and reads the HexPUID', async () => {
    const signingCertPem = await readFile(h.emulator.demo.rpsSigningCertPath, 'utf8');
    const verifier = new RpsVerifier({ signingCertPem, siteId: 'onbehalf-int' });
    const dispatcher = new Agent({ connect: { ca: [h.emulator.caCertPem] } });
    try {
      const loginUrl = new URL(
        buildRpsUrl('Auth', {
          rpsBaseUrl: `${h.emulator.url}/rps`,
          siteId: 'onbehalf-int',
          returnUrl: 'https://isv.example/back',
        }),
      );
      const pageRes = await request(loginUrl, { dispatcher });
      expect(pageRes.statusCode).toBe(200);
      await pageRes.body.text();
      const form = new URLSearchParams({
        siteId: 'onbehalf-int',
        returnUrl: 'https://isv.example/back',
        liveId: 'jonw@contoso.example',
      });
      const res = await request(new URL('/rps/login', h.emulator.url), {
        dispatcher,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      await res.body.text();
      expect(res.statusCode).toBe(302);
      const back = new URL(String(res.headers.location));
      const result = verifier.verify({
        ticket: back.searchParams.get('t'),
        rpsAuthState: back.searchParams.get('RPSAuthState'),
      });
      expect(result).toMatchObject({
        state: 'valid',
        hexPuid: JON_PUID,
        liveId: 'jonw@contoso.example',
        firstName: 'Jon',
      });
      expect(
        new RpsVerifier({ signingCertPem, siteId: 'another-site' }).verify({
          ticket: back.searchParams.get('t'),
        }),
      ).toMatchObject({
        state: 'invalid',
      });
    } finally {
      await dispatcher.close();
    }
  });
});
