import { notYet } from '../stub';
import type { OrganizationDetail, ParseOptions, SoapRequest } from '../types';

/** Discovery `Execute(RetrieveCrmTicketRequest)`: a CRM ticket for one org. */
export function buildRetrieveCrmTicketRequest(_a: {
  organizationName: string;
  passportTicket: string;
}): SoapRequest {
  return notYet('buildRetrieveCrmTicketRequest');
}

/** Parses `RetrieveCrmTicketResponse`. `expirationDate` without an offset is read as UTC. */
export function parseRetrieveCrmTicketResponse(
  _xml: string,
  _opts?: ParseOptions,
): { crmTicket: string; expirationDate: Date; organizationDetail: OrganizationDetail } {
  return notYet('parseRetrieveCrmTicketResponse');
}
