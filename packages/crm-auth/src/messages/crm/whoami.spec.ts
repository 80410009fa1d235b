import { describe, expect, it } from 'vitest';
import {
  fixtureJson,
  fixtureXml,
  renamePrefix,
  thrown,
  TOKEN,
  toSoap12,
} from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import { buildWhoAmIRequest, parseWhoAmIResponse } from './whoami';

const RESPONSE = fixtureXml('crm', 'whoami-response');
/** The service account: WhoAmI answers it even while impersonating (docs/protocol.md). */
const IDS = {
  userId: '5b2e7c1a-9f34-4d6e-8b01-2a7c3e9d4f60',
  businessUnitId: '2f8e1d4c-6a3b-4c7d-9e0f-1a2b3c4d5e6f',
  organizationId: '9d3a5e6b-1c2f-4b8a-a7e4-3f6c2d1b0a99',
};

describe('WhoAmI', () => {
  it('builds exactly the fixture request: Execute action, token header in CoreTypes order', () => {
    const req = buildWhoAmIRequest(TOKEN);
    expect(req.xml).toBe(fixtureXml('crm', 'whoami-request'));
    expect(req.soapAction).toBe('http://schemas.microsoft.com/crm/2007/WebServices/Execute');
    expect(req.contentType).toBe('text/xml; charset=utf-8');
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('crm', 'whoami-request'));
    const order = ['AuthenticationType', 'CrmTicket', 'OrganizationName', 'CallerId'].map((n) =>
      req.xml.indexOf(`<${n} `),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('writes an all-zero CallerId when not impersonating, and decodes it as null', () => {
    for (const callerId of [null, undefined]) {
      const req = buildWhoAmIRequest({ ...TOKEN, callerId });
      expect(req.xml).toContain('>00000000-0000-0000-0000-000000000000</CallerId>');
      expect(decodeMessage(req.xml).header?.callerId).toBeNull();
    }
  });

  it('normalizes a braced upper-case CallerId and refuses a non-GUID one', () => {
    const req = buildWhoAmIRequest({ ...TOKEN, callerId: '{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}' });
    expect(req.xml).toContain('>c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c</CallerId>');
    expect(thrown(() => buildWhoAmIRequest({ ...TOKEN, callerId: 'jon' })).code).toBe('ERR_INVALID_OPTIONS');
  });

  it('never puts the ticket into an error message', () => {
    const err = thrown(() => buildWhoAmIRequest({ ...TOKEN, organizationName: '' }));
    expect(err.message).not.toContain(TOKEN.crmTicket.slice(0, 16));
  });

  it('parses the fixture response, in SOAP 1.2 and with other prefixes', () => {
    expect(parseWhoAmIResponse(RESPONSE)).toEqual(IDS);
    expect(parseWhoAmIResponse(toSoap12(RESPONSE))).toEqual(IDS);
    expect(parseWhoAmIResponse(renamePrefix(RESPONSE, 'soap', 'SOAP-ENV'))).toEqual(IDS);
  });

  it('accepts fully prefixed children and braced ids', () => {
    const xml = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <soap:Body><ws:ExecuteResponse xmlns:ws="http://schemas.microsoft.com/crm/2007/WebServices">
        <ws:Response xsi:type="ws:WhoAmIResponse">
          <ws:UserId>{5B2E7C1A-9F34-4D6E-8B01-2A7C3E9D4F60}</ws:UserId>
          <ws:OrganizationId>9D3A5E6B-1C2F-4B8A-A7E4-3F6C2D1B0A99</ws:OrganizationId>
          <ws:BusinessUnitId><![CDATA[2f8e1d4c-6a3b-4c7d-9e0f-1a2b3c4d5e6f]]></ws:BusinessUnitId>
        </ws:Response></ws:ExecuteResponse></soap:Body></soap:Envelope>`;
    expect(parseWhoAmIResponse(xml)).toEqual(IDS);
  });

  it('throws ERR_CRM_EXPIRED_TICKET for the expired-ticket fault', () => {
    const err = thrown(() => parseWhoAmIResponse(fixtureXml('crm', 'fault-expired-auth-ticket')));
    expect(err.code).toBe('ERR_CRM_EXPIRED_TICKET');
    expect(err.faultCode).toBe('0x8004A101');
    expect(err.notExecuted).toBe(true);
    expect(err.operation).toBe('WhoAmI');
  });

  it('refuses an Execute response of another request type', () => {
    const other = RESPONSE.replace('WhoAmIResponse', 'WhoIsResponse');
    const err = thrown(() => parseWhoAmIResponse(other));
    expect(err.code).toBe('ERR_UNEXPECTED_MESSAGE');
    expect(err.message).toContain('WhoIsResponse');
  });
});
