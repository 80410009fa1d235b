import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../state/emulator-state.model';
import { parsePagingCookie, runQuery, type Filter, type ParsedQuery } from './query-expression.engine';

const rec = (id: string, name: string, created: string, owner?: string): EntityRecord => ({
  id,
  attrs: {
    accountid: { t: 's', v: id },
    name: { t: 's', v: name },
    createdon: { t: 'date', v: Date.parse(created) },
    ...(owner ? { ownerid: { t: 'ref', type: 'systemuser', id: owner } } : {}),
  },
});

const rows = [
  rec(
    '00000000-0000-4000-8000-000000000001',
    'Alpha',
    '2026-01-01T10:00:00Z',
    'aaaaaaaa-0000-4000-8000-000000000000',
  ),
  rec('00000000-0000-4000-8000-000000000002', 'Beta', '2026-01-02T10:00:00Z'),
  rec(
    '00000000-0000-4000-8000-000000000003',
    'Gamma',
    '2026-01-03T23:59:00Z',
    'bbbbbbbb-0000-4000-8000-000000000000',
  ),
];

const q = (criteria?: Filter, extra: Partial<ParsedQuery> = {}): ParsedQuery => ({
  entityName: 'account',
  columns: 'all',
  criteria,
  orders: [],
  pageNumber: 1,
  count: 0,
  pagingCookie: undefined,
  ...extra,
});
const where = (attribute: string, operator: string, ...values: string[]): Filter => ({
  operator: 'And',
  conditions: [{ attribute, operator, values }],
  filters: [],
});
const names = (query: ParsedQuery): string[] =>
  runQuery(rows, query).records.map((r) => (r.attrs['name']?.t === 's' ? r.attrs['name'].v : ''));

describe('runQuery', () => {
  it('compares strings case-insensitively and lookups by GUID in any form', () => {
    expect(names(q(where('name', 'Equal', 'BETA')))).toEqual(['Beta']);
    expect(names(q(where('name', 'NotEqual', 'beta')))).toEqual(['Alpha', 'Gamma']);
    expect(names(q(where('ownerid', 'Equal', '{AAAAAAAA-0000-4000-8000-000000000000}')))).toEqual(['Alpha']);
    expect(names(q(where('ownerid', 'Null')))).toEqual(['Beta']);
    expect(names(q(where('ownerid', 'NotNull')))).toEqual(['Alpha', 'Gamma']);
    expect(names(q(where('name', 'Like', '%a')))).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(names(q(where('name', 'In', 'alpha', 'gamma')))).toEqual(['Alpha', 'Gamma']);
  });

  it('treats a bare date as the whole day for OnOrBefore and as its start for OnOrAfter', () => {
    expect(names(q(where('createdon', 'OnOrBefore', '2026-01-03')))).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(names(q(where('createdon', 'OnOrAfter', '2026-01-02')))).toEqual(['Beta', 'Gamma']);
    expect(names(q(where('createdon', 'GreaterThan', '2026-01-02T10:00:00Z')))).toEqual(['Gamma']);
    expect(names(q(where('createdon', 'LessThan', '2026-01-02T10:00:00+01:00')))).toEqual(['Alpha']);
  });

  it('nests filters with Or', () => {
    const filter: Filter = {
      operator: 'Or',
      conditions: [],
      filters: [where('name', 'Equal', 'alpha'), where('name', 'Equal', 'gamma')],
    };
    expect(names(q(filter))).toEqual(['Alpha', 'Gamma']);
  });

  it('orders and pages, reporting whether more records follow', () => {
    const ordered = q(undefined, { orders: [{ attribute: 'name', descending: true }], count: 2 });
    expect(names(ordered)).toEqual(['Gamma', 'Beta']);
    expect(runQuery(rows, ordered).moreRecords).toBe(true);
    const last = { ...ordered, pageNumber: 2 };
    expect(names(last)).toEqual(['Alpha']);
    expect(runQuery(rows, last).moreRecords).toBe(false);
  });

  it('refuses a bad date operand', () => {
    expect(() => names(q(where('createdon', 'GreaterThan', 'yesterday')))).toThrow(/not a date/);
  });

  it('places a page by the paging cookie: after its last id going forward, before its first id going back', () => {
    const cookie = parsePagingCookie(
      '<cookie page="2"><accountid last="{00000000-0000-4000-8000-000000000002}" first="{00000000-0000-4000-8000-000000000002}" /></cookie>',
      'accountid',
    );
    // Beta ended page 2; without Alpha in the rows, counting would give no page 3, the cookie gives Gamma.
    const withoutAlpha = rows.slice(1);
    expect(runQuery(withoutAlpha, q(undefined, { count: 1, pageNumber: 3 })).records).toEqual([]);
    const page3 = runQuery(withoutAlpha, q(undefined, { count: 1, pageNumber: 3 }), cookie);
    expect(page3.records.map((r) => r.id)).toEqual(['00000000-0000-4000-8000-000000000003']);
    expect(page3.moreRecords).toBe(false);
    const back = parsePagingCookie(
      '<cookie page="3"><accountid last="{00000000-0000-4000-8000-000000000003}" first="{00000000-0000-4000-8000-000000000003}" /></cookie>',
      'accountid',
    );
    expect(runQuery(rows, q(undefined, { count: 1, pageNumber: 2 }), back).records.map((r) => r.id)).toEqual([
      '00000000-0000-4000-8000-000000000002',
    ]);
  });

  it('refuses a garbled paging cookie', () => {
    for (const raw of [
      'x',
      '<cookie page="1"/>',
      '<cookie page="0"><accountid last="{00000000-0000-4000-8000-000000000001}" first="{00000000-0000-4000-8000-000000000001}" /></cookie>',
    ]) {
      expect(() => parsePagingCookie(raw, 'accountid'), raw).toThrow(/paging cookie is not valid/);
    }
  });
});
