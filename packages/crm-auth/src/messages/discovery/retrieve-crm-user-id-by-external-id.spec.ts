import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, PASSPORT_TICKET, thrown, toSoap12 } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import {
  buildRetrieveCrmUserIdByExternalIdRequest,
  parseRetrieveCrmUserIdByExternalIdResponse,
} from './retrieve-crm-user-id-by-external-id';

const RESPONSE = fixtureXml('discovery', 'retrieve-crm-user-id-by-external-id-response');

describe('RetrieveCrmUserIdByExternalId', () => {
  it('builds exactly the fixture request, the HexPUID as given', () => {
    const fixture = fixtureJson('discovery', 'retrieve-crm-user-id-by-external-id-request');
    const req = buildRetrieveCrmUserIdByExternalIdRequest({
      externalId: (fixture['body'] as { externalId: string }).externalId,
      organizationName: 'contoso',
      passportTicket: PASSPORT_TICKET,
    });
    expect(req.xml).toBe(fixtureXml('discovery', 'retrieve-crm-user-id-by-external-id-request'));
    expect(decodeMessage(req.xml)).toEqual(
      fixtureJson('discovery', 'retrieve-crm-user-id-by-external-id-request'),
    );
  });

  it('parses the fixture response in SOAP 1.1 and 1.2', () => {
    const expected = { crmUserId: 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c' };
    expect(parseRetrieveCrmUserIdByExternalIdResponse(RESPONSE)).toEqual(expected);
    expect(parseRetrieveCrmUserIdByExternalIdResponse(toSoap12(RESPONSE))).toEqual(expected);
  });

  it('accepts the id in braces and upper case, and an unprefixed xsi:type under a prefixed wrapper', () => {
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <soap:Body><cds:ExecuteResponse xmlns:cds="http://schemas.microsoft.com/crm/2007/CrmDiscoveryService" xmlns="http://schemas.microsoft.com/crm/2007/CrmDiscoveryService">
        <cds:Response xsi:type="RetrieveCrmUserIdByExternalIdResponse"><CrmUserId>{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</CrmUserId></cds:Response>
      </cds:ExecuteResponse></soap:Body></soap:Envelope>`;
    expect(parseRetrieveCrmUserIdByExternalIdResponse(xml).crmUserId).toBe(
      'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c',
    );
  });

  it('maps "no such user" (ObjectDoesNotExist) to ERR_CRM_OBJECT_NOT_FOUND', () => {
    const fault = fixtureXml('discovery', 'fault-bad-auth-ticket').replace('0x8004A102', '0x80040217');
    const err = thrown(() => parseRetrieveCrmUserIdByExternalIdResponse(fault));
    expect(err.code).toBe('ERR_CRM_OBJECT_NOT_FOUND');
    expect(err.notExecuted).toBe(true);
  });

  it('refuses an xsi:type whose prefix resolves to another namespace', () => {
    const xml = RESPONSE.replace(
      'xsi:type="RetrieveCrmUserIdByExternalIdResponse"',
      'xmlns:o="urn:other" xsi:type="o:RetrieveCrmUserIdByExternalIdResponse"',
    );
    expect(thrown(() => parseRetrieveCrmUserIdByExternalIdResponse(xml)).code).toBe('ERR_UNEXPECTED_MESSAGE');
  });
});
