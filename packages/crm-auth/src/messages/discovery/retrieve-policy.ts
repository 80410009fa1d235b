import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { ParseOptions, SoapRequest } from '../types';
import { buildDiscoveryRequest, discoverySpec } from './discovery-execute';

const RESPONSE_FIELDS: FieldTable<{ policy: string }> = { policy: f.nonEmpty('Policy') };

/** RetrievePolicy request and response, as data for parsing and decoding. */
export const RETRIEVE_POLICY = {
  request: discoverySpec<Record<string, never>>('RetrievePolicy', 'request', () => ({})),
  response: discoverySpec('RetrievePolicy', 'response', (el, ctx) => extract(el, RESPONSE_FIELDS, ctx)),
} as const;

/** Discovery `Execute(RetrievePolicyRequest)`: asks for the Windows Live policy (e.g. `MBI_SSL`). */
export function buildRetrievePolicyRequest(): SoapRequest {
  return buildDiscoveryRequest('RetrievePolicy', []);
}

/** Parses `RetrievePolicyResponse`. Throws CrmAuthError on a fault or any other message. */
export function parseRetrievePolicyResponse(xml: string, opts?: ParseOptions): { policy: string } {
  return parseExpected(xml, RETRIEVE_POLICY.response, opts);
}
