import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import {
  at,
  crmAction,
  crmTicket,
  crmXml,
  DISCOVERY_ACTION,
  discoveryXml,
  faultCode,
  listAt,
  parseReply,
  passportTicket,
  textAt,
  WHOAMI_BODY,
} from './soap-client';

const DISCOVERY = '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
const ALIAS = '/MSCrmServices/2007/CrmService.asmx';

describe('one CrmService URL per organization', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** The path part of an absolute URL the emulator handed out. */
  const pathOf = (url: string | undefined): string => {
    expect(url?.startsWith(`${h.emu.url}/`)).toBe(true);
    return new URL(url ?? '').pathname;
  };

  async function details(): Promise<Map<string, Record<string, string | undefined>>> {
    const passport = await passportTicket(h);
    const res = await h.post(
      DISCOVERY,
      discoveryXml('RetrieveOrganizationsRequest', { PassportTicket: passport }),
      DISCOVERY_ACTION,
    );
    expect(res.status).toBe(200);
    const list = listAt(
      parseReply(res.body),
      'Envelope/Body/ExecuteResponse/Response/OrganizationDetails/OrganizationDetail',
    );
    const byOrg = new Map<string, Record<string, string | undefined>>();
    for (const d of list) {
      const fields = [
        'CrmMetadataServiceUrl',
        'CrmServiceUrl',
        'OrganizationName',
        'WebApplicationUrl',
      ] as const;
      byOrg.set(
        textAt(d, 'OrganizationName') ?? '',
        Object.fromEntries(fields.map((f) => [f, textAt(d, f)])),
      );
    }
    return byOrg;
  }

  it('OrganizationDetail gives each org its own CrmService, MetadataService and web application URL, by path', async () => {
    const byOrg = await details();
    expect(byOrg.get('contoso')).toEqual({
      CrmMetadataServiceUrl: `${h.emu.url}/contoso/MSCrmServices/2007/MetadataService.asmx`,
      CrmServiceUrl: `${h.emu.url}/contoso/MSCrmServices/2007/CrmService.asmx`,
      OrganizationName: 'contoso',
      WebApplicationUrl: `${h.emu.url}/contoso/`,
    });
    expect(byOrg.get('fabrikam')?.['CrmServiceUrl']).toBe(
      `${h.emu.url}/fabrikam/MSCrmServices/2007/CrmService.asmx`,
    );
    expect(h.emu.crmServiceUrlFor('Contoso')).toBe(byOrg.get('contoso')?.['CrmServiceUrl']);
    // RetrieveCrmTicket's OrganizationDetail names the same URL as RetrieveOrganizations.
    const { reply } = await crmTicket(h, 'fabrikam');
    expect(
      textAt(
        parseReply(reply.body),
        'Envelope/Body/ExecuteResponse/Response/OrganizationDetail/CrmServiceUrl',
      ),
    ).toBe(byOrg.get('fabrikam')?.['CrmServiceUrl']);
  });

  it("answers an org's ticket at that org's CrmService URL", async () => {
    const { ticket, reply } = await crmTicket(h, 'contoso');
    const url = textAt(
      parseReply(reply.body),
      'Envelope/Body/ExecuteResponse/Response/OrganizationDetail/CrmServiceUrl',
    );
    const res = await h.post(
      pathOf(url),
      crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY),
      crmAction('Execute'),
    );
    expect(res.status).toBe(200);
    expect(textAt(parseReply(res.body), 'Envelope/Body/ExecuteResponse/Response/UserId')).toBe(
      DEMO_IDS.erpInContoso,
    );
    // The path is case-insensitive, as ASMX paths are.
    const upper = await h.post(
      '/CONTOSO/mscrmservices/2007/crmservice.ASMX',
      crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY),
      crmAction('Execute'),
    );
    expect(upper.status).toBe(200);
  });

  it("refuses a CRM ticket presented at another org's CrmService URL with the fault 0x8004A102 (BadAuthTicket)", async () => {
    const fabrikam = await crmTicket(h, 'fabrikam');
    const contoso = await crmTicket(h, 'contoso');
    const contosoUrl = pathOf(h.emu.crmServiceUrlFor('contoso'));
    const fabrikamUrl = pathOf(h.emu.crmServiceUrlFor('fabrikam'));
    for (const [url, token] of [
      // Fabrikam's ticket, named honestly, at Contoso's URL.
      [contosoUrl, { ticket: fabrikam.ticket, org: 'fabrikam' }],
      // Contoso's ticket, named honestly, at Fabrikam's URL.
      [fabrikamUrl, { ticket: contoso.ticket, org: 'contoso' }],
      // Contoso's ticket at Contoso's URL, but the token names Fabrikam.
      [contosoUrl, { ticket: contoso.ticket, org: 'fabrikam' }],
    ] as const) {
      const res = await h.post(url, crmXml(token, WHOAMI_BODY), crmAction('Execute'));
      expect(res.status).toBe(500);
      const fault = at(parseReply(res.body), 'Envelope/Body/Fault');
      expect(textAt(fault, 'faultcode')).toBe('soap:Server');
      expect(textAt(fault, 'faultstring')).toBe('Server was unable to process request.');
      expect(faultCode(res.body)).toBe('0x8004A102');
      expect(textAt(fault, 'detail/error/type')).toBe('Platform');
      expect(textAt(fault, 'detail/error/description')).toMatch(
        /ticket specified for authentication is invalid/,
      );
    }
    // Nothing ran: the refusal comes before the CrmService (no Create at the wrong org).
    const before = h.emu.control.records({ org: 'contoso', entity: 'account' }).length;
    const create = `<Create xmlns="http://schemas.microsoft.com/crm/2007/WebServices"><entity xsi:type="account"><name>Wrong door</name></entity></Create>`;
    const res = await h.post(
      contosoUrl,
      crmXml({ ticket: fabrikam.ticket, org: 'fabrikam' }, create),
      crmAction('Create'),
    );
    expect(faultCode(res.body)).toBe('0x8004A102');
    expect(h.emu.control.records({ org: 'contoso', entity: 'account' })).toHaveLength(before);
    expect(
      h.emu.control
        .records({ org: 'fabrikam', entity: 'account' })
        .some((r) => r.attributes['name'] === 'Wrong door'),
    ).toBe(false);
  });

  it('keeps the org-less CrmService path only as an alias (the token names the org) that discovery never advertises', async () => {
    const byOrg = await details();
    for (const detail of byOrg.values()) {
      expect(pathOf(detail['CrmServiceUrl']).toLowerCase()).not.toBe(ALIAS.toLowerCase());
    }
    expect(h.emu.crmServiceUrl).toBe(`${h.emu.url}${ALIAS}`);
    const contoso = await crmTicket(h, 'contoso');
    const ok = await h.post(
      ALIAS,
      crmXml({ ticket: contoso.ticket, org: 'contoso' }, WHOAMI_BODY),
      crmAction('Execute'),
    );
    expect(ok.status).toBe(200);
    // The alias still holds a ticket to its org: another org's name in the token is refused.
    const wrong = await h.post(
      ALIAS,
      crmXml({ ticket: contoso.ticket, org: 'fabrikam' }, WHOAMI_BODY),
      crmAction('Execute'),
    );
    expect(faultCode(wrong.body)).toBe('0x8004A102');
  });

  it('answers 404 at the CrmService URL of an org that does not exist', async () => {
    const contoso = await crmTicket(h, 'contoso');
    const res = await h.post(
      '/northwind/MSCrmServices/2007/CrmService.asmx',
      crmXml({ ticket: contoso.ticket, org: 'northwind' }, WHOAMI_BODY),
      crmAction('Execute'),
    );
    expect(res.status).toBe(404);
  });

  it("serves the org's CrmService WSDL with the org's URL as its address", async () => {
    const url = h.emu.crmServiceUrlFor('fabrikam');
    const res = await h.get(`${pathOf(url)}?WSDL`);
    expect(res.status).toBe(200);
    expect(XMLValidator.validate(res.body)).toBe(true);
    expect(res.body).toContain(`<soap:address location="${url}" />`);
  });

  it('serves a WSDL (200) at the advertised CrmMetadataServiceUrl?WSDL, and a NotImplemented fault to a metadata request', async () => {
    const byOrg = await details();
    for (const org of ['contoso', 'fabrikam']) {
      const url = byOrg.get(org)?.['CrmMetadataServiceUrl'];
      const res = await h.get(`${pathOf(url)}?WSDL`);
      expect(res.status).toBe(200);
      expect(String(res.headers['content-type'])).toContain('text/xml');
      expect(XMLValidator.validate(res.body)).toBe(true);
      const wsdl = parseReply(res.body);
      expect(at(wsdl, 'definitions/service/@_name')).toBe('MetadataService');
      expect(res.body).toContain('targetNamespace="http://schemas.microsoft.com/crm/2007/WebServices"');
      expect(res.body).toContain('soapAction="http://schemas.microsoft.com/crm/2007/WebServices/Execute"');
      expect(res.body).toContain('part="CrmAuthenticationToken"');
      expect(res.body).toContain(`<soap:address location="${url}" />`);
    }
    const contoso = await crmTicket(h, 'contoso');
    const request = crmXml(
      { ticket: contoso.ticket, org: 'contoso' },
      `<Execute xmlns="http://schemas.microsoft.com/crm/2007/WebServices"><Request xsi:type="RetrieveAttributeRequest"><EntityLogicalName>account</EntityLogicalName><LogicalName>industrycode</LogicalName><RetrieveAsIfPublished>true</RetrieveAsIfPublished></Request></Execute>`,
    );
    const res = await h.post(
      pathOf(byOrg.get('contoso')?.['CrmMetadataServiceUrl']),
      request,
      crmAction('Execute'),
    );
    expect(res.status).toBe(500);
    expect(faultCode(res.body)).toBe('0x80040219');
  });
});
