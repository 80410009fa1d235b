import { CrmFault } from '../soap/crm-error-codes.constants';
import { QUERY_NS } from '../soap/namespaces.constants';
import type { EntityRecord, StoredAttr } from '../state/emulator-state.model';
import { isGuid, normalizeGuid } from '../state/state.store';
import { nsAttr, nsChild, nsChildren, text, type XmlValue } from '../xml/xml-node.util';
import { readXml } from '../xml/xml-reader';
import { xsiType } from './crm-body.checks';

/** A parsed condition of a FilterExpression. */
interface Condition {
  attribute: string;
  operator: string;
  values: string[];
}

/** A parsed FilterExpression: conditions and nested filters joined by And/Or. */
export interface Filter {
  operator: 'And' | 'Or';
  conditions: Condition[];
  filters: Filter[];
}

/** A parsed QueryExpression (the parts the emulator honours). */
export interface ParsedQuery {
  entityName: string;
  columns: string[] | 'all';
  criteria: Filter | undefined;
  orders: Array<{ attribute: string; descending: boolean }>;
  pageNumber: number;
  count: number;
  pagingCookie: string | undefined;
}

const MAX_PAGE = 5000;
const SUPPORTED_OPERATORS = new Set([
  'Equal',
  'NotEqual',
  'Null',
  'NotNull',
  'Like',
  'NotLike',
  'BeginsWith',
  'EndsWith',
  'In',
  'NotIn',
  'GreaterThan',
  'GreaterEqual',
  'LessThan',
  'LessEqual',
  'OnOrAfter',
  'OnOrBefore',
]);

function invalid(message: string): CrmFault {
  return new CrmFault('InvalidArgument', message);
}

/** A child of a query part, in 2006/Query. */
function q(node: XmlValue | undefined, name: string): XmlValue | undefined {
  return nsChild(node, QUERY_NS, name);
}

function qList(node: XmlValue | undefined, name: string): XmlValue[] {
  return nsChildren(node, QUERY_NS, name);
}

/** Reads a ColumnSet: `AllColumns` (by xsi:type, a 2006/Query QName) or its Attributes. */
export function parseColumnSet(node: XmlValue | undefined): string[] | 'all' {
  if (node === undefined) return 'all';
  const type = xsiType(node);
  if (type?.ns === QUERY_NS && type.local === 'AllColumns') return 'all';
  const names = qList(q(node, 'Attributes'), 'Attribute').map((a) => (text(a) ?? '').trim());
  return names.filter((n) => n.length > 0);
}

function parseFilter(node: XmlValue, depth: number): Filter {
  if (depth > 8) throw invalid('Filters are nested too deeply');
  const op = (text(q(node, 'FilterOperator')) ?? 'And').trim();
  if (op !== 'And' && op !== 'Or') throw invalid(`Unknown FilterOperator '${op}'`);
  const conditions = qList(q(node, 'Conditions'), 'Condition').map((c) => {
    const operator = (text(q(c, 'Operator')) ?? '').trim();
    if (!SUPPORTED_OPERATORS.has(operator))
      throw invalid(`The condition operator '${operator}' is not supported`);
    const attribute = (text(q(c, 'AttributeName')) ?? '').trim();
    if (!attribute) throw invalid('A condition needs an AttributeName');
    const values = qList(q(c, 'Values'), 'Value').map((v) => text(v) ?? '');
    return { attribute, operator, values };
  });
  const filters = qList(q(node, 'Filters'), 'Filter').map((f) => parseFilter(f, depth + 1));
  return { operator: op, conditions, filters };
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 0) throw invalid(`PageInfo ${name} must be a non-negative integer`);
  return n;
}

