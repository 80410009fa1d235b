import os from 'node:os';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_IDS,
  SERVICE_ACCOUNT,
  type CallCounts,
  type EmulatorStateView,
  type RecordView,
  type UserState,
} from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { crmAction, crmTicket, crmXml, faultCode, WHOAMI_BODY } from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';

function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('the control API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows orgs, users, accounts, certificates, scenarios and lifetimes', async () => {
    const { status, json } = await h.control<EmulatorStateView>('GET', '/state');
    expect(status).toBe(200);
    expect(json.orgs.map((o) => o.name).sort()).toEqual(['contoso', 'contosodv', 'fabrikam']);
    expect(json.users.find((u) => u.id === DEMO_IDS.jonWilson)).toMatchObject({
      puid: '0003BFFD8F3A5B21',
      domainName: 'JonW',
    });
    const erp = json.accounts.find((a) => a.liveId === SERVICE_ACCOUNT.liveId);
    expect(erp?.certificates).toHaveLength(1);
    expect(json.lifetimes).toEqual({ crmTicketSec: 28800, passportTicketSec: 86400, rpsTicketSec: 600 });
    const puids = json.accounts.map((a) => a.puid);
    expect(new Set(puids).size).toBe(puids.length);
  });

  it('counts calls per endpoint and operation, and resets them', async () => {
    await h.control('POST', '/counts/reset');
    const { ticket } = await crmTicket(h);
    for (let i = 0; i < 3; i++)
      await h.post(CRM, crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY), crmAction('Execute'));
    const { json } = await h.control<CallCounts>('GET', '/counts');
    expect(json).toEqual({
      sts: { RequestSecurityToken: 1 },
      discovery: { RetrieveCrmTicket: 1 },
      crm: { WhoAmI: 3 },
      rps: {},
      entra: {},
      dataverse: {},
      total: 5,
      faults: {},
    });
    await h.control('POST', '/counts/reset');
    expect((await h.control<CallCounts>('GET', '/counts')).json.total).toBe(0);
  });

  it('sets lifetimes and refuses bad values', async () => {
    expect((await h.control('PUT', '/lifetimes', { crmTicketSec: 5 })).json).toMatchObject({
      crmTicketSec: 5,
    });
    const { expirationDate } = await crmTicket(h);
    expect(Date.parse(expirationDate) - Date.now()).toBeLessThanOrEqual(5000);
    expect((await h.control('PUT', '/lifetimes', { crmTicketSec: -1 })).status).toBe(400);
    await h.control('PUT', '/lifetimes', { crmTicketSec: 28800 });
  });

  it('expires tickets for one org', async () => {
    const { ticket } = await crmTicket(h);
    expect((await h.control('POST', '/tickets/expire', { org: 'contoso' })).status).toBe(200);
    const res = await h.post(CRM, crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY), crmAction('Execute'));
    expect(faultCode(res.body)).toBe('0x8004A101');
    expect((await h.control('POST', '/tickets/expire', { org: 'nowhere' })).status).toBe(404);
  });

  it('lists records with their stamps', async () => {
    const { json } = await h.control<RecordView[]>('GET', '/records?org=contoso&entity=account');
    const fourth = json.find((r) => r.id === DEMO_IDS.fourthCoffee);
    expect(fourth?.attributes).toMatchObject({
      name: 'Fourth Coffee',
      createdby: { id: DEMO_IDS.jonWilson, type: 'systemuser', name: 'Jon Wilson' },
      createdonbehalfby: { id: DEMO_IDS.erpInContoso, name: 'ERP_Integration' },
      createdon: '2026-11-23T14:02:11.000Z',
    });
    expect((await h.control('GET', '/records')).status).toBe(400);
  });

  it('adds orgs and users, and patches them', async () => {
    expect(
      (await h.control('POST', '/orgs', { name: 'tailspin', friendlyName: 'Tailspin Toys' })).status,
    ).toBe(201);
    const added = await h.control<UserState>('POST', '/users', {
      org: 'tailspin',
      liveId: SERVICE_ACCOUNT.liveId,
      firstName: 'ERP',
      lastName: 'Integration',
      fullName: 'ERP_Integration',
      proxyRole: true,
      isServiceAccount: true,
    });
    expect(added.status).toBe(201);
    const user = await h.control<UserState>('POST', '/users', {
      org: 'tailspin',
      liveId: 'kim@tailspin.example',
      firstName: 'Kim',
      lastName: 'Abercrombie',
      puid: '0003BFFD00000001',
    });
    expect(user.json).toMatchObject({ fullName: 'Kim Abercrombie', enabled: true });
    const { ticket } = await crmTicket(h, 'tailspin');
    const call = () =>
      h.post(
        CRM,
        crmXml({ ticket, org: 'tailspin', callerId: user.json.id }, WHOAMI_BODY),
        crmAction('Execute'),
      );
    expect((await call()).status).toBe(200);
    expect((await h.control('PATCH', `/users/${user.json.id}`, { enabled: false })).status).toBe(200);
    expect(faultCode((await call()).body)).toBe('0x80040225');
    expect((await h.control('PATCH', `/users/${added.json.id}`, { proxyRole: false })).status).toBe(200);
    expect(faultCode((await call()).body)).toBe('0x80040220');
    expect((await h.control('PATCH', '/orgs/tailspin', { enabled: false })).status).toBe(200);
    expect(faultCode((await call()).body)).toBe('0x8004A104');
    expect((await h.control('PATCH', '/users/not-a-guid', { enabled: false })).status).toBe(404);
    expect((await h.control('POST', '/users', { org: 'tailspin' })).status).toBe(400);
  });

  it('issues and revokes certificates over HTTP', async () => {
    const issued = await h.control<{ certPem: string; thumbprintSha1Hex: string; pfxPassword: string }>(
      'POST',
      '/pki/issue',
      {
        commonName: 'http-issued',
        account: SERVICE_ACCOUNT.liveId,
      },
    );
    expect(issued.status).toBe(201);
    expect(issued.json.thumbprintSha1Hex).toMatch(/^[0-9A-F]{40}$/);
    expect(
      (await h.control('POST', '/pki/revoke', { thumbprintSha1Hex: issued.json.thumbprintSha1Hex })).status,
    ).toBe(200);
    expect((await h.control('POST', '/pki/revoke', { thumbprintSha1Hex: 'AB' })).status).toBe(404);
    expect((await h.control('POST', '/pki/crl/extend', { seconds: 3600 })).json).toMatchObject({
      nextUpdate: expect.any(String),
    });
  });

  it('resets to the demo seed', async () => {
    await h.control('POST', '/scenarios', { name: 'SLOW', params: { ms: 1 } });
    expect((await h.control('POST', '/reset')).status).toBe(200);
    const state = (await h.control<EmulatorStateView>('GET', '/state')).json;
    expect(state.orgs.map((o) => o.name).sort()).toEqual(['contoso', 'contosodv', 'fabrikam']);
    expect(state.scenarios).toEqual([]);
    expect(state.certificates).toHaveLength(1);
    expect(state.orgs.every((o) => o.enabled)).toBe(true);
  });

  it('answers unknown routes and bad JSON with 404 and 400', async () => {
    expect((await h.control('GET', '/nothing')).status).toBe(404);
    const res = await request(`${h.emu.url}/_control/scenarios`, {
      method: 'POST',
      body: '{not json',
      headers: { 'content-type': 'application/json' },
      dispatcher: h.agent,
    });
    expect(res.statusCode).toBe(400);
    await res.body.text();
  });
});

describe('the control API refuses callers that are not on loopback', () => {
  const address = nonLoopbackAddress();
  it.skipIf(!address)(
    `refuses ${address ?? 'a non-loopback address'} with 403 (skipped when the machine has no such interface)`,
    async () => {
      const h = await startHarness({ host: '0.0.0.0' });
      // The server certificate names localhost, not this address: identity is not what is under test.
      const remote = new Agent({ connect: { ca: h.emu.caCertPem, checkServerIdentity: () => undefined } });
      try {
        const res = await request(`https://${address}:${h.emu.port}/_control/state`, { dispatcher: remote });
        expect(res.statusCode).toBe(403);
        expect(await res.body.json()).toMatchObject({ error: 'forbidden' });
        const reset = await request(`https://${address}:${h.emu.port}/_control/reset`, {
          method: 'POST',
          dispatcher: remote,
        });
        expect(reset.statusCode).toBe(403);
        await reset.body.text();
        // The services themselves answer on that address.
        const page = await request(`https://${address}:${h.emu.port}/`, { dispatcher: remote });
        expect(page.statusCode).toBe(200);
        await page.body.text();
        expect((await h.control('GET', '/state')).status).toBe(200);
      } finally {
        await remote.close();
        await h.close();
      }
    },
  );
});
