import { describe, expect, it } from 'vitest';
import {
  EMPTY_AUDIT_FILTERS,
  filtersFromSearchParams,
  filtersToApiQuery,
  filtersToSearchParams,
  hasActiveFilters,
  localToIso,
} from './audit-filters-model';

describe('audit filters', () => {
  it('round-trips through the URL', () => {
    const filters = {
      ...EMPTY_AUDIT_FILTERS,
      orgId: 'org-1',
      onBehalfOf: 'Jon Wilson',
      actor: 'ERP_Integration',
      entity: 'account',
      from: '2025-01-01T09:00',
      outcome: 'failed' as const,
      mismatchesOnly: true,
    };
    expect(filtersFromSearchParams(filtersToSearchParams(filters))).toEqual(filters);
  });

  it('maps "mismatches only" to reconciliation=mismatch and dates to ISO instants for the API', () => {
    const query = filtersToApiQuery({
      ...EMPTY_AUDIT_FILTERS,
      mismatchesOnly: true,
      from: '2025-01-01T09:00',
      entity: ' contact ',
    });
    expect(query).toEqual({
      reconciliation: 'mismatch',
      from: new Date('2025-01-01T09:00').toISOString(),
      entity: 'contact',
    });
  });

  it('drops empty filters and unknown outcomes', () => {
    expect(filtersToApiQuery(EMPTY_AUDIT_FILTERS)).toEqual({});
    expect(filtersFromSearchParams(new URLSearchParams('outcome=bogus')).outcome).toBe('');
    expect(hasActiveFilters(EMPTY_AUDIT_FILTERS)).toBe(false);
    expect(hasActiveFilters({ ...EMPTY_AUDIT_FILTERS, mismatchesOnly: true })).toBe(true);
  });

  it('ignores unreadable dates', () => {
    expect(localToIso('')).toBe('');
    expect(localToIso('yesterday-ish')).toBe('');
  });
});
