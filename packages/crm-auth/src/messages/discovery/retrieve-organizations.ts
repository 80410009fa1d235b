import { notYet } from '../stub';
import type { OrganizationDetail, ParseOptions, SoapRequest } from '../types';

/** Discovery `Execute(RetrieveOrganizationsRequest)`: the orgs the Passport ticket's account belongs to. */
export function buildRetrieveOrganizationsRequest(_a: { passportTicket: string }): SoapRequest {
  return notYet('buildRetrieveOrganizationsRequest');
}

/** Parses `RetrieveOrganizationsResponse` (zero or more OrganizationDetail). */
export function parseRetrieveOrganizationsResponse(
  _xml: string,
  _opts?: ParseOptions,
): { organizationDetails: OrganizationDetail[] } {
  return notYet('parseRetrieveOrganizationsResponse');
}