/** Parses `query xsi:type="q:QueryExpression"`; its parts are 2006/Query elements. */
export function parseQueryExpression(node: XmlValue | undefined): ParsedQuery {
  if (node === undefined) throw invalid('RetrieveMultiple needs a query');
  const type = xsiType(node)?.local;
  if (type !== undefined && type !== 'QueryExpression') {
    throw invalid(`The query type '${type}' is not supported; send a QueryExpression`);
  }
  const entityName = (text(q(node, 'EntityName')) ?? '').trim();
  if (!entityName) throw invalid('The query needs an EntityName');
  const criteriaNode = q(node, 'Criteria');
  const criteria = criteriaNode === undefined ? undefined : parseFilter(criteriaNode, 0);
  const orders = qList(q(node, 'Orders'), 'Order').map((o) => ({
    attribute: (text(q(o, 'AttributeName')) ?? '').trim(),
    descending: (text(q(o, 'OrderType')) ?? '').trim() === 'Descending',
  }));
  const pageInfo = q(node, 'PageInfo');
  const count = Math.min(positiveInt(text(q(pageInfo, 'Count')), 'Count', 0), MAX_PAGE);
  const pageNumber = Math.max(positiveInt(text(q(pageInfo, 'PageNumber')), 'PageNumber', 1), 1);
  // PagingCookie is the documented name; some clients wrote PageCookie.
  const cookie = text(q(pageInfo, 'PagingCookie')) ?? text(q(pageInfo, 'PageCookie'));
  return {
    entityName,
    columns: parseColumnSet(q(node, 'ColumnSet')),
    criteria,
    orders,
    pageNumber,
    count,
    pagingCookie: cookie === '' ? undefined : cookie,
  };
}

/** Every attribute a query names: columns, conditions at any depth, orders. */
export function queryAttributes(query: ParsedQuery): string[] {
  const names: string[] = query.columns === 'all' ? [] : [...query.columns];
  const visit = (f: Filter): void => {
    for (const c of f.conditions) names.push(c.attribute);
    f.filters.forEach(visit);
  };
  if (query.criteria) visit(query.criteria);
  for (const o of query.orders) names.push(o.attribute);
  return names;
}

function comparable(value: StoredAttr): string | number {
  switch (value.t) {
    case 's':
      return isGuid(value.v) ? normalizeGuid(value.v) : value.v.toLowerCase();
    case 'ref':
      return value.id;
    case 'date':
      return value.v;
    case 'bool':
      return value.v ? 'true' : 'false';
  }
}

function operand(value: StoredAttr, raw: string, operator: string): string | number {
  if (value.t === 'date') {
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(raw.trim());
    const ms = Date.parse(dateOnly ? `${raw.trim()}T00:00:00Z` : raw.trim());
    if (Number.isNaN(ms)) throw invalid(`'${raw}' is not a date`);
    // A bare date means the whole day: OnOrBefore includes it to its last millisecond.
    return dateOnly && (operator === 'OnOrBefore' || operator === 'LessEqual') ? ms + 86_399_999 : ms;
  }
  if (value.t === 'bool') return ['1', 'true'].includes(raw.trim().toLowerCase()) ? 'true' : 'false';
  const t = raw.trim();
  return isGuid(t) ? normalizeGuid(t) : t.toLowerCase();
}

