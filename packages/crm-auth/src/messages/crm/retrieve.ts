import { notYet } from '../stub';
import type { CrmAuthenticationToken, Entity, ParseOptions, SoapRequest } from '../types';

/** CrmService `Retrieve`: one record by id, with the given columns or all. */
export function buildRetrieveRequest(
  _token: CrmAuthenticationToken,
  _a: { entityName: string; id: string; columns: string[] | 'all' },
): SoapRequest {
  return notYet('buildRetrieveRequest');
}

/** Parses `RetrieveResponse/RetrieveResult`. */
export function parseRetrieveResponse(_xml: string, _opts?: ParseOptions): { entity: Entity } {
  return notYet('parseRetrieveResponse');
}
