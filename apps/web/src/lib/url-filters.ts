// A list page's filters live in the URL (shareable, survive reload, Back works) and go to the API as its query.
// Each page only names its filters and how each one reads; what they all share is here, once: a blank value is
// no filter, values are trimmed, the URL and the API use the same parameter names in the same order. Pure, tested.

/** One filter: how it reads from the URL, how it is written there, and how it goes to the API. */
export interface UrlFilter<V> {
  /** Its value when not set. */
  empty: V;
  /** Its URL (and API) parameter, when that is not the filter's own name. */
  param?: string;
  /** Its value from the URL's parameter (null when absent); a value it does not know reads as not set. */
  read: (raw: string | null) => V;
  /** Its value as the URL holds it; '' (or blanks) when not set. */
  write: (value: V) => string;
  /** The URL's (trimmed) value as the API takes it; '' leaves it out. As it is when absent. */
  toApi?: (written: string) => string;
}

export type UrlFilterFields<F> = { [K in keyof F]: UrlFilter<F[K]> };

export interface UrlFilterModel<F> {
  /** No filter set. */
  empty: F;
  fromSearchParams: (params: URLSearchParams) => F;
  toSearchParams: (filters: F) => URLSearchParams;
  /** The query string values for the API (and for anything else given the same filters, such as an export). */
  toApiQuery: (filters: F) => Record<string, string>;
  hasActiveFilters: (filters: F) => boolean;
}

/** A page's filters, in the order their parameters appear in the URL and in the API's query. */
export function defineUrlFilters<F extends object>(fields: UrlFilterFields<F>): UrlFilterModel<F> {
  const keys = Object.keys(fields) as (keyof F & string)[];
  const paramOf = (key: keyof F & string) => fields[key].param ?? key;
  /** The filters that are set, with their URL values, trimmed. */
  const set = (filters: F) =>
    keys.flatMap((key) => {
      const value = fields[key].write(filters[key]).trim();
      return value === '' ? [] : [{ key, value }];
    });

  const toSearchParams = (filters: F) => {
    const params = new URLSearchParams();
    for (const { key, value } of set(filters)) params.set(paramOf(key), value);
    return params;
  };

  return {
    empty: Object.fromEntries(keys.map((key) => [key, fields[key].empty])) as F,
    fromSearchParams: (params) =>
      Object.fromEntries(keys.map((key) => [key, fields[key].read(params.get(paramOf(key)))])) as F,
    toSearchParams,
    toApiQuery: (filters) => {
      const query: Record<string, string> = {};
      for (const { key, value } of set(filters)) {
        const sent = fields[key].toApi?.(value) ?? value;
        if (sent !== '') query[paramOf(key)] = sent;
      }
      return query;
    },
    hasActiveFilters: (filters) => set(filters).length > 0,
  };
}

/** Free text. */
export function textFilter(): UrlFilter<string> {
  return { empty: '', read: (raw) => raw ?? '', write: (value) => value };
}

/** One of a closed list (e.g. an outcome); any other value in the URL reads as not set. */
export function choiceFilter<T extends string>(values: readonly T[]): UrlFilter<'' | T> {
  const known: ReadonlySet<string> = new Set(values);
  return {
    empty: '',
    read: (raw) => (raw !== null && known.has(raw) ? (raw as T) : ''),
    write: (value) => value,
  };
}

/** A checkbox, held in the URL as `param=value` (e.g. `reconciliation=mismatch`) when ticked. */
export function flagFilter(param: string, value: string): UrlFilter<boolean> {
  return { empty: false, param, read: (raw) => raw === value, write: (on) => (on ? value : '') };
}

/**
 * What a page's date range holds. 'local-time': a datetime-local input's `YYYY-MM-DDTHH:mm` in the browser's
 * time, sent to the API as an ISO instant. 'utc-day': a date input's `YYYY-MM-DD` (a UTC day), sent as it is
 * (the API reads a bare `to` as "through that day").
 */
export type DateRangeKind = 'local-time' | 'utc-day';

export interface DateRange {
  from: string;
  to: string;
}

/** The `from` and `to` filters of a date range of that kind. */
export function dateRangeFilters(kind: DateRangeKind): UrlFilterFields<DateRange> {
  const date: UrlFilter<string> =
    kind === 'local-time' ? { ...textFilter(), toApi: localToIso } : textFilter();
  return { from: date, to: date };
}

/** A local datetime-local value as an ISO instant; '' when empty or unreadable. */
export function localToIso(local: string): string {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
