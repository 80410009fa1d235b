import { describe, expect, it } from 'vitest';
import { fixtureJson, fixtureXml, PASSPORT_TICKET, thrown, toSoap12 } from '../../../test/fixtures-helpers';
import { decodeMessage } from '../decode';
import {
  buildRetrieveOrganizationsRequest,
  parseRetrieveOrganizationsResponse,
} from './retrieve-organizations';

const CONTOSO = {
  crmMetadataServiceUrl: 'https://contoso.crm.dynamics.com/MSCrmServices/2007/MetadataService.asmx',
  crmServiceUrl: 'https://contoso.crm.dynamics.com/MSCrmServices/2007/CrmService.asmx',
  friendlyName: 'Contoso Ltd',
  organizationId: '9d3a5e6b-1c2f-4b8a-a7e4-3f6c2d1b0a99',
  organizationName: 'contoso',
  webApplicationUrl: 'https://contoso.crm.dynamics.com/',
};

function response(details: string): string {
  return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soap:Body><ExecuteResponse xmlns="http://schemas.microsoft.com/crm/2007/CrmDiscoveryService">
    <Response xsi:type="RetrieveOrganizationsResponse"><OrganizationDetails>${details}</OrganizationDetails></Response>
  </ExecuteResponse></soap:Body></soap:Envelope>`;
}

describe('RetrieveOrganizations', () => {
  it('builds exactly the fixture request, escaping the & of the Passport ticket', () => {
    const req = buildRetrieveOrganizationsRequest({ passportTicket: PASSPORT_TICKET });
    expect(PASSPORT_TICKET).toContain('&');
    expect(req.xml).toContain('&amp;p=</PassportTicket>');
    expect(req.xml).toBe(fixtureXml('discovery', 'retrieve-organizations-request'));
    expect(decodeMessage(req.xml)).toEqual(fixtureJson('discovery', 'retrieve-organizations-request'));
  });

  it('refuses to build without a ticket', () => {
    expect(thrown(() => buildRetrieveOrganizationsRequest({ passportTicket: '' })).code).toBe(
      'ERR_INVALID_OPTIONS',
    );
  });

  it('parses the fixture response, in order, in SOAP 1.1 and 1.2', () => {
    for (const xml of [
      fixtureXml('discovery', 'retrieve-organizations-response'),
      toSoap12(fixtureXml('discovery', 'retrieve-organizations-response')),
    ]) {
      const { organizationDetails } = parseRetrieveOrganizationsResponse(xml);
      expect(organizationDetails.map((o) => o.organizationName)).toEqual(['contoso', 'fabrikamnw']);
      expect(organizationDetails[0]).toEqual(CONTOSO);
    }
  });

  it('reads zero and one organizations as arrays', () => {
    expect(parseRetrieveOrganizationsResponse(response('')).organizationDetails).toEqual([]);
    const one = `<OrganizationDetail>
      <WebApplicationUrl>https://contoso.crm.dynamics.com/</WebApplicationUrl>
      <OrganizationName>contoso</OrganizationName>
      <OrganizationId>{9D3A5E6B-1C2F-4B8A-A7E4-3F6C2D1B0A99}</OrganizationId>
      <FriendlyName> Contoso Ltd </FriendlyName>
      <CrmServiceUrl>https://contoso.crm.dynamics.com/MSCrmServices/2007/CrmService.asmx</CrmServiceUrl>
      <CrmMetadataServiceUrl>https://contoso.crm.dynamics.com/MSCrmServices/2007/MetadataService.asmx</CrmMetadataServiceUrl>
    </OrganizationDetail>`;
    // Children reversed, key in braces and upper case, padded name: same result.
    expect(parseRetrieveOrganizationsResponse(response(one)).organizationDetails).toEqual([CONTOSO]);
  });

  it('refuses an organization without its CrmServiceUrl or with a bad id', () => {
    const noUrl = fixtureXml('discovery', 'retrieve-organizations-response').replace(
      /<CrmServiceUrl>[^<]*<\/CrmServiceUrl>/,
      '',
    );
    expect(thrown(() => parseRetrieveOrganizationsResponse(noUrl)).message).toMatch(
      /CrmServiceUrl is missing/,
    );
    const badId = fixtureXml('discovery', 'retrieve-organizations-response').replace(
      '9d3a5e6b-',
      'not-a-guid-',
    );
    expect(thrown(() => parseRetrieveOrganizationsResponse(badId)).code).toBe('ERR_UNEXPECTED_MESSAGE');
  });
});
