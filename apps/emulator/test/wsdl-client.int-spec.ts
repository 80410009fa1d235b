import https from 'node:https';
import * as soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './emulator-harness';
import { crmTicket, passportTicket } from './soap-client';

const CDS = 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService';
const CT = 'http://schemas.microsoft.com/crm/2007/CoreTypes';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';
const XSI_TYPE = (type: string, xmlns: string) => ({ attributes: { xsi_type: { type, xmlns } } });

/**
 * An off-the-shelf SOAP client (node-soap, from npm) loads each `.asmx?WSDL` and calls the
 * services the way generated proxies do. It knows nothing of this code base, so it checks that
 * the WSDL describes what the endpoints accept.
 */
describe('WSDL works with an off-the-shelf SOAP client (node-soap)', () => {
  let h: Harness;
  let agent: https.Agent;
  beforeAll(async () => {
    h = await startHarness();
    agent = new https.Agent({ ca: h.emu.caCertPem, keepAlive: false });
  });
  afterAll(async () => {
    agent?.destroy();
    await h?.close();
  });

  const client = (url: string) =>
    soap.createClientAsync(`${url}?WSDL`, { wsdl_options: { httpsAgent: agent }, wsdl_headers: {}, endpoint: url }, undefined).then((c) => {
      c.setSecurity({ addOptions: (o: Record<string, unknown>) => Object.assign(o, { httpsAgent: agent }), toXML: () => '' } as never);
      return c;
    });

  it('calls RetrievePolicy and RetrieveCrmTicket on the discovery service', async () => {
    const c = await client(h.emu.discoveryUrl);
    expect(Object.keys(c.describe())).toContain('CrmDiscoveryService');
    const [policy] = (await c.ExecuteAsync({ Request: XSI_TYPE('RetrievePolicyRequest', CDS) })) as [{ Response: { Policy: string } }];
    expect(policy.Response.Policy).toBe('MBI_SSL');
    const passport = await passportTicket(h);
    const [ticket] = (await c.ExecuteAsync({
      Request: { ...XSI_TYPE('RetrieveCrmTicketRequest', CDS), OrganizationName: 'contoso', PassportTicket: passport },
    })) as [{ Response: { CrmTicket: string; OrganizationDetail: { OrganizationName: string } } }];
    expect(ticket.Response.CrmTicket.length).toBeGreaterThan(10);
    expect(ticket.Response.OrganizationDetail.OrganizationName).toBe('contoso');
  });

  it('calls Execute(WhoAmI) on CrmService with the CrmAuthenticationToken header', async () => {
    const { ticket } = await crmTicket(h);
    const c = await client(h.emu.crmServiceUrl);
    c.addSoapHeader(
      `<CrmAuthenticationToken xmlns="${WS}"><AuthenticationType xmlns="${CT}">1</AuthenticationType>` +
        `<CrmTicket xmlns="${CT}">${ticket.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</CrmTicket>` +
        `<OrganizationName xmlns="${CT}">contoso</OrganizationName><CallerId xmlns="${CT}">00000000-0000-0000-0000-000000000000</CallerId></CrmAuthenticationToken>`,
    );
    const [who] = (await c.ExecuteAsync({ Request: XSI_TYPE('WhoAmIRequest', WS) })) as [{ Response: { UserId: string; OrganizationId: string } }];
    expect(who.Response.UserId.toLowerCase()).toMatch(/^[0-9a-f-]{36}$/);
    expect(who.Response.OrganizationId).toBeTruthy();
  });
});
