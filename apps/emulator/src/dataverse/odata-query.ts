import type { EntityRecord, StoredAttr } from '../state/emulator-state.model';
import { normalizeGuid } from '../state/state.store';

/** A query option the subset does not understand: the handler answers 400 `0x80060888` with the message. */
export class ODataQueryError extends Error {}

/** The columns of an entity as the Web API names them: plain columns, and lookups (`_<name>_value`). */
export interface ColumnSet {
  entity: string;
  has(name: string): boolean;
  isLookup(name: string): boolean;
}

/** A record's value of a filter or order operand: a plain column, or a lookup as `_<name>_value` (its id). */
type Operand = { column: string; lookup: boolean };

/** Reads `_x_value` as the lookup x, a plain name as itself; refuses what the entity does not have. */
export function operand(columns: ColumnSet, name: string): Operand {
  const lookup = /^_(\w+)_value$/.exec(name)?.[1];
  if (lookup !== undefined) {
    if (!columns.has(lookup) || !columns.isLookup(lookup))
      throw new ODataQueryError(
        `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${columns.entity}'.`,
      );
    return { column: lookup, lookup: true };
  }
  if (!columns.has(name))
    throw new ODataQueryError(
      `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${columns.entity}'.`,
    );
  if (columns.isLookup(name))
    throw new ODataQueryError(
      `The lookup '${name}' is a navigation property: filter or order on '_${name}_value' instead.`,
    );
  return { column: name, lookup: false };
}

type Value = string | number | boolean | null;

function valueOf(record: EntityRecord, op: Operand): Value {
  const v: StoredAttr | undefined = record.attrs[op.column];
  if (!v) return null;
  if (v.t === 'ref') return v.id;
  return v.v;
}

// ---------------------------------------------------------------------------------------------- $filter

type Literal =
  | { k: 'str'; v: string }
  | { k: 'guid'; v: string }
  | { k: 'num'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'date'; v: number }
  | { k: 'null' };

type Token = { t: '(' | ')' | ',' } | { t: 'lit'; lit: Literal; text: string } | { t: 'name'; v: string };

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const TOKEN = new RegExp(
  [
    String.raw`\s*(?:(\()|(\))|(,)`,
    String.raw`('(?:[^']|'')*')`,
    `(${GUID})(?![\\w-])`,
    String.raw`(\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))?)(?![\w:.-])`,
    String.raw`(-?\d+(?:\.\d+)?)(?![\w.])`,
    String.raw`([A-Za-z_]\w*))\s*`,
  ].join('|'),
  'y',
);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m || m[0] === '') {
      if (/^\s*$/.test(text.slice(at))) break;
      throw new ODataQueryError(`The $filter could not be read at '${text.slice(at, at + 20)}'.`);
    }
    at = TOKEN.lastIndex;
    if (m[1]) out.push({ t: '(' });
    else if (m[2]) out.push({ t: ')' });
    else if (m[3]) out.push({ t: ',' });
    else if (m[4] !== undefined)
      out.push({ t: 'lit', lit: { k: 'str', v: m[4].slice(1, -1).replace(/''/g, "'") }, text: m[4] });
    else if (m[5]) out.push({ t: 'lit', lit: { k: 'guid', v: normalizeGuid(m[5]) }, text: m[5] });
    else if (m[6]) {
      const ms = Date.parse(m[6].includes('T') ? m[6] : `${m[6]}T00:00:00Z`);
      if (Number.isNaN(ms)) throw new ODataQueryError(`'${m[6]}' is not a date.`);
      out.push({ t: 'lit', lit: { k: 'date', v: ms }, text: m[6] });
    } else if (m[7]) out.push({ t: 'lit', lit: { k: 'num', v: Number(m[7]) }, text: m[7] });
    else if (m[8] === 'true' || m[8] === 'false')
      out.push({ t: 'lit', lit: { k: 'bool', v: m[8] === 'true' }, text: m[8] });
    else if (m[8] === 'null') out.push({ t: 'lit', lit: { k: 'null' }, text: m[8] });
    else out.push({ t: 'name', v: m[8]! });
  }
  return out;
}

/** A compiled `$filter`: true for the records it keeps. */
export type Filter = (record: EntityRecord) => boolean;

const MAX_NESTING = 64;
const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['contains', 'startswith', 'endswith']);

function literalKey(lit: Literal): string | number | boolean | null {
  return lit.k === 'null' ? null : lit.v;
}

