import { assertSafeName, el } from '../../xml/xml-writer';
import { requireGuid } from '../arguments';
import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { CrmAuthenticationToken, ParseOptions, SoapRequest } from '../types';
import { buildCrmRequest, crmSpec, wrapperNode } from './crm-service';

interface DeleteArgs {
  entityName: string;
  id: string;
}

const REQUEST_FIELDS: FieldTable<DeleteArgs> = { entityName: f.nonEmpty('entityName'), id: f.guid('id') };

/** Delete request and response, as data for parsing and decoding. */
export const DELETE = {
  request: crmSpec('Delete', 'request', { name: 'Delete' }, (e, ctx) => extract(e, REQUEST_FIELDS, ctx)),
  response: crmSpec<Record<string, never>>('Delete', 'response', { name: 'DeleteResponse' }, () => ({})),
} as const;

/** CrmService `Delete`. */
export function buildDeleteRequest(token: CrmAuthenticationToken, a: DeleteArgs): SoapRequest {
  assertSafeName(a.entityName, 'entityName');
  return buildCrmRequest(
    token,
    'Delete',
    wrapperNode('Delete', [el('entityName', null, a.entityName), el('id', null, requireGuid(a.id, 'id'))]),
  );
}

/** Parses the empty `DeleteResponse`. */
export function parseDeleteResponse(xml: string, opts?: ParseOptions): Record<string, never> {
  return parseExpected(xml, DELETE.response, opts);
}
