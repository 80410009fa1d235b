import { readFile } from 'node:fs/promises';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS, SERVICE_ACCOUNT, type ScenarioState } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import {
  crmAction,
  crmTicket,
  crmXml,
  DISCOVERY_ACTION,
  discoveryXml,
  esc,
  faultCode,
  liveFaultCode,
  rstXml,
  WHOAMI_BODY,
} from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';
const DISCOVERY = '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';

describe('scenarios', () => {
  let h: Harness;
  let ticket: string;
  beforeAll(async () => {
    h = await startHarness();
    ticket = (await crmTicket(h)).ticket;
  });
  afterEach(() => {
    h.emu.control.clearScenarios();
  });
  afterAll(async () => {
    await h.close();
  });

  const whoami = (callerId?: string) =>
    h.post(CRM, crmXml({ ticket, org: 'contoso', callerId }, WHOAMI_BODY), crmAction('Execute'));
  const policy = () => h.post(DISCOVERY, discoveryXml('RetrievePolicyRequest'), DISCOVERY_ACTION);

  it('are switched on and off through the HTTP control API', async () => {
    const added = await h.control<ScenarioState>('POST', '/scenarios', {
      name: 'DISABLED_ORG',
      org: 'contoso',
    });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ name: 'DISABLED_ORG', org: 'contoso', endpoint: 'all' });
    expect((await h.control<ScenarioState[]>('GET', '/state')).json).toMatchObject({
      scenarios: [{ id: added.json.id }],
    });
    expect(faultCode((await whoami()).body)).toBe('0x8004A104');
    expect((await h.control('DELETE', '/scenarios')).status).toBe(200);
    expect((await whoami()).status).toBe(200);
    expect((await h.control('POST', '/scenarios', { name: 'NOPE' })).status).toBe(400);
  });

  it('DISABLED_ORG refuses the org at discovery and CrmService, other orgs unaffected', async () => {
    h.emu.control.addScenario({ name: 'DISABLED_ORG', org: 'contoso' });
    expect(faultCode((await whoami()).body)).toBe('0x8004A104');
    await expect(crmTicket(h, 'contoso')).rejects.toThrow(/0x8004A104/);
    await expect(crmTicket(h, 'fabrikam')).resolves.toMatchObject({ ticket: expect.any(String) });
  });

  it('NO_PROXY_ROLE refuses impersonation only', async () => {
    h.emu.control.addScenario({ name: 'NO_PROXY_ROLE', account: SERVICE_ACCOUNT.liveId });
    expect(faultCode((await whoami(DEMO_IDS.jonWilson)).body)).toBe('0x80040220');
    expect((await whoami()).status).toBe(200);
  });

  it('DISABLED_USER refuses acting for that user only', async () => {
    h.emu.control.addScenario({ name: 'DISABLED_USER', user: DEMO_IDS.jonWilson });
    expect(faultCode((await whoami(DEMO_IDS.jonWilson)).body)).toBe('0x80040225');
    expect((await whoami(DEMO_IDS.noCreateAccountUser)).status).toBe(200);
  });

  it('USER_WITHOUT_RIGHT takes one right on one entity from the user acted for', async () => {
    h.emu.control.addScenario({
      name: 'USER_WITHOUT_RIGHT',
      user: DEMO_IDS.jonWilson,
      params: { right: 'create', entity: 'account' },
    });
    const create = (entity: string, field: string) =>
      h.post(
        CRM,
        crmXml(
          { ticket, org: 'contoso', callerId: DEMO_IDS.jonWilson },
          `<Create xmlns="${WS}"><entity xsi:type="${entity}"><${field}>${esc('x')}</${field}></entity></Create>`,
        ),
        crmAction('Create'),
      );
    expect(faultCode((await create('account', 'name')).body)).toBe('0x80040231');
    expect((await create('contact', 'lastname')).status).toBe(200);
  });

  it('REVOKED_CERTIFICATE makes the STS refuse the account certificate and lists it in the CRL', async () => {
    const client = h.clientWith({
      certPem: await readFile(h.emu.demo.certPath, 'utf8'),
      keyPem: await readFile(h.emu.demo.keyPath, 'utf8'),
      chainPem: await readFile(h.emu.demo.chainPath, 'utf8'),
    });
    const rst = () => h.post('/RST2.srf', rstXml(), { 'content-type': 'application/soap+xml' }, client);
    h.emu.control.addScenario({ name: 'REVOKED_CERTIFICATE', account: SERVICE_ACCOUNT.liveId });
    const refused = await rst();
    expect(refused.status).toBe(500);
    expect(liveFaultCode(refused.body)).toBe('0x80048866');
    h.emu.control.clearScenarios();
    expect((await rst()).status).toBe(200);
  });

  it('SLOW adds latency to the targeted endpoint only', async () => {
    h.emu.control.addScenario({ name: 'SLOW', endpoint: 'crm', params: { ms: 300 } });
    let started = Date.now();
    expect((await whoami()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    started = Date.now();
    await policy();
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('DROP_CONNECTION destroys the socket for the next N calls', async () => {
    h.emu.control.addScenario({ name: 'DROP_CONNECTION', endpoint: 'discovery', params: { count: 1 } });
    await expect(policy()).rejects.toThrow();
    expect((await policy()).status).toBe(200);
    expect(h.emu.control.state().scenarios).toEqual([]);
  });

  it('HTTP_500 answers a plain, non-SOAP 500', async () => {
    h.emu.control.addScenario({ name: 'HTTP_500', endpoint: 'crm' });
    const res = await whoami();
    expect(res.status).toBe(500);
    expect(String(res.headers['content-type'])).toContain('text/plain');
    expect(res.body).not.toContain('Envelope');
  });

  it('MALFORMED_REPLY sends a truncated reply that is not well-formed XML', async () => {
    h.emu.control.addScenario({ name: 'MALFORMED_REPLY', endpoint: 'crm' });
    const res = await whoami();
    expect(res.status).toBe(200);
    expect(res.body.startsWith('<?xml')).toBe(true);
    expect(XMLValidator.validate(res.body)).not.toBe(true);
  });

  it('HTML_LOGIN_PAGE answers 200 with a sign-in page', async () => {
    h.emu.control.addScenario({ name: 'HTML_LOGIN_PAGE', endpoint: 'discovery' });
    const res = await policy();
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('text/html');
    expect(res.body).toMatch(/<!DOCTYPE html>[\s\S]*<form/);
  });

  it('THROTTLED answers 503 or 429 with Retry-After', async () => {
    h.emu.control.addScenario({
      name: 'THROTTLED',
      endpoint: 'crm',
      params: { status: 429, retryAfterSec: 7 },
    });
    const res = await whoami();
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    h.emu.control.clearScenarios();
    h.emu.control.addScenario({ name: 'THROTTLED', endpoint: 'all' });
    const unavailable = await policy();
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('5');
  });

  it('RANDOM_EXPIRY expires tickets early, and an expired ticket stays expired', async () => {
    const { ticket: victim } = await crmTicket(h);
    h.emu.control.addScenario({ name: 'RANDOM_EXPIRY', params: { probability: 1 } });
    const call = () =>
      h.post(CRM, crmXml({ ticket: victim, org: 'contoso' }, WHOAMI_BODY), crmAction('Execute'));
    expect(faultCode((await call()).body)).toBe('0x8004A101');
    h.emu.control.clearScenarios();
    expect(faultCode((await call()).body)).toBe('0x8004A101');
    h.emu.control.addScenario({ name: 'RANDOM_EXPIRY', params: { probability: 0 } });
    expect((await whoami()).status).toBe(200);
  });

  it('applies to a fraction of calls', async () => {
    h.emu.control.addScenario({ name: 'HTTP_500', endpoint: 'crm', params: { fraction: 0.5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await whoami()).status);
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(4);
    expect(failed).toBeLessThan(36);
  });

  it('targets one org for transport scenarios', async () => {
    h.emu.control.addScenario({ name: 'HTTP_500', org: 'fabrikam', endpoint: 'crm' });
    expect((await whoami()).status).toBe(200);
    const { ticket: fab } = await crmTicket(h, 'fabrikam');
    const res = await h.post(
      CRM,
      crmXml({ ticket: fab, org: 'fabrikam' }, WHOAMI_BODY),
      crmAction('Execute'),
    );
    expect(res.status).toBe(500);
    expect(res.body).toBe('Internal Server Error');
  });
});