/**
 * Compares a column with a literal as the service's SQL would: strings without regard to case, a number
 * column value against a number, lookups and GUIDs by id, dates by instant; a column with no value matches
 * only `eq null` (and `ne` anything but null is false for it, as SQL's `<>` with NULL).
 */
function compare(value: Value, op: string, lit: Literal): boolean {
  if (lit.k === 'null') return op === 'eq' ? value === null : value !== null;
  if (value === null) return false;
  let a: string | number | boolean = value;
  let b = literalKey(lit)!;
  if (lit.k === 'guid' || lit.k === 'str') {
    a = String(a).toLowerCase();
    b = String(b).toLowerCase();
  } else if (lit.k === 'num' || lit.k === 'date') {
    a = typeof a === 'number' ? a : Number(a);
    if (Number.isNaN(a)) return false;
  } else if (typeof a !== 'boolean')
    throw new ODataQueryError('A boolean is compared with a column that is not one.');
  const cmp = a < b ? -1 : a > b ? 1 : 0;
  switch (op) {
    case 'eq':
      return cmp === 0;
    case 'ne':
      return cmp !== 0;
    case 'gt':
      return cmp > 0;
    case 'ge':
      return cmp >= 0;
    case 'lt':
      return cmp < 0;
    default:
      return cmp <= 0;
  }
}

/**
 * Compiles a `$filter`: comparisons (`eq ne gt ge lt le`) of a column with a literal (string, GUID, number,
 * date, `true`, `false`, `null`), `contains`, `startswith` and `endswith` on a string column, `and`, `or`,
 * `not` and parentheses. Anything else is refused, naming what was not understood.
 */
