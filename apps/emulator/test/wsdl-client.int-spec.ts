import https from 'node:https';
import * as soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { crmTicket, passportTicket } from './soap-client';

const CDS = 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService';
const CT = 'http://schemas.microsoft.com/crm/2007/CoreTypes';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';
const XSI_TYPE = (type: string, xmlns: string) => ({ attributes: { xsi_type: { type, xmlns } } });

/**
 * The xsi:type of the first `element` of a reply as a resolved QName: the prefix is looked up on
 * the element itself, then on the nearest ancestor that declares it (an unprefixed type takes the
 * default namespace in scope).
 */
function typeNamespace(xml: string, element: string): { ns: string | undefined; name: string } | undefined {
  const start = new RegExp(`<(?:\\w+:)?${element}\\b[^>]*>`).exec(xml);
  if (!start) return undefined;
  const type = /xsi:type="([^"]+)"/.exec(start[0])?.[1] ?? '';
  const [prefix, name] = type.includes(':') ? (type.split(':') as [string, string]) : ['', type];
  const decl = prefix ? `xmlns:${prefix}="` : 'xmlns="';
  const upto = xml.slice(0, start.index + start[0].length);
  const at = upto.lastIndexOf(decl);
  const ns = at < 0 ? undefined : upto.slice(at + decl.length, upto.indexOf('"', at + decl.length));
  return { ns, name };
}

