import { notYet } from '../stub';
import type { CrmAuthenticationToken, Entity, ParseOptions, SoapRequest } from '../types';
import type { QueryExpression } from './query-expression';

/** CrmService `RetrieveMultiple` with a QueryExpression. */
export function buildRetrieveMultipleRequest(
  _token: CrmAuthenticationToken,
  _a: { query: QueryExpression },
): SoapRequest {
  return notYet('buildRetrieveMultipleRequest');
}

/** Parses `RetrieveMultipleResponse/RetrieveMultipleResult`. */
export function parseRetrieveMultipleResponse(
  _xml: string,
  _opts?: ParseOptions,
): { moreRecords: boolean; pagingCookie: string | null; entities: Entity[] } {
  return notYet('parseRetrieveMultipleResponse');
}