export function compileFilter(text: string, columns: ColumnSet): Filter {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const describe = (t: Token | undefined): string =>
    !t ? 'the end' : t.t === 'name' ? `'${t.v}'` : t.t === 'lit' ? `'${t.text}'` : `'${t.t}'`;
  const expect = (t: '(' | ')' | ','): void => {
    const got = tokens[i++];
    if (got?.t !== t) throw new ODataQueryError(`The $filter expected '${t}' but found ${describe(got)}.`);
  };
  const isWord = (t: Token | undefined, word: string): boolean => t?.t === 'name' && t.v === word;

  const orExpr = (): Filter => {
    let left = andExpr();
    while (isWord(peek(), 'or')) {
      i++;
      const l = left;
      const r = andExpr();
      left = (rec) => l(rec) || r(rec);
    }
    return left;
  };
  const andExpr = (): Filter => {
    let left = unary();
    while (isWord(peek(), 'and')) {
      i++;
      const l = left;
      const r = unary();
      left = (rec) => l(rec) && r(rec);
    }
    return left;
  };
  let depth = 0;
  const unary = (): Filter => {
    // Nesting (parentheses, not) is bounded, so that a hostile filter is refused rather than overflowing the stack.
    if (++depth > MAX_NESTING)
      throw new ODataQueryError(`The $filter nests deeper than ${MAX_NESTING} levels.`);
    try {
      if (isWord(peek(), 'not')) {
        i++;
        const inner = unary();
        return (rec) => !inner(rec);
      }
      return primary();
    } finally {
      depth--;
    }
  };
  const literal = (): Literal => {
    const t = tokens[i++];
    if (t?.t !== 'lit') throw new ODataQueryError(`The $filter expected a value but found ${describe(t)}.`);
    return t.lit;
  };
  const primary = (): Filter => {
    const t = tokens[i++];
    if (t?.t === '(') {
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (t?.t !== 'name')
      throw new ODataQueryError(`The $filter expected a column or a function but found ${describe(t)}.`);
    if (FUNCTIONS.has(t.v) && peek()?.t === '(') {
      i++;
      const name = tokens[i++];
      if (name?.t !== 'name')
        throw new ODataQueryError(`${t.v}() expects a column first but found ${describe(name)}.`);
      const op = operand(columns, name.v);
      expect(',');
      const lit = literal();
      expect(')');
      if (lit.k !== 'str') throw new ODataQueryError(`${t.v}() expects a string value.`);
      const needle = lit.v.toLowerCase();
      const test =
        t.v === 'contains'
          ? (s: string) => s.includes(needle)
          : t.v === 'startswith'
            ? (s: string) => s.startsWith(needle)
            : (s: string) => s.endsWith(needle);
      return (rec) => {
        const v = valueOf(rec, op);
        return typeof v === 'string' && test(v.toLowerCase());
      };
    }
    if (peek()?.t === '(')
      throw new ODataQueryError(`The function '${t.v}' is not supported by the emulator's $filter.`);
    const op = operand(columns, t.v);
    const cmp = tokens[i++];
    if (cmp?.t !== 'name' || !COMPARISONS.has(cmp.v))
      throw new ODataQueryError(
        `The $filter expected a comparison (eq, ne, gt, ge, lt, le) after '${t.v}' but found ${describe(cmp)}.`,
      );
    const lit = literal();
    if (lit.k === 'null' && cmp.v !== 'eq' && cmp.v !== 'ne')
      throw new ODataQueryError(`'${cmp.v} null' is not a comparison the service makes.`);
    return (rec) => compare(valueOf(rec, op), cmp.v, lit);
  };

  if (tokens.length === 0) throw new ODataQueryError('The $filter is empty.');
  const filter = orExpr();
  if (i < tokens.length)
    throw new ODataQueryError(`The $filter could not be read from ${describe(tokens[i])} on.`);
  return filter;
}

// --------------------------------------------------------------------------------------------- $orderby

/** A compiled `$orderby`: a comparator of records. */
export type Order = (a: EntityRecord, b: EntityRecord) => number;

function rank(v: Value): string | number | boolean | null {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

/** `col [asc|desc], …`: nulls first ascending (as SQL sorts them), strings without regard to case. */
export function compileOrderBy(text: string, columns: ColumnSet): Order {
  const keys = text.split(',').map((part) => {
    const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/.exec(part);
    if (!m) throw new ODataQueryError(`The $orderby part '${part.trim()}' is not 'column [asc|desc]'.`);
    return { op: operand(columns, m[1]!), desc: m[2] === 'desc' };
  });
  return (a, b) => {
    for (const { op, desc } of keys) {
      const x = rank(valueOf(a, op));
      const y = rank(valueOf(b, op));
      if (x === y) continue;
      const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return desc ? -c : c;
    }
    return 0;
  };
}

// ---------------------------------------------------------------------------------------------- $expand

/** One expanded lookup: the navigation property and the columns to select on the record it names. */
export interface Expansion {
  navigation: string;
  select: string[] | undefined;
}

/** `nav($select=a,b),nav2`: each a lookup of the entity; inside the parentheses only `$select`. */
export function parseExpand(text: string, columns: ColumnSet): Expansion[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let j = 0; j < text.length; j++) {
    const c = text[j];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, j));
      start = j + 1;
    }
    if (depth < 0) throw new ODataQueryError(`The $expand '${text}' has an unbalanced ')'.`);
  }
  if (depth !== 0) throw new ODataQueryError(`The $expand '${text}' has an unclosed '('.`);
  parts.push(text.slice(start));
  return parts.map((part) => {
    const m = /^\s*(\w+)\s*(?:\((.*)\))?\s*$/.exec(part);
    if (!m) throw new ODataQueryError(`The $expand part '${part.trim()}' is not understood.`);
    const navigation = m[1]!;
    if (!columns.has(navigation) || !columns.isLookup(navigation))
      throw new ODataQueryError(
        `Could not find a navigation property named '${navigation}' on type 'Microsoft.Dynamics.CRM.${columns.entity}'.`,
      );
    let select: string[] | undefined;
    for (const option of (m[2] ?? '').split(';').filter((o) => o.trim() !== '')) {
      const o = /^\s*\$select=(.*)$/.exec(option);
      if (!o)
        throw new ODataQueryError(
          `The option '${option.trim()}' inside $expand is not supported by the emulator (only $select).`,
        );
      select = o[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
    return { navigation, select };
  });
}

// ------------------------------------------------------------------------------------------------ paging

/**
 * [decision] The `$skiptoken` of a next link: a cookie element shaped like the service's
 * (`<cookie pagenumber="2" …/>`), carrying the emulator's own position (how many records were already returned).
 */
export function skipToken(page: number, position: number): string {
  return `<cookie pagenumber="${page}" position="${position}" />`;
}

/** The position and page number a `$skiptoken` carries, or a refusal for one this emulator did not write. */
export function readSkipToken(token: string): { page: number; position: number } {
  const m = /^<cookie pagenumber="(\d{1,9})" position="(\d{1,9})" \/>$/.exec(token);
  if (!m) throw new ODataQueryError(`The $skiptoken '${token}' is not one this service issued.`);
  return { page: Number(m[1]), position: Number(m[2]) };
}
