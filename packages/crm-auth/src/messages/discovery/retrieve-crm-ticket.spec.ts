import { describe, expect, it } from 'vitest';
import {
  CRM_TICKET,
  fixtureJson,
  fixtureXml,
  PASSPORT_TICKET,
  thrown,
  toSoap12,
} from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import { buildRetrieveCrmTicketRequest, parseRetrieveCrmTicketResponse } from './retrieve-crm-ticket';

const RESPONSE = fixtureXml('discovery', 'retrieve-crm-ticket-response');

describe('RetrieveCrmTicket', () => {
  it('builds exactly the fixture request, fields in WSDL order', () => {
    const req = buildRetrieveCrmTicketRequest({
      organizationName: 'contoso',
      passportTicket: PASSPORT_TICKET,
    });
    expect(req.xml).toBe(fixtureXml('discovery', 'retrieve-crm-ticket-request'));
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('discovery', 'retrieve-crm-ticket-request'));
  });

  it('parses the fixture response: ticket, UTC expiry, organization detail', () => {
    const r = parseRetrieveCrmTicketResponse(RESPONSE);
    expect(r.crmTicket).toBe(CRM_TICKET);
    expect(r.expirationDate).toEqual(new Date('2026-11-23T22:00:00Z'));
    expect(r.organizationDetail.crmServiceUrl).toBe(
      'https://contoso.crm.dynamics.com/MSCrmServices/2007/CrmService.asmx',
    );
    expect(r.organizationDetail.organizationId).toBe('9d3a5e6b-1c2f-4b8a-a7e4-3f6c2d1b0a99');
    expect(parseRetrieveCrmTicketResponse(toSoap12(RESPONSE))).toEqual(r);
  });

  it.each([
    ['2026-11-23T14:00:00-08:00', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23T22:00:00', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23T22:00:00.0000000Z', '2026-11-23T22:00:00.000Z'],
  ])('reads ExpirationDate %s leniently as %s', (text, iso) => {
    const xml = RESPONSE.replace('2026-11-23T22:00:00Z', text);
    expect(parseRetrieveCrmTicketResponse(xml).expirationDate.toISOString()).toBe(iso);
  });

  it.each([
    ['11/23/2026 10:00:00 PM', '2026-11-23T22:00:00.000Z'],
    ['11/23/2026 2:00:00 PM -08:00', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23T14:00:00.0000000-08:00', '2026-11-23T22:00:00.000Z'],
  ])('reads an ExpirationDate written as %s', (written, iso) => {
    const xml = RESPONSE.replace(
      /<ExpirationDate>[^<]*<\/ExpirationDate>/,
      `<ExpirationDate>${written}</ExpirationDate>`,
    );
    expect(xml).toContain(written);
    expect(parseRetrieveCrmTicketResponse(xml).expirationDate.toISOString()).toBe(iso);
  });

  it('does not depend on child order', () => {
    const ticket = /<CrmTicket>[^<]*<\/CrmTicket>/.exec(RESPONSE)![0];
    const reordered = RESPONSE.replace(ticket, '').replace(
      '</OrganizationDetail>',
      `</OrganizationDetail>${ticket}`,
    );
    expect(parseRetrieveCrmTicketResponse(reordered)).toEqual(parseRetrieveCrmTicketResponse(RESPONSE));
  });

  it('refuses a missing or doubled ticket, and a bad date, without echoing the ticket', () => {
    const ticket = /<CrmTicket>[^<]*<\/CrmTicket>/.exec(RESPONSE)![0];
    const missing = thrown(() => parseRetrieveCrmTicketResponse(RESPONSE.replace(ticket, '')));
    expect(missing.code).toBe('ERR_UNEXPECTED_MESSAGE');
    expect(missing.message).toMatch(/CrmTicket is missing/);
    const doubled = thrown(() => parseRetrieveCrmTicketResponse(RESPONSE.replace(ticket, ticket + ticket)));
    expect(doubled.message).toMatch(/more than one CrmTicket/);
    expect(doubled.message).not.toContain(CRM_TICKET.slice(0, 20));
    const badDate = thrown(() =>
      parseRetrieveCrmTicketResponse(RESPONSE.replace('2026-11-23T22:00:00Z', 'tomorrow')),
    );
    expect(badDate.message).toMatch(/ExpirationDate is not a valid date/);
  });

  it('throws ERR_XML_MALFORMED for the truncated fixture', () => {
    expect(
      thrown(() => parseRetrieveCrmTicketResponse(fixtureXml('hostile', 'truncated-envelope'))).code,
    ).toBe('ERR_XML_MALFORMED');
  });
});
