/**
 * Mutation-testing additions (stryker/README.md) for the discovery and Windows Live messages: the
 * builders' argument checks and wire constants, OrganizationDetail's required and optional parts,
 * and which RequestSecurityTokenResponse carries the compact ticket.
 */
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test/fixtures-helpers';
import { NS } from '../constants';
import { decodeMessage } from '../decode';
import {
  buildRequestSecurityTokenRequest,
  parseRequestSecurityTokenResponse,
} from '../wlid/request-security-token';
import { buildRetrieveCrmTicketRequest, parseRetrieveCrmTicketResponse } from './retrieve-crm-ticket';
import { buildRetrieveCrmUserIdByExternalIdRequest } from './retrieve-crm-user-id-by-external-id';
import {
  buildRetrieveOrganizationsRequest,
  parseRetrieveOrganizationsResponse,
} from './retrieve-organizations';

const ORG_ID = '5f1d0c2e-0000-4000-8000-00000000c0de';

function orgsResponse(detail: string): string {
  return `<soap:Envelope xmlns:soap="${NS.soap11}" xmlns:xsi="${NS.xsi}"><soap:Body><ExecuteResponse xmlns="${NS.cds}"><Response xsi:type="RetrieveOrganizationsResponse"><OrganizationDetails><OrganizationDetail>${detail}</OrganizationDetail></OrganizationDetails></Response></ExecuteResponse></soap:Body></soap:Envelope>`;
}

const FULL = {
  CrmMetadataServiceUrl: 'https://c/MetadataService.asmx',
  CrmServiceUrl: 'https://c/CrmService.asmx',
  FriendlyName: 'Contoso',
  OrganizationId: ORG_ID,
  OrganizationName: 'contoso',
  WebApplicationUrl: 'https://c/',
};
const detailXml = (fields: Record<string, string | undefined>) =>
  Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');

describe('discovery requests', () => {
  it('are SOAP 1.1 Execute requests with the discovery action and the operation as xsi:type', () => {
    const req = buildRetrieveCrmTicketRequest({ organizationName: 'contoso', passportTicket: 't=1&p=' });
    expect(req.soapAction).toBe('http://schemas.microsoft.com/crm/2007/CrmDiscoveryService/Execute');
    expect(req.contentType).toBe('text/xml; charset=utf-8');
    expect(decodeMessage(req.xml)).toEqual({
      service: 'discovery',
      kind: 'request',
      operation: 'RetrieveCrmTicket',
      soapVersion: '1.1',
      body: { organizationName: 'contoso', passportTicket: 't=1&p=' },
    });
  });

  it('refuse an empty argument with ERR_INVALID_OPTIONS naming it', () => {
    expect(
      thrown(() => buildRetrieveCrmTicketRequest({ organizationName: '', passportTicket: 't' })),
    ).toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'organizationName must be a non-empty string',
    });
    expect(
      thrown(() => buildRetrieveCrmTicketRequest({ organizationName: 'c', passportTicket: '' })).message,
    ).toBe('passportTicket must be a non-empty string');
    const userId = { externalId: '0003BFFD8F3A5B21', organizationName: 'contoso', passportTicket: 't' };
    expect(
      thrown(() => buildRetrieveCrmUserIdByExternalIdRequest({ ...userId, externalId: '' })).message,
    ).toBe('externalId must be a non-empty string');
    expect(
      thrown(() => buildRetrieveCrmUserIdByExternalIdRequest({ ...userId, organizationName: '' })).message,
    ).toBe('organizationName must be a non-empty string');
    expect(
      thrown(() => buildRetrieveCrmUserIdByExternalIdRequest({ ...userId, passportTicket: '' })).message,
    ).toBe('passportTicket must be a non-empty string');
    expect(decodeMessage(buildRetrieveCrmUserIdByExternalIdRequest(userId).xml).body).toEqual(userId);
  });

  it('names an empty Passport ticket in RetrieveOrganizations', () => {
    expect(thrown(() => buildRetrieveOrganizationsRequest({ passportTicket: '' }))).toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'passportTicket must be a non-empty string',
    });
  });
});

