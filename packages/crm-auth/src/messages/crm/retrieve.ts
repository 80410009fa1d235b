import { assertSafeName, el } from '../../xml/xml-writer';
import { requireGuid } from '../arguments';
import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { CrmAuthenticationToken, Entity, ParseOptions, SoapRequest } from '../types';
import { buildCrmRequest, crmSpec, wrapperNode } from './crm-service';
import { columnSetNode, readColumnSet, readEntity } from './entity-xml';

interface RetrieveArgs {
  entityName: string;
  id: string;
  columns: string[] | 'all';
}

const REQUEST_FIELDS: FieldTable<RetrieveArgs> = {
  entityName: f.nonEmpty('entityName'),
  id: f.guid('id'),
  columns: f.element('columnSet', readColumnSet),
};
const RESPONSE_FIELDS: FieldTable<{ entity: Entity }> = {
  entity: f.element('RetrieveResult', readEntity),
};

/** Retrieve request and response, as data for parsing and decoding. */
export const RETRIEVE = {
  request: crmSpec('Retrieve', 'request', { name: 'Retrieve' }, (e, ctx) => extract(e, REQUEST_FIELDS, ctx)),
  response: crmSpec('Retrieve', 'response', { name: 'RetrieveResponse' }, (e, ctx) =>
    extract(e, RESPONSE_FIELDS, ctx),
  ),
} as const;

/** CrmService `Retrieve`: one record by id, with the given columns or all. */
export function buildRetrieveRequest(token: CrmAuthenticationToken, a: RetrieveArgs): SoapRequest {
  assertSafeName(a.entityName, 'entityName');
  return buildCrmRequest(
    token,
    'Retrieve',
    wrapperNode('Retrieve', [
      el('entityName', null, a.entityName),
      el('id', null, requireGuid(a.id, 'id')),
      columnSetNode('columnSet', a.columns, true),
    ]),
  );
}

/** Parses `RetrieveResponse/RetrieveResult`. */
export function parseRetrieveResponse(xml: string, opts?: ParseOptions): { entity: Entity } {
  return parseExpected(xml, RETRIEVE.response, opts);
}
