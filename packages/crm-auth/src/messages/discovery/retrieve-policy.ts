import { notYet } from '../stub';
import type { ParseOptions, SoapRequest } from '../types';

/** Discovery `Execute(RetrievePolicyRequest)`: asks for the Windows Live policy (e.g. `MBI_SSL`). */
export function buildRetrievePolicyRequest(): SoapRequest {
  return notYet('buildRetrievePolicyRequest');
}

/** Parses `RetrievePolicyResponse`. Throws CrmAuthError on a fault or any other message. */
export function parseRetrievePolicyResponse(_xml: string, _opts?: ParseOptions): { policy: string } {
  return notYet('parseRetrievePolicyResponse');
}