describe('OrganizationDetail', () => {
  it('allows empty display fields and URLs other than CrmServiceUrl', () => {
    const { organizationDetails } = parseRetrieveOrganizationsResponse(
      orgsResponse(
        detailXml({ ...FULL, FriendlyName: '', CrmMetadataServiceUrl: '', WebApplicationUrl: '' }),
      ),
    );
    expect(organizationDetails).toEqual([
      {
        crmMetadataServiceUrl: '',
        crmServiceUrl: 'https://c/CrmService.asmx',
        friendlyName: '',
        organizationId: ORG_ID,
        organizationName: 'contoso',
        webApplicationUrl: '',
      },
    ]);
  });

  it('requires each of its six fields and a non-empty unique name, naming the one missing', () => {
    for (const name of Object.keys(FULL)) {
      const err = thrown(() =>
        parseRetrieveOrganizationsResponse(orgsResponse(detailXml({ ...FULL, [name]: undefined }))),
      );
      expect(err).toMatchObject({
        code: 'ERR_UNEXPECTED_MESSAGE',
        message: `RetrieveOrganizationsResponse: ${name} is missing`,
        operation: 'RetrieveOrganizations',
      });
    }
    expect(
      thrown(() =>
        parseRetrieveOrganizationsResponse(orgsResponse(detailXml({ ...FULL, OrganizationName: ' ' }))),
      ).message,
    ).toBe('RetrieveOrganizationsResponse: OrganizationName is not a valid value');
  });

  it('is required in RetrieveCrmTicketResponse', () => {
    const xml = `<soap:Envelope xmlns:soap="${NS.soap11}" xmlns:xsi="${NS.xsi}"><soap:Body><ExecuteResponse xmlns="${NS.cds}"><Response xsi:type="RetrieveCrmTicketResponse"><CrmTicket>t</CrmTicket><ExpirationDate>2026-11-23T22:00:00Z</ExpirationDate></Response></ExecuteResponse></soap:Body></soap:Envelope>`;
    expect(thrown(() => parseRetrieveCrmTicketResponse(xml)).message).toBe(
      'RetrieveCrmTicketResponse: OrganizationDetail is missing',
    );
  });
});

