import { requireText } from '../arguments';
import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { OrganizationDetail, ParseOptions, SoapRequest } from '../types';
import { buildDiscoveryRequest, discoverySpec, ORGANIZATION_DETAIL } from './discovery-execute';

interface RetrieveCrmTicketArgs {
  organizationName: string;
  passportTicket: string;
}
interface RetrieveCrmTicketResult {
  crmTicket: string;
  expirationDate: Date;
  organizationDetail: OrganizationDetail;
}

const REQUEST_FIELDS: FieldTable<RetrieveCrmTicketArgs> = {
  organizationName: f.nonEmpty('OrganizationName'),
  passportTicket: f.nonEmpty('PassportTicket'),
};
const RESPONSE_FIELDS: FieldTable<RetrieveCrmTicketResult> = {
  crmTicket: f.nonEmpty('CrmTicket'),
  expirationDate: f.date('ExpirationDate'),
  organizationDetail: f.nested('OrganizationDetail', ORGANIZATION_DETAIL),
};

/** RetrieveCrmTicket request and response, as data for parsing and decoding. */
export const RETRIEVE_CRM_TICKET = {
  request: discoverySpec('RetrieveCrmTicket', 'request', (el, ctx) => extract(el, REQUEST_FIELDS, ctx)),
  response: discoverySpec('RetrieveCrmTicket', 'response', (el, ctx) => extract(el, RESPONSE_FIELDS, ctx)),
} as const;

/** Discovery `Execute(RetrieveCrmTicketRequest)`: a CRM ticket for one org (fields in WSDL order). */
export function buildRetrieveCrmTicketRequest(a: RetrieveCrmTicketArgs): SoapRequest {
  return buildDiscoveryRequest('RetrieveCrmTicket', [
    ['OrganizationName', requireText(a.organizationName, 'organizationName')],
    ['PassportTicket', requireText(a.passportTicket, 'passportTicket')],
  ]);
}

/** Parses `RetrieveCrmTicketResponse`. `expirationDate` without an offset is read as UTC. */
export function parseRetrieveCrmTicketResponse(xml: string, opts?: ParseOptions): RetrieveCrmTicketResult {
  return parseExpected(xml, RETRIEVE_CRM_TICKET.response, opts);
}
