import { CrmAuthError } from '../../errors';
import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { CrmAuthenticationToken, Entity, ParseOptions, SoapRequest } from '../types';
import { toGuid } from '../values';
import { buildCrmRequest, crmSpec, wrapperNode } from './crm-service';
import { entityNode, readEntity } from './entity-xml';

const REQUEST_FIELDS: FieldTable<{ entity: Entity }> = { entity: f.element('entity', readEntity) };

/** Update request and response, as data for parsing and decoding. */
export const UPDATE = {
  request: crmSpec('Update', 'request', { name: 'Update' }, (e, ctx) => extract(e, REQUEST_FIELDS, ctx)),
  response: crmSpec<Record<string, never>>('Update', 'response', { name: 'UpdateResponse' }, () => ({})),
} as const;

/**
 * CrmService `Update`. The entity must carry its primary key, `<logicalName>id` (or `activityid` for
 * activities), as a GUID string: without it CRM cannot tell which record to change.
 */
export function buildUpdateRequest(token: CrmAuthenticationToken, a: { entity: Entity }): SoapRequest {
  const { logicalName, attributes } = a.entity;
  const key = attributes[`${logicalName}id`] ?? attributes['activityid'];
  if (typeof key !== 'string' || toGuid(key) === undefined) {
    throw new CrmAuthError(
      'ERR_INVALID_OPTIONS',
      `entity must carry its primary key ${logicalName}id as a GUID`,
    );
  }
  return buildCrmRequest(token, 'Update', wrapperNode('Update', [entityNode('entity', a.entity)]));
}

/** Parses the empty `UpdateResponse`. */
export function parseUpdateResponse(xml: string, opts?: ParseOptions): Record<string, never> {
  return parseExpected(xml, UPDATE.response, opts);
}
