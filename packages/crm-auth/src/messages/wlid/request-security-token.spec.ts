import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, PASSPORT_TICKET, thrown } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import {
  buildRequestSecurityTokenRequest,
  parseRequestSecurityTokenResponse,
} from './request-security-token';

const RSTR = fixtureXml('wlid', 'request-security-token-response');

function collection(rstrs: string): string {
  return `<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body>
    <wst:RequestSecurityTokenResponseCollection xmlns:wst="http://schemas.xmlsoap.org/ws/2005/02/trust"
      xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
      xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${rstrs}
    </wst:RequestSecurityTokenResponseCollection></S:Body></S:Envelope>`;
}

const PASSPORT_TB = `<wst:RequestSecurityTokenResponse><wst:TokenType>urn:passport:legacy</wst:TokenType>
  <wst:Lifetime><wsu:Created>2026-11-23T14:00:00Z</wsu:Created><wsu:Expires>2026-11-24T14:00:00Z</wsu:Expires></wst:Lifetime>
  <wst:RequestedSecurityToken><EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#">x</EncryptedData></wst:RequestedSecurityToken>
</wst:RequestSecurityTokenResponse>`;
const COMPACT = `<wst:RequestSecurityTokenResponse>
  <wst:RequestedSecurityToken><wsse:BinarySecurityToken Id="Compact1">t=abc&amp;p=</wsse:BinarySecurityToken></wst:RequestedSecurityToken>
  <wst:Lifetime><wsu:Expires>2026-11-24T14:00:00Z</wsu:Expires><wsu:Created>2026-11-23T14:00:00</wsu:Created></wst:Lifetime>
</wst:RequestSecurityTokenResponse>`;

describe('RequestSecurityToken', () => {
  it('builds a SOAP 1.2 RST that decodes to the fixture request body', () => {
    const req = buildRequestSecurityTokenRequest({ policy: 'MBI_SSL', appliesTo: 'crm.dynamics.com' });
    expect(req.contentType).toBe('application/soap+xml; charset=utf-8');
    expect(req.soapAction).toBe('http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue');
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('wlid', 'request-security-token'));
    expect(req.xml).toContain('<wsa:To s:mustUnderstand="1">http://Passport.NET/tb</wsa:To>');
  });

  it('writes wsa:To http://Passport.NET/tb for any partner domain, and escapes the policy attribute', () => {
    const req = buildRequestSecurityTokenRequest({ policy: 'a"b', appliesTo: 'crm4.dynamics.com' });
    expect(req.xml).toContain('<wsa:To s:mustUnderstand="1">http://Passport.NET/tb</wsa:To>');
    expect(decodeMessage(req.xml).body).toEqual({
      requestType: 'http://schemas.xmlsoap.org/ws/2005/02/trust/Issue',
      appliesTo: 'crm4.dynamics.com',
      policy: 'a"b',
    });
  });

  it('parses the fixture response: the compact ticket and its lifetime', () => {
    expect(parseRequestSecurityTokenResponse(RSTR)).toEqual({
      ticket: PASSPORT_TICKET,
      created: new Date('2026-11-23T14:00:00Z'),
      expires: new Date('2026-11-24T14:00:00Z'),
    });
  });

  it('picks the compact ticket out of a RequestSecurityTokenResponseCollection, in any child order', () => {
    expect(parseRequestSecurityTokenResponse(collection(PASSPORT_TB + COMPACT))).toEqual({
      ticket: 't=abc&p=',
      created: new Date('2026-11-23T14:00:00Z'),
      expires: new Date('2026-11-24T14:00:00Z'),
    });
    expect(decodeMessage(collection(COMPACT)).operation).toBe('RequestSecurityToken');
  });

  it('refuses a collection without a compact ticket', () => {
    expect(thrown(() => parseRequestSecurityTokenResponse(collection(PASSPORT_TB))).code).toBe(
      'ERR_UNEXPECTED_MESSAGE',
    );
  });

  it('throws ERR_WLID_FAULT with the psf code for a Live fault', () => {
    const err = thrown(() =>
      parseRequestSecurityTokenResponse(fixtureXml('wlid', 'fault-certificate-not-associated')),
    );
    expect(err.code).toBe('ERR_WLID_FAULT');
    expect(err.faultCode).toBe('0x80048862');
    expect(err.notExecuted).toBe(true);
  });

  it('refuses the device-registration reply, which is not SOAP', () => {
    expect(
      thrown(() => parseRequestSecurityTokenResponse(fixtureXml('hostile', 'not-soap-device-add-response')))
        .code,
    ).toBe('ERR_XML_MALFORMED');
  });
});
