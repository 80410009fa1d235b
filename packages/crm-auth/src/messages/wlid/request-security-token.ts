import { notYet } from '../stub';
import type { ParseOptions, SoapRequest } from '../types';

/** WS-Trust 2005/02 `RequestSecurityToken` (SOAP 1.2) to the Windows Live STS. */
export function buildRequestSecurityTokenRequest(_a: {
  policy: string;
  appliesTo: string;
  stsUrl?: string;
}): SoapRequest {
  return notYet('buildRequestSecurityTokenRequest');
}

/** Parses `RequestSecurityTokenResponse`, wrapped in a `…Collection` or not. */
export function parseRequestSecurityTokenResponse(
  _xml: string,
  _opts?: ParseOptions,
): { ticket: string; created: Date; expires: Date } {
  return notYet('parseRequestSecurityTokenResponse');
}
