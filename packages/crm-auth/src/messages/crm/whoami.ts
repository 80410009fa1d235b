import { notYet } from '../stub';
import type { CrmAuthenticationToken, ParseOptions, SoapRequest } from '../types';

/** CrmService `Execute(WhoAmIRequest)`. */
export function buildWhoAmIRequest(_token: CrmAuthenticationToken): SoapRequest {
  return notYet('buildWhoAmIRequest');
}

/** Parses `ExecuteResponse/Response xsi:type="WhoAmIResponse"`. */
export function parseWhoAmIResponse(
  _xml: string,
  _opts?: ParseOptions,
): { userId: string; businessUnitId: string; organizationId: string } {
  return notYet('parseWhoAmIResponse');
}
