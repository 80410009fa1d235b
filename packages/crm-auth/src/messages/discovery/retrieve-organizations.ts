import { requireText } from '../arguments';
import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { OrganizationDetail, ParseOptions, SoapRequest } from '../types';
import { buildDiscoveryRequest, discoverySpec, ORGANIZATION_DETAIL } from './discovery-execute';

const REQUEST_FIELDS: FieldTable<{ passportTicket: string }> = {
  passportTicket: f.nonEmpty('PassportTicket'),
};
const RESPONSE_FIELDS: FieldTable<{ organizationDetails: OrganizationDetail[] }> = {
  organizationDetails: f.list('OrganizationDetails/OrganizationDetail', ORGANIZATION_DETAIL),
};

/** RetrieveOrganizations request and response, as data for parsing and decoding. */
export const RETRIEVE_ORGANIZATIONS = {
  request: discoverySpec('RetrieveOrganizations', 'request', (el, ctx) => extract(el, REQUEST_FIELDS, ctx)),
  response: discoverySpec('RetrieveOrganizations', 'response', (el, ctx) =>
    extract(el, RESPONSE_FIELDS, ctx),
  ),
} as const;

/** Discovery `Execute(RetrieveOrganizationsRequest)`: the orgs the Passport ticket's account belongs to. */
export function buildRetrieveOrganizationsRequest(a: { passportTicket: string }): SoapRequest {
  return buildDiscoveryRequest('RetrieveOrganizations', [
    ['PassportTicket', requireText(a.passportTicket, 'passportTicket')],
  ]);
}

/** Parses `RetrieveOrganizationsResponse` (zero or more OrganizationDetail, in the order sent). */
export function parseRetrieveOrganizationsResponse(
  xml: string,
  opts?: ParseOptions,
): { organizationDetails: OrganizationDetail[] } {
  return parseExpected(xml, RETRIEVE_ORGANIZATIONS.response, opts);
}
