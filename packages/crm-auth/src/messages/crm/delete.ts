import { notYet } from '../stub';
import type { CrmAuthenticationToken, ParseOptions, SoapRequest } from '../types';

/** CrmService `Delete`. */
export function buildDeleteRequest(
  _token: CrmAuthenticationToken,
  _a: { entityName: string; id: string },
): SoapRequest {
  return notYet('buildDeleteRequest');
}

/** Parses the empty `DeleteResponse`. */
export function parseDeleteResponse(_xml: string, _opts?: ParseOptions): Record<string, never> {
  return notYet('parseDeleteResponse');
}
