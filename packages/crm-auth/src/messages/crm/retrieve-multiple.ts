import { extract, f, type FieldTable } from '../fields';
import { parseExpected } from '../message';
import type { CrmAuthenticationToken, Entity, ParseOptions, SoapRequest } from '../types';
import { buildCrmRequest, crmSpec, wrapperNode } from './crm-service';
import { readEntity } from './entity-xml';
import { type QueryExpression, queryExpressionNode, readQueryExpression } from './query-expression';

interface RetrieveMultipleResult {
  moreRecords: boolean;
  pagingCookie: string | null;
  entities: Entity[];
}

const REQUEST_FIELDS: FieldTable<{ query: QueryExpression }> = {
  query: f.element('query', readQueryExpression),
};

// BusinessEntityCollection carries MoreRecords and PagingCookie as XML attributes (docs/protocol.md §5.2).
const RESULT_FIELDS: FieldTable<RetrieveMultipleResult> = {
  moreRecords: f.map(f.bool('@MoreRecords').optional(), (more) => more ?? false),
  // An empty cookie is no cookie.
  pagingCookie: f.map(f.text('@PagingCookie').optional(), (cookie) => cookie || null),
  entities: f.list('BusinessEntities/BusinessEntity', f.custom(readEntity)),
};

const RESULT = f.nested('RetrieveMultipleResult', RESULT_FIELDS);

/** RetrieveMultiple request and response, as data for parsing and decoding. */
export const RETRIEVE_MULTIPLE = {
  request: crmSpec('RetrieveMultiple', 'request', { name: 'RetrieveMultiple' }, (e, ctx) =>
    extract(e, REQUEST_FIELDS, ctx),
  ),
  response: crmSpec('RetrieveMultiple', 'response', { name: 'RetrieveMultipleResponse' }, (e, ctx) =>
    RESULT.read(e, ctx),
  ),
} as const;

/** CrmService `RetrieveMultiple` with a QueryExpression. */
export function buildRetrieveMultipleRequest(
  token: CrmAuthenticationToken,
  a: { query: QueryExpression },
): SoapRequest {
  return buildCrmRequest(
    token,
    'RetrieveMultiple',
    wrapperNode('RetrieveMultiple', [queryExpressionNode(a.query)]),
  );
}

/**
 * Parses `RetrieveMultipleResponse/RetrieveMultipleResult`. `MoreRecords` may be 1/0/true/false;
 * `pagingCookie` is null when absent or empty. Pass it back in `pageInfo.pagingCookie` for the next page.
 */
export function parseRetrieveMultipleResponse(xml: string, opts?: ParseOptions): RetrieveMultipleResult {
  return parseExpected(xml, RETRIEVE_MULTIPLE.response, opts);
}
