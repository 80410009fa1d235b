import { notYet } from '../stub';
import type { ParseOptions, SoapRequest } from '../types';

/** Discovery `Execute(RetrieveCrmUserIdByExternalIdRequest)`: the systemuserid of a Live user (HexPUID). */
export function buildRetrieveCrmUserIdByExternalIdRequest(_a: {
  externalId: string;
  organizationName: string;
  passportTicket: string;
}): SoapRequest {
  return notYet('buildRetrieveCrmUserIdByExternalIdRequest');
}

/** Parses `RetrieveCrmUserIdByExternalIdResponse`. */
export function parseRetrieveCrmUserIdByExternalIdResponse(
  _xml: string,
  _opts?: ParseOptions,
): { crmUserId: string } {
  return notYet('parseRetrieveCrmUserIdByExternalIdResponse');
}