describe('RequestSecurityToken', () => {
  const rstr = (inner: string, ns: string = NS.wst) =>
    `<S:Envelope xmlns:S="${NS.soap12}"><S:Body><wst:RequestSecurityTokenResponse xmlns:wst="${ns}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">${inner}</wst:RequestSecurityTokenResponse></S:Body></S:Envelope>`;
  const LIFETIME =
    '<wst:Lifetime><wsu:Created>2026-11-23T14:00:00Z</wsu:Created><wsu:Expires>2026-11-24T14:00:00Z</wsu:Expires></wst:Lifetime>';
  const TOKEN =
    '<wst:RequestedSecurityToken><wsse:BinarySecurityToken>t=abc&amp;p=</wsse:BinarySecurityToken></wst:RequestedSecurityToken>';

  it('refuses an empty policy or partner domain, naming it', () => {
    expect(
      thrown(() => buildRequestSecurityTokenRequest({ policy: '', appliesTo: 'crm.dynamics.com' })),
    ).toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'policy must be a non-empty string',
    });
    expect(thrown(() => buildRequestSecurityTokenRequest({ policy: 'MBI_SSL', appliesTo: '' })).message).toBe(
      'appliesTo must be a non-empty string',
    );
  });

  it('reads a bare response in WS-Trust 2005/02 and in WS-Trust 1.3', () => {
    const expected = {
      ticket: 't=abc&p=',
      created: new Date('2026-11-23T14:00:00Z'),
      expires: new Date('2026-11-24T14:00:00Z'),
    };
    expect(parseRequestSecurityTokenResponse(rstr(TOKEN + LIFETIME))).toEqual(expected);
    expect(parseRequestSecurityTokenResponse(rstr(TOKEN + LIFETIME, NS.wst13))).toEqual(expected);
  });

  it('refuses a bare response without the compact ticket or its lifetime, naming the part', () => {
    expect(thrown(() => parseRequestSecurityTokenResponse(rstr(LIFETIME))).message).toBe(
      'RequestSecurityTokenResponse: RequestedSecurityToken/BinarySecurityToken is missing',
    );
    expect(thrown(() => parseRequestSecurityTokenResponse(rstr(TOKEN))).message).toBe(
      'RequestSecurityTokenResponse: Lifetime/Created is missing',
    );
  });

  it('in a collection, takes only a RequestSecurityTokenResponse whose RequestedSecurityToken holds a BinarySecurityToken', () => {
    const collection = (inner: string) =>
      `<S:Envelope xmlns:S="${NS.soap12}"><S:Body><wst:RequestSecurityTokenResponseCollection xmlns:wst="${NS.wst}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">${inner}</wst:RequestSecurityTokenResponseCollection></S:Body></S:Envelope>`;
    const decoy = `<wst:Other>${TOKEN}${LIFETIME}</wst:Other>`;
    const tokenOutside = `<wst:RequestSecurityTokenResponse><wsse:BinarySecurityToken>x</wsse:BinarySecurityToken>${LIFETIME}</wst:RequestSecurityTokenResponse>`;
    const emptyToken = `<wst:RequestSecurityTokenResponse><wst:RequestedSecurityToken><wsse:Other/></wst:RequestedSecurityToken>${LIFETIME}</wst:RequestSecurityTokenResponse>`;
    const err = thrown(() =>
      parseRequestSecurityTokenResponse(collection(decoy + tokenOutside + emptyToken)),
    );
    expect(err).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'RequestSecurityTokenResponse: no RequestSecurityTokenResponse carries a BinarySecurityToken',
    });
    const good = `<wst:RequestSecurityTokenResponse>${TOKEN}${LIFETIME}</wst:RequestSecurityTokenResponse>`;
    expect(parseRequestSecurityTokenResponse(collection(emptyToken + good)).ticket).toBe('t=abc&p=');
  });

  it('in a collection, skips an empty RequestedSecurityToken and a BinarySecurityToken held by another element', () => {
    const collection = (inner: string) =>
      `<S:Envelope xmlns:S="${NS.soap12}"><S:Body><wst:RequestSecurityTokenResponseCollection xmlns:wst="${NS.wst}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">${inner}</wst:RequestSecurityTokenResponseCollection></S:Body></S:Envelope>`;
    const rst = (inner: string) =>
      `<wst:RequestSecurityTokenResponse>${inner}${LIFETIME}</wst:RequestSecurityTokenResponse>`;
    const empty = rst('<wst:RequestedSecurityToken/>');
    const proof = rst(
      '<wst:RequestedProofToken><wsse:BinarySecurityToken>proof</wsse:BinarySecurityToken></wst:RequestedProofToken>',
    );
    // The ticket's RequestedSecurityToken may hold more than the BinarySecurityToken.
    const good = rst(
      '<wst:RequestedSecurityToken><wsse:BinarySecurityToken>t=abc&amp;p=</wsse:BinarySecurityToken><wsse:Extra/></wst:RequestedSecurityToken>',
    );
    expect(parseRequestSecurityTokenResponse(collection(empty + good)).ticket).toBe('t=abc&p=');
    expect(parseRequestSecurityTokenResponse(collection(proof + good)).ticket).toBe('t=abc&p=');
    expect(parseRequestSecurityTokenResponse(collection(good)).ticket).toBe('t=abc&p=');
  });

  it('writes the RST with the Id RST0', () => {
    const { xml } = buildRequestSecurityTokenRequest({ policy: 'MBI_SSL', appliesTo: 'crm.dynamics.com' });
    expect(xml).toMatch(/<wst:RequestSecurityToken Id="RST0">/);
  });

  it('decodes an RST request in WS-Trust 1.3 as well', () => {
    const xml = buildRequestSecurityTokenRequest({
      policy: 'MBI_SSL',
      appliesTo: 'crm.dynamics.com',
    }).xml.replaceAll(NS.wst, NS.wst13);
    expect(decodeMessage(xml)).toMatchObject({
      service: 'wlid',
      kind: 'request',
      operation: 'RequestSecurityToken',
      soapVersion: '1.2',
    });
  });
});
