/**
 * Field tables: each message says which value sits where, as data, and {@link extract} pulls them
 * out of an element (samlify's extractor idea, typed). Paths are local names, so prefixes and child
 * order never matter; a repeated single-valued element is refused rather than silently picked.
 */
import { CrmAuthError } from '../errors';
import { attr, type XmlElement, xmlTrim } from '../xml/xml-element';
import { toBool, toDate, toGuid, toInt } from './values';

/** What a field reader knows about where it is, for error messages. */
export interface ReadContext {
  /** The message being read, e.g. `RetrieveCrmTicketResponse`. */
  readonly message: string;
  /** The SOAP operation, for CrmAuthError.operation. */
  readonly operation: string;
}

/** Reads one value from a context element. */
export interface Field<T> {
  read(el: XmlElement, ctx: ReadContext): T;
}

/** One field per key of `T`; {@link extract} keeps the table's key order and omits undefined values. */
export type FieldTable<T> = { readonly [K in keyof T]-?: Field<T[K]> };

/** The message is SOAP but not the shape expected: the contract's ERR_UNEXPECTED_MESSAGE. */
export function unexpected(ctx: ReadContext, problem: string): CrmAuthError {
  return new CrmAuthError('ERR_UNEXPECTED_MESSAGE', `${ctx.message}: ${problem}`, {
    operation: ctx.operation,
  });
}

/** Applies `table` to `el`. */
export function extract<T>(el: XmlElement, table: FieldTable<T>, ctx: ReadContext): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(table) as (keyof T & string)[]) {
    const value = table[key].read(el, ctx);
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

type Steps = readonly (readonly string[])[];

/** `'PageInfo/PagingCookie|PageCookie'` → `[['PageInfo'], ['PagingCookie', 'PageCookie']]`. */
function steps(path: string): Steps {
  return path === '.' ? [] : path.split('/').map((s) => s.split('|'));
}

function matching(el: XmlElement, names: readonly string[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (names.includes(c.name)) out.push(c);
  return out;
}

/** The single element at `path`, undefined when absent; two candidates anywhere on the path are refused. */
function locate(el: XmlElement, path: Steps, label: string, ctx: ReadContext): XmlElement | undefined {
  let cur = el;
  for (const names of path) {
    const found = matching(cur, names);
    // Two of a single-valued element is how parameter smuggling looks; never pick one.
    if (found.length > 1) throw unexpected(ctx, `more than one ${label}`);
    const next = found[0];
    if (!next) return undefined;
    cur = next;
  }
  return cur;
}

type Convert<T> = (text: string) => T | undefined;

class ValueField<T> implements Field<T> {
  constructor(
    private readonly path: Steps,
    private readonly label: string,
    private readonly attribute: string | null,
    private readonly convert: Convert<T>,
    private readonly kind: string,
  ) {}

  read(el: XmlElement, ctx: ReadContext): T {
    const value = this.readOptional(el, ctx);
    if (value === undefined) throw unexpected(ctx, `${this.label} is missing`);
    return value;
  }

  readOptional(el: XmlElement, ctx: ReadContext): T | undefined {
    const target = locate(el, this.path, this.label, ctx);
    if (!target) return undefined;
    const raw = this.attribute === null ? target.text : attr(target, '', this.attribute);
    if (raw === undefined) return undefined;
    const value = this.convert(xmlTrim(raw));
    // The value itself is never echoed: it may be a ticket.
    if (value === undefined) throw unexpected(ctx, `${this.label} is not a valid ${this.kind}`);
    return value;
  }

  /** The same field, undefined when absent (still refused when present but invalid). */
  optional(): Field<T | undefined> {
    return { read: (el, ctx) => this.readOptional(el, ctx) };
  }
}

function value<T>(kind: string, convert: Convert<T>) {
  return (path: string): ValueField<T> => {
    const at = path.lastIndexOf('@');
    const elementPath = at === -1 ? path : path.slice(0, Math.max(0, at - 1)) || '.';
    return new ValueField(steps(elementPath), path, at === -1 ? null : path.slice(at + 1), convert, kind);
  };
}

const identity: Convert<string> = (s) => s;

/** Field constructors. A path is `A/B|C/D`, `.` for the element itself, and `…/@attr` for an attribute. */
export const f = {
  /** Trimmed text (may be empty). */
  text: value('text', identity),
  /** Trimmed text that must not be empty. */
  nonEmpty: value('value', (s) => (s === '' ? undefined : s)),
  /** A GUID → lower case, no braces. */
  guid: value('GUID', toGuid),
  /** An ISO 8601 date → Date (no zone = UTC). */
  date: value('date', toDate),
  /** A decimal integer. */
  int: value('integer', toInt),
  /** xs:boolean. */
  bool: value('boolean', toBool),
  /** The single element at `path`, read by `read`; missing is refused. */
  element<T>(path: string, read: (el: XmlElement, ctx: ReadContext) => T): Field<T> {
    const p = steps(path);
    return {
      read(el, ctx) {
        const target = locate(el, p, path, ctx);
        if (!target) throw unexpected(ctx, `${path} is missing`);
        return read(target, ctx);
      },
    };
  },
  /** The single element at `path`, read with `table`. */
  nested<T>(path: string, table: FieldTable<T>): Field<T> {
    return f.element(path, (e, ctx) => extract(e, table, ctx));
  },
  /** Every element matching the last step of `path` (zero or more), each read with `item`. */
  list<T>(path: string, item: FieldTable<T> | Field<T>): Field<T[]> {
    const p = steps(path);
    const parent = p.slice(0, -1);
    const last = p[p.length - 1] ?? [];
    const readItem: Field<T> = isField(item) ? item : { read: (e, c) => extract(e, item, c) };
    return {
      read(el, ctx) {
        const container = locate(el, parent, path, ctx);
        if (!container) return [];
        return matching(container, last).map((e) => readItem.read(e, ctx));
      },
    };
  },
  /** The single element at `path` read with `table`, or undefined when absent. */
  optionalNested<T>(path: string, table: FieldTable<T>): Field<T | undefined> {
    const p = steps(path);
    return {
      read(el, ctx) {
        const target = locate(el, p, path, ctx);
        return target ? extract(target, table, ctx) : undefined;
      },
    };
  },
  /** `field`'s value passed through `fn` (defaults, normalization, checks that throw `unexpected`). */
  map<T, U>(field: Field<T>, fn: (value: T, ctx: ReadContext) => U): Field<U> {
    return { read: (el, ctx) => fn(field.read(el, ctx), ctx) };
  },
  /** Anything a table cannot say; keep these rare. */
  custom<T>(read: (el: XmlElement, ctx: ReadContext) => T): Field<T> {
    return { read };
  },
} as const;

function isField<T>(x: FieldTable<T> | Field<T>): x is Field<T> {
  return typeof (x as Field<T>).read === 'function';
}
