/**
 * QueryExpression (`…/crm/2006/Query`, docs/protocol.md §5.2): its types, how it is written under the
 * `q1` prefix, and how a received one is read back.
 */
import { CrmAuthError } from '../../errors';
import { attr, resolveQName, type XmlElement } from '../../xml/xml-element';
import { assertSafeName, el, type XNode } from '../../xml/xml-writer';
import { NS } from '../constants';
import { extract, f, type FieldTable, type ReadContext, unexpected } from '../fields';
import { columnSetNode, readColumnSet } from './entity-xml';

/** One condition of a QueryExpression's criteria. */
export interface ConditionExpression {
  attribute: string;
  /** CRM ConditionOperator name: Equal, NotEqual, Null, NotNull, GreaterThan, LessThan, OnOrAfter, OnOrBefore, Like, … */
  operator: string;
  /** Written as `xsd:string`; CRM converts them to the attribute's type. */
  values: string[];
}

/** A CRM 4.0 QueryExpression. */
export interface QueryExpression {
  entityName: string;
  columns: string[] | 'all';
  distinct?: boolean;
  criteria?: { filterOperator?: 'And' | 'Or'; conditions: ConditionExpression[] };
  orders?: { attribute: string; descending?: boolean }[];
  /** `pagingCookie` is the previous page's PagingCookie; null or absent for the first page. */
  pageInfo?: { pageNumber: number; count: number; pagingCookie?: string | null };
}

function invalid(what: string): CrmAuthError {
  return new CrmAuthError('ERR_INVALID_OPTIONS', `query.${what}`);
}

function count(n: unknown, what: string): string {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw invalid(`${what} must be a non-negative integer`);
  return String(n);
}

/**
 * `<query xmlns:q1="…/2006/Query" xsi:type="q1:QueryExpression">` with EntityName, ColumnSet, Distinct,
 * PageInfo, Criteria, Orders (the schema's order).
 */
export function queryExpressionNode(q: QueryExpression): XNode {
  assertSafeName(q.entityName, 'query.entityName');
  const children: XNode[] = [
    el('q1:EntityName', null, q.entityName),
    columnSetNode('q1:ColumnSet', q.columns, false),
    el('q1:Distinct', null, q.distinct === true ? 'true' : 'false'),
  ];
  if (q.pageInfo) {
    const { pageNumber, pagingCookie } = q.pageInfo;
    const page = [
      el('q1:PageNumber', null, count(pageNumber, 'pageInfo.pageNumber')),
      el('q1:Count', null, count(q.pageInfo.count, 'pageInfo.count')),
    ];
    if (pagingCookie !== null && pagingCookie !== undefined)
      page.push(el('q1:PagingCookie', null, pagingCookie));
    children.push(el('q1:PageInfo', null, page));
  }
  if (q.criteria) {
    const op = q.criteria.filterOperator ?? 'And';
    if (op !== 'And' && op !== 'Or') throw invalid('criteria.filterOperator must be And or Or');
    const conditions = q.criteria.conditions.map((c) => {
      assertSafeName(c.attribute, 'condition attribute');
      assertSafeName(c.operator, 'condition operator');
      const values = c.values.map((v) => el('q1:Value', [['xsi:type', 'xsd:string']], v));
      return el('q1:Condition', null, [
        el('q1:AttributeName', null, c.attribute),
        el('q1:Operator', null, c.operator),
        el('q1:Values', null, values),
      ]);
    });
    children.push(
      el('q1:Criteria', null, [el('q1:FilterOperator', null, op), el('q1:Conditions', null, conditions)]),
    );
  }
  if (q.orders && q.orders.length > 0) {
    const orders = q.orders.map((o) => {
      assertSafeName(o.attribute, 'order attribute');
      return el('q1:Order', null, [
        el('q1:AttributeName', null, o.attribute),
        el('q1:OrderType', null, o.descending === true ? 'Descending' : 'Ascending'),
      ]);
    });
    children.push(el('q1:Orders', null, orders));
  }
  return el(
    'query',
    [
      ['xmlns:q1', NS.q],
      ['xsi:type', 'q1:QueryExpression'],
    ],
    children,
  );
}

const CONDITION: FieldTable<ConditionExpression> = {
  attribute: f.nonEmpty('AttributeName'),
  operator: f.nonEmpty('Operator'),
  values: f.list('Values/Value', f.text('.')),
};

type Criteria = NonNullable<QueryExpression['criteria']>;
type Order = NonNullable<QueryExpression['orders']>[number];
type PageInfo = NonNullable<QueryExpression['pageInfo']>;

const CRITERIA: FieldTable<Criteria> = {
  filterOperator: f.map(f.text('FilterOperator').optional(), (op = 'And', ctx) => {
    if (op !== 'And' && op !== 'Or') throw unexpected(ctx, 'FilterOperator must be And or Or');
    return op;
  }),
  conditions: f.list('Conditions/Condition', CONDITION),
};

const ORDER: FieldTable<Order> = {
  attribute: f.nonEmpty('AttributeName'),
  descending: f.map(f.text('OrderType').optional(), (type = 'Ascending', ctx) => {
    if (type !== 'Ascending' && type !== 'Descending')
      throw unexpected(ctx, 'OrderType must be Ascending or Descending');
    return type === 'Descending';
  }),
};

const PAGE_INFO: FieldTable<PageInfo> = {
  pageNumber: f.int('PageNumber'),
  count: f.int('Count'),
  // Clients wrote either name (fixtures/README.md).
  pagingCookie: f.text('PagingCookie|PageCookie').optional(),
};

const QUERY: FieldTable<QueryExpression> = {
  entityName: f.nonEmpty('EntityName'),
  columns: f.element('ColumnSet', readColumnSet),
  // Only `true` is shown: false is the default every client writes.
  distinct: f.map(f.bool('Distinct').optional(), (distinct) => (distinct === true ? true : undefined)),
  criteria: f.optionalNested('Criteria', CRITERIA),
  orders: f.map(f.list('Orders/Order', ORDER), (orders) => (orders.length > 0 ? orders : undefined)),
  pageInfo: f.optionalNested('PageInfo', PAGE_INFO),
};

/** Reads a `query` element; only QueryExpression is supported. */
export function readQueryExpression(query: XmlElement, ctx: ReadContext): QueryExpression {
  const rawType = attr(query, NS.xsi, 'type');
  const type = rawType === undefined ? undefined : resolveQName(query, rawType)?.name;
  if (type !== 'QueryExpression') throw unexpected(ctx, `unsupported query type ${type ?? '(none)'}`);
  return extract(query, QUERY, ctx);
}
