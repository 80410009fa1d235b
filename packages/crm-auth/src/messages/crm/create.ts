import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { CrmAuthenticationToken, Entity, ParseOptions, SoapRequest } from '../types';
import { buildCrmRequest, crmSpec, wrapperNode } from './crm-service';
import { entityNode, readEntity } from './entity-xml';

const REQUEST_FIELDS: FieldTable<{ entity: Entity }> = { entity: f.element('entity', readEntity) };
const RESPONSE_FIELDS: FieldTable<{ id: string }> = { id: f.guid('CreateResult') };

/** Create request and response, as data for parsing and decoding. */
export const CREATE = {
  request: crmSpec('Create', 'request', { name: 'Create' }, (e, ctx) => extract(e, REQUEST_FIELDS, ctx)),
  response: crmSpec('Create', 'response', { name: 'CreateResponse' }, (e, ctx) =>
    extract(e, RESPONSE_FIELDS, ctx),
  ),
} as const;

/**
 * CrmService `Create`. String attributes are written as XML-escaped text; Lookup attributes as
 * `{GUID}` with `type` (and `name` when given). With `token.callerId` set, CRM records that user as
 * `createdby` and the service account as `createdonbehalfby`.
 */
export function buildCreateRequest(token: CrmAuthenticationToken, a: { entity: Entity }): SoapRequest {
  return buildCrmRequest(token, 'Create', wrapperNode('Create', [entityNode('entity', a.entity)]));
}

/** Parses `CreateResponse/CreateResult`: the new record's id (lower case, no braces). */
export function parseCreateResponse(xml: string, opts?: ParseOptions): { id: string } {
  return parseExpected(xml, CREATE.response, opts);
}
