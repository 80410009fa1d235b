import { requireText } from '../arguments';
import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { ParseOptions, SoapRequest } from '../types';
import { buildDiscoveryRequest, discoverySpec } from './discovery-execute';

interface RetrieveCrmUserIdArgs {
  externalId: string;
  organizationName: string;
  passportTicket: string;
}

const REQUEST_FIELDS: FieldTable<RetrieveCrmUserIdArgs> = {
  externalId: f.nonEmpty('ExternalId'),
  organizationName: f.nonEmpty('OrganizationName'),
  passportTicket: f.nonEmpty('PassportTicket'),
};
const RESPONSE_FIELDS: FieldTable<{ crmUserId: string }> = { crmUserId: f.guid('CrmUserId') };

/** RetrieveCrmUserIdByExternalId request and response, as data for parsing and decoding. */
export const RETRIEVE_CRM_USER_ID_BY_EXTERNAL_ID = {
  request: discoverySpec('RetrieveCrmUserIdByExternalId', 'request', (el, ctx) =>
    extract(el, REQUEST_FIELDS, ctx),
  ),
  response: discoverySpec('RetrieveCrmUserIdByExternalId', 'response', (el, ctx) =>
    extract(el, RESPONSE_FIELDS, ctx),
  ),
} as const;

/**
 * Discovery `Execute(RetrieveCrmUserIdByExternalIdRequest)`: the systemuserid of a Live user.
 * `externalId` is the HexPUID, sent as given.
 */
export function buildRetrieveCrmUserIdByExternalIdRequest(a: RetrieveCrmUserIdArgs): SoapRequest {
  return buildDiscoveryRequest('RetrieveCrmUserIdByExternalId', [
    ['ExternalId', requireText(a.externalId, 'externalId')],
    ['OrganizationName', requireText(a.organizationName, 'organizationName')],
    ['PassportTicket', requireText(a.passportTicket, 'passportTicket')],
  ]);
}

/** Parses `RetrieveCrmUserIdByExternalIdResponse`. */
export function parseRetrieveCrmUserIdByExternalIdResponse(
  xml: string,
  opts?: ParseOptions,
): { crmUserId: string } {
  return parseExpected(xml, RETRIEVE_CRM_USER_ID_BY_EXTERNAL_ID.response, opts);
}
