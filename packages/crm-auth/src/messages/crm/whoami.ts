import { el } from '../../xml/xml-writer';
import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { CrmAuthenticationToken, ParseOptions, SoapRequest } from '../types';
import { buildCrmRequest, crmSpec, wrapperNode } from './crm-service';

interface WhoAmIResult {
  userId: string;
  businessUnitId: string;
  organizationId: string;
}

const RESPONSE_FIELDS: FieldTable<WhoAmIResult> = {
  userId: f.guid('UserId'),
  businessUnitId: f.guid('BusinessUnitId'),
  organizationId: f.guid('OrganizationId'),
};

/** WhoAmI request and response, as data for parsing and decoding. */
export const WHO_AM_I = {
  request: crmSpec<Record<string, never>>(
    'WhoAmI',
    'request',
    { name: 'Execute', executeType: 'WhoAmIRequest' },
    () => ({}),
  ),
  response: crmSpec(
    'WhoAmI',
    'response',
    { name: 'ExecuteResponse', executeType: 'WhoAmIResponse' },
    (e, ctx) => extract(e, RESPONSE_FIELDS, ctx),
  ),
} as const;

/**
 * CrmService `Execute(WhoAmIRequest)`: the authenticated caller. A `callerId` does not change the
 * answer: `UserId` is the service account (docs/protocol.md, WhoAmI).
 */
export function buildWhoAmIRequest(token: CrmAuthenticationToken): SoapRequest {
  return buildCrmRequest(
    token,
    'Execute',
    wrapperNode('Execute', [el('Request', [['xsi:type', 'WhoAmIRequest']])]),
  );
}

/** Parses `ExecuteResponse/Response xsi:type="WhoAmIResponse"`. */
export function parseWhoAmIResponse(xml: string, opts?: ParseOptions): WhoAmIResult {
  return parseExpected(xml, WHO_AM_I.response, opts);
}
