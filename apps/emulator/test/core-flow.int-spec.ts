import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import {
  crmAction,
  crmTicket,
  crmXml,
  DISCOVERY_ACTION,
  discoveryXml,
  at,
  faultCode,
  listAt,
  parseReply,
  passportTicket,
  textAt,
  WHOAMI_BODY,
} from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';
const DISCOVERY = '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';

describe('the certificate → Passport → CRM ticket → CrmService flow', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('issues a Passport ticket to the demo certificate', async () => {
    const ticket = await passportTicket(h);
    expect(ticket).toMatch(/^t=[A-Za-z0-9+/]+={1,2}&p=$/);
  });

  it('lists only the orgs where the account is a user', async () => {
    const passport = await passportTicket(h);
    const res = await h.post(
      DISCOVERY,
      discoveryXml('RetrieveOrganizationsRequest', { PassportTicket: passport }),
      DISCOVERY_ACTION,
    );
    expect(res.status).toBe(200);
    const details = listAt(
      parseReply(res.body),
      'Envelope/Body/ExecuteResponse/Response/OrganizationDetails/OrganizationDetail',
    );
    const names = details.map((d) => textAt(d, 'OrganizationName'));
    expect(names.sort()).toEqual(['contoso', 'fabrikam']);
  });

  it('answers WhoAmI with the service account when not impersonating', async () => {
    const { ticket } = await crmTicket(h);
    const res = await h.post(CRM, crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY), crmAction('Execute'));
    expect(res.status).toBe(200);
    const response = at(parseReply(res.body), 'Envelope/Body/ExecuteResponse/Response');
    expect(textAt(response, 'UserId')).toBe(DEMO_IDS.erpInContoso);
    expect(textAt(response, 'OrganizationId')).toBe(DEMO_IDS.contosoOrg);
    expect(textAt(response, 'BusinessUnitId')).toBe(DEMO_IDS.contosoBu);
  });

  it('stamps an impersonated Create with the user and the service account on behalf', async () => {
    const { ticket } = await crmTicket(h);
    const res = await h.post(
      CRM,
      crmXml(
        { ticket, org: 'contoso', callerId: DEMO_IDS.jonWilson },
        `<Create xmlns="http://schemas.microsoft.com/crm/2007/WebServices"><entity xsi:type="account"><name>Woodgrove Bank</name></entity></Create>`,
      ),
      crmAction('Create'),
    );
    expect(res.status).toBe(200);
    const id = textAt(parseReply(res.body), 'Envelope/Body/CreateResponse/CreateResult');
    const record = h.emu.control.records({ org: 'contoso', entity: 'account' }).find((r) => r.id === id);
    expect(record?.attributes['createdby']).toMatchObject({ id: DEMO_IDS.jonWilson, name: 'Jon Wilson' });
    expect(record?.attributes['createdonbehalfby']).toMatchObject({
      id: DEMO_IDS.erpInContoso,
      name: 'ERP_Integration',
    });
    expect(record?.attributes['ownerid']).toMatchObject({ id: DEMO_IDS.jonWilson });
  });

  it('refuses a CRM ticket of another org with 0x8004A102', async () => {
    const { ticket } = await crmTicket(h, 'fabrikam');
    const res = await h.post(CRM, crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY), crmAction('Execute'));
    expect(res.status).toBe(500);
    expect(faultCode(res.body)).toBe('0x8004A102');
  });
});