function likeRegex(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${body}$`, 's');
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const an = Number(a);
  const bn = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(an) && Number.isFinite(bn)) return an - bn;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function testCondition(record: EntityRecord, c: Condition): boolean {
  const value = record.attrs[c.attribute];
  if (c.operator === 'Null') return value === undefined;
  if (c.operator === 'NotNull') return value !== undefined;
  if (c.operator === 'NotEqual' || c.operator === 'NotIn' || c.operator === 'NotLike') {
    if (value === undefined) return false;
  }
  if (value === undefined) return false;
  const left = comparable(value);
  const first = c.values[0];
  if (first === undefined) throw invalid(`The condition on '${c.attribute}' needs a value`);
  const right = operand(value, first, c.operator);
  switch (c.operator) {
    case 'Equal':
      return left === right;
    case 'NotEqual':
      return left !== right;
    case 'In':
      return c.values.some((v) => operand(value, v, c.operator) === left);
    case 'NotIn':
      return !c.values.some((v) => operand(value, v, c.operator) === left);
    case 'Like':
      return likeRegex(String(first)).test(String(left));
    case 'NotLike':
      return !likeRegex(String(first)).test(String(left));
    case 'BeginsWith':
      return String(left).startsWith(String(right));
    case 'EndsWith':
      return String(left).endsWith(String(right));
    case 'GreaterThan':
      return compare(left, right) > 0;
    case 'GreaterEqual':
    case 'OnOrAfter':
      return compare(left, right) >= 0;
    case 'LessThan':
      return compare(left, right) < 0;
    case 'LessEqual':
    case 'OnOrBefore':
      return compare(left, right) <= 0;
    default:
      throw invalid(`The condition operator '${c.operator}' is not supported`);
  }
}

function testFilter(record: EntityRecord, filter: Filter): boolean {
  const results = [
    ...filter.conditions.map((c) => () => testCondition(record, c)),
    ...filter.filters.map((f) => () => testFilter(record, f)),
  ];
  if (results.length === 0) return true;
  return filter.operator === 'And' ? results.every((r) => r()) : results.some((r) => r());
}

/** One page of a query's result. */
export interface QueryPage {
  records: EntityRecord[];
  moreRecords: boolean;
}

/** What the emulator's paging cookie says: the page it ended and that page's first and last ids. */
export interface PagingCookie {
  page: number;
  first: string;
  last: string;
}

/**
 * Reads a paging cookie as the emulator writes it:
 * `<cookie page="1"><accountid last="{GUID}" first="{GUID}" /></cookie>`, the element named after the
 * entity's primary key. Anything else (not XML, another element, a page that is no positive integer,
 * ids that are no GUIDs) is 0x80040203: a garbled cookie is an error, never silently page 1.
 */
export function parsePagingCookie(raw: string, primaryKey: string): PagingCookie {
  const bad = (why: string): CrmFault => invalid(`The paging cookie is not valid: ${why}.`);
  let root;
  try {
    root = readXml(raw.trim(), { maxDepth: 2 }).root;
  } catch {
    throw bad('it is not a cookie element');
  }
  const key = root.children[0];
  if (root.name !== 'cookie' || root.ns !== '' || root.text !== '' || root.children.length !== 1 || !key) {
    throw bad(`it must be <cookie page="…"><${primaryKey} last="…" first="…" /></cookie>`);
  }
  if (key.name !== primaryKey || key.ns !== '' || key.text !== '')
    throw bad(`it names ${key.name}, not ${primaryKey}`);
  const page = nsAttr(root, '', 'page')?.trim() ?? '';
  if (!/^[1-9]\d{0,8}$/.test(page)) throw bad(`page '${page}' is not a page number`);
  const first = nsAttr(key, '', 'first')?.trim() ?? '';
  const last = nsAttr(key, '', 'last')?.trim() ?? '';
  if (!isGuid(first) || !isGuid(last)) throw bad('first and last must be GUIDs');
  return { page: Number(page), first: normalizeGuid(first), last: normalizeGuid(last) };
}

/** Where a page starts and ends in the ordered rows. */
function pageBounds(
  rows: EntityRecord[],
  query: ParsedQuery,
  size: number,
  cookie: PagingCookie | undefined,
): [number, number] {
  const at = (id: string): number => rows.findIndex((r) => r.id === id);
  if (cookie) {
    // The cookie of the page next to the one asked for continues from its own edge, so that rows
    // created or deleted before it do not shift the pages (as CRM pages "after the last id").
    if (query.pageNumber === cookie.page + 1) {
      const i = at(cookie.last);
      if (i >= 0) return [i + 1, i + 1 + size];
    } else if (query.pageNumber === cookie.page - 1) {
      const i = at(cookie.first);
      if (i >= 0) return [Math.max(0, i - size), i];
    } else if (query.pageNumber === cookie.page) {
      const i = at(cookie.first);
      if (i >= 0) return [i, i + size];
    }
  }
  // No cookie, a page not next to the cookie's, or its record gone: count pages from the start.
  const start = (query.pageNumber - 1) * size;
  return [start, start + size];
}

/** Filters, orders and pages records as the query asks; the paging cookie, when given, places the page. */
export function runQuery(all: Iterable<EntityRecord>, query: ParsedQuery, cookie?: PagingCookie): QueryPage {
  let rows = [...all];
  if (query.criteria) {
    const criteria = query.criteria;
    rows = rows.filter((r) => testFilter(r, criteria));
  }
  if (query.orders.length) {
    rows.sort((a, b) => {
      for (const o of query.orders) {
        const av = a.attrs[o.attribute];
        const bv = b.attrs[o.attribute];
        if (av === undefined && bv === undefined) continue;
        if (av === undefined) return o.descending ? 1 : -1;
        if (bv === undefined) return o.descending ? -1 : 1;
        const c = compare(comparable(av), comparable(bv));
        if (c !== 0) return o.descending ? -c : c;
      }
      return 0;
    });
  }
  const size = query.count > 0 ? query.count : MAX_PAGE;
  const [start, end] = pageBounds(rows, query, size, cookie);
  return { records: rows.slice(start, end), moreRecords: rows.length > end };
}
