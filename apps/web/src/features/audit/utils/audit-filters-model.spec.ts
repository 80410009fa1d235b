import { describe, expect, it } from 'vitest';
import { EMPTY_AUDIT_FILTERS, auditFiltersModel } from './audit-filters-model';

const { fromSearchParams, toSearchParams, toApiQuery, hasActiveFilters } = auditFiltersModel;

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
    expect(fromSearchParams(toSearchParams(filters))).toEqual(filters);
  });

  it('maps "mismatches only" to reconciliation=mismatch,not-stamped (an older link\'s mismatch ticks it too) and dates to ISO instants for the API', () => {
    const query = toApiQuery({
      ...EMPTY_AUDIT_FILTERS,
      mismatchesOnly: true,
      from: '2025-01-01T09:00',
      entity: ' contact ',
    });
    expect(query).toEqual({
      reconciliation: 'mismatch,not-stamped',
      from: new Date('2025-01-01T09:00').toISOString(),
      entity: 'contact',
    });
  });

  it('reads the box ticked from either link form, and unticked from anything else', () => {
    expect(fromSearchParams(new URLSearchParams('reconciliation=mismatch')).mismatchesOnly).toBe(true);
    expect(fromSearchParams(new URLSearchParams('reconciliation=mismatch,not-stamped')).mismatchesOnly).toBe(
      true,
    );
    expect(fromSearchParams(new URLSearchParams('reconciliation=match')).mismatchesOnly).toBe(false);
  });

  it('drops empty filters and unknown outcomes', () => {
    expect(toApiQuery(EMPTY_AUDIT_FILTERS)).toEqual({});
    expect(fromSearchParams(new URLSearchParams('outcome=bogus')).outcome).toBe('');
    expect(hasActiveFilters(EMPTY_AUDIT_FILTERS)).toBe(false);
    expect(hasActiveFilters({ ...EMPTY_AUDIT_FILTERS, mismatchesOnly: true })).toBe(true);
  });
});
