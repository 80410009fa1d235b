import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, thrown, toSoap12 } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import { buildRetrievePolicyRequest, parseRetrievePolicyResponse } from './retrieve-policy';

describe('RetrievePolicy', () => {
  it('builds exactly the fixture request, with the discovery SOAPAction, as SOAP 1.1', () => {
    const req = buildRetrievePolicyRequest();
    expect(req.xml).toBe(fixtureXml('discovery', 'retrieve-policy-request'));
    expect(req.soapAction).toBe('http://schemas.microsoft.com/crm/2007/CrmDiscoveryService/Execute');
    expect(req.contentType).toBe('text/xml; charset=utf-8');
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('discovery', 'retrieve-policy-request'));
  });

  it('parses the fixture response', () => {
    expect(parseRetrievePolicyResponse(fixtureXml('discovery', 'retrieve-policy-response'))).toEqual({
      policy: 'MBI_SSL',
    });
  });

  it('parses the SOAP 1.2 form of the fixture', () => {
    expect(
      parseRetrievePolicyResponse(toSoap12(fixtureXml('discovery', 'retrieve-policy-response'))),
    ).toEqual({
      policy: 'MBI_SSL',
    });
  });

  it('accepts other prefixes, a prefixed xsi:type, CDATA and whitespace around the value', () => {
    const xml = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
      <e:Body><d:ExecuteResponse xmlns:d="http://schemas.microsoft.com/crm/2007/CrmDiscoveryService">
        <d:Response i:type="d:RetrievePolicyResponse"><d:Policy>
          <![CDATA[MBI_SSL]]>
        </d:Policy></d:Response>
      </d:ExecuteResponse></e:Body></e:Envelope>`;
    expect(parseRetrievePolicyResponse(xml)).toEqual({ policy: 'MBI_SSL' });
  });

  it('throws the mapped fault error, proving the request was not executed', () => {
    const err = thrown(() => parseRetrievePolicyResponse(fixtureXml('discovery', 'fault-bad-auth-ticket')));
    expect(err.code).toBe('ERR_CRM_BAD_TICKET');
    expect(err.faultCode).toBe('0x8004A102');
    expect(err.faultDescription).toBe('The ticket specified for authentication is invalid');
    expect(err.notExecuted).toBe(true);
    expect(err.operation).toBe('RetrievePolicy');
  });

  it('refuses another well-formed message as unexpected', () => {
    const err = thrown(() =>
      parseRetrievePolicyResponse(fixtureXml('discovery', 'retrieve-crm-user-id-by-external-id-response')),
    );
    expect(err.code).toBe('ERR_UNEXPECTED_MESSAGE');
    expect(err.message).toContain('RetrieveCrmUserIdByExternalIdResponse');
    // A request is not a response either.
    expect(
      thrown(() => parseRetrievePolicyResponse(fixtureXml('discovery', 'retrieve-policy-request'))).code,
    ).toBe('ERR_UNEXPECTED_MESSAGE');
  });

  it('refuses a response in the wrong namespace or with an empty policy', () => {
    const wrongNs = fixtureXml('discovery', 'retrieve-policy-response').replace(
      'crm/2007/CrmDiscoveryService',
      'crm/2007/WebServices',
    );
    expect(thrown(() => parseRetrievePolicyResponse(wrongNs)).code).toBe('ERR_UNEXPECTED_MESSAGE');
    const empty = fixtureXml('discovery', 'retrieve-policy-response').replace('MBI_SSL', ' ');
    expect(thrown(() => parseRetrievePolicyResponse(empty)).code).toBe('ERR_UNEXPECTED_MESSAGE');
  });

  it('refuses an HTML page with its own code', () => {
    expect(thrown(() => parseRetrievePolicyResponse(fixtureXml('hostile', 'html-login-page'))).code).toBe(
      'ERR_HTML_INSTEAD_OF_SOAP',
    );
  });
});