/** The target namespaces of the WSDL's schemas that declare a complex type of this name. */
function declaredIn(c: soap.Client, type: string): string[] {
  const schemas = (
    c.wsdl.definitions as unknown as { schemas: Record<string, { complexTypes?: Record<string, unknown> }> }
  ).schemas;
  return Object.entries(schemas)
    .filter(([, schema]) => schema.complexTypes?.[type] !== undefined)
    .map(([ns]) => ns);
}

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
    soap
      .createClientAsync(
        `${url}?WSDL`,
        { wsdl_options: { httpsAgent: agent }, wsdl_headers: {}, endpoint: url },
        undefined,
      )
      .then((c) => {
        c.setSecurity({
          addOptions: (o: Record<string, unknown>) => Object.assign(o, { httpsAgent: agent }),
          toXML: () => '',
        } as never);
        return c;
      });

  it('calls RetrievePolicy and RetrieveCrmTicket on the discovery service', async () => {
    const c = await client(h.emu.discoveryUrl);
    expect(Object.keys(c.describe())).toContain('CrmDiscoveryService');
    const [policy] = (await c.ExecuteAsync({ Request: XSI_TYPE('RetrievePolicyRequest', CDS) })) as [
      { Response: { Policy: string } },
    ];
    expect(policy.Response.Policy).toBe('MBI_SSL');
    const passport = await passportTicket(h);
    const [ticket] = (await c.ExecuteAsync({
      Request: {
        ...XSI_TYPE('RetrieveCrmTicketRequest', CDS),
        OrganizationName: 'contoso',
        PassportTicket: passport,
      },
    })) as [{ Response: { CrmTicket: string; OrganizationDetail: { OrganizationName: string } } }];
    expect(ticket.Response.CrmTicket.length).toBeGreaterThan(10);
    expect(ticket.Response.OrganizationDetail.OrganizationName).toBe('contoso');
  });

  /** A CrmService client whose every call carries the token header (CallerId all zeros unless given). */
  async function crmClient(callerId = '00000000-0000-0000-0000-000000000000'): Promise<soap.Client> {
    const { ticket } = await crmTicket(h);
    const c = await client(h.emu.crmServiceUrl);
    c.addSoapHeader(
      `<CrmAuthenticationToken xmlns="${WS}"><AuthenticationType xmlns="${CT}">1</AuthenticationType>` +
        `<CrmTicket xmlns="${CT}">${ticket.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</CrmTicket>` +
        `<OrganizationName xmlns="${CT}">contoso</OrganizationName><CallerId xmlns="${CT}">${callerId}</CallerId></CrmAuthenticationToken>`,
    );
    return c;
  }

  it('calls Execute(WhoAmI) on CrmService with the CrmAuthenticationToken header', async () => {
    const c = await crmClient();
    const [who] = (await c.ExecuteAsync({ Request: XSI_TYPE('WhoAmIRequest', WS) })) as [
      { Response: { UserId: string; OrganizationId: string } },
    ];
    expect(who.Response.UserId.toLowerCase()).toMatch(/^[0-9a-f-]{36}$/);
    expect(who.Response.OrganizationId).toBeTruthy();
  });

  it('an impersonated Execute(WhoAmI) answers the service account', async () => {
    const c = await crmClient(DEMO_IDS.jonWilson);
    const [who] = (await c.ExecuteAsync({ Request: XSI_TYPE('WhoAmIRequest', WS) })) as [
      { Response: { UserId: string } },
    ];
    expect(who.Response.UserId.toLowerCase()).toBe(DEMO_IDS.erpInContoso);
  });

  it('Retrieve gives back a {2007}systemuser, a type the WSDL declares, with its attribute values (not an empty shell)', async () => {
    const c = await crmClient();
    const [res] = (await c.RetrieveAsync({
      entityName: 'systemuser',
      id: DEMO_IDS.jonWilson,
      columnSet: {
        attributes: { xsi_type: { type: 'ColumnSet', xmlns: 'http://schemas.microsoft.com/crm/2006/Query' } },
        Attributes: { Attribute: ['fullname', 'domainname'] },
      },
    })) as [{ RetrieveResult: Record<string, unknown> }];
    const user = res.RetrieveResult;
    // The derived type names a type the WSDL declares: {2007/WebServices}systemuser.
    expect(typeNamespace(c.lastResponse as string, 'RetrieveResult')).toEqual({ ns: WS, name: 'systemuser' });
    expect(declaredIn(c, 'systemuser')).toEqual([WS]);
    expect(user['fullname']).toBe('Jon Wilson');
    expect(user['domainname']).toBe('JonW');
    expect(JSON.stringify(user['systemuserid'])).toContain(DEMO_IDS.jonWilson.toUpperCase());
  });

  it('RetrieveMultiple gives back {2007}account objects in a 2006 BusinessEntities collection, with their attribute values', async () => {
    const c = await crmClient();
    const Q = 'http://schemas.microsoft.com/crm/2006/Query';
    const [res] = (await c.RetrieveMultipleAsync({
      query: {
        attributes: { xsi_type: { type: 'QueryExpression', xmlns: Q } },
        // A plain xsi:type attribute here: node-soap declares the namespace twice when xsi_type repeats its parent's.
        ColumnSet: {
          attributes: { 'xsi:type': 'cq:ColumnSet', 'xmlns:cq': Q },
          Attributes: { Attribute: ['name', 'createdby'] },
        },
        EntityName: 'account',
        PageInfo: { PageNumber: 1, Count: 2 },
      },
    })) as [
      {
        RetrieveMultipleResult: {
          attributes: Record<string, string>;
          BusinessEntities: { BusinessEntity: Array<Record<string, unknown>> };
        };
      },
    ];
    const result = res.RetrieveMultipleResult;
    expect(result.attributes['EntityName']).toBe('account');
    const entities = result.BusinessEntities.BusinessEntity;
    expect(typeNamespace(c.lastResponse as string, 'BusinessEntity')).toEqual({ ns: WS, name: 'account' });
    expect(/<BusinessEntities xmlns="([^"]+)"/.exec(c.lastResponse as string)?.[1]).toBe(
      'http://schemas.microsoft.com/crm/2006/WebServices',
    );
    expect(declaredIn(c, 'account')).toEqual([WS]);
    expect(entities).toHaveLength(2);
    for (const e of entities) {
      expect(typeof e['name']).toBe('string');
      expect((e['name'] as string).length).toBeGreaterThan(0);
      expect(e['accountid']).toBeTruthy();
    }
    const createdBy = entities[0]?.['createdby'] as
      { $value?: string; attributes?: Record<string, string> } | undefined;
    expect(createdBy?.attributes?.['type']).toBe('systemuser');
    expect(createdBy?.$value).toMatch(/^\{[0-9A-F-]{36}\}$/);
  });
});
