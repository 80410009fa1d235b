import { describe, expect, it } from 'vitest';
import { adminActivityKeys } from '../keys';
import {
  EMPTY_ADMIN_ACTIVITY_FILTERS,
  filtersFromSearchParams,
  filtersToApiQuery,
  filtersToSearchParams,
  hasActiveFilters,
} from './admin-activity-filters-model';

describe('admin activity filters', () => {
  const full = {
    action: 'admin-user.create',
    actor: 'Ada@Example.test',
    orgId: 'b2c4e1f0-0000-4000-8000-000000000001',
    outcome: 'failure' as const,
    from: '2025-01-01',
    to: '2025-01-31',
  };

  it('round-trips every filter through the URL', () => {
    expect(filtersFromSearchParams(filtersToSearchParams(full))).toEqual(full);
  });

  it('reads absent parameters as empty filters', () => {
    expect(filtersFromSearchParams(new URLSearchParams())).toEqual(EMPTY_ADMIN_ACTIVITY_FILTERS);
  });

  it('ignores an outcome the API does not know, keeping the other filters', () => {
    const f = filtersFromSearchParams(new URLSearchParams('outcome=completed&action=auth.login'));
    expect(f.outcome).toBe('');
    expect(f.action).toBe('auth.login');
    expect(filtersFromSearchParams(new URLSearchParams('outcome=success')).outcome).toBe('success');
  });

  it('sends only the filters that are set, trimmed, under the API parameter names', () => {
    expect(
      filtersToApiQuery({
        ...EMPTY_ADMIN_ACTIVITY_FILTERS,
        action: '  auth.login ',
        actor: '   ',
        to: '2025-02-01',
      }),
    ).toEqual({ action: 'auth.login', to: '2025-02-01' });
    expect(filtersToApiQuery(full)).toEqual(full);
    expect(filtersToApiQuery(EMPTY_ADMIN_ACTIVITY_FILTERS)).toEqual({});
  });

  it('writes a URL without blank parameters', () => {
    expect(filtersToSearchParams({ ...EMPTY_ADMIN_ACTIVITY_FILTERS, outcome: 'success' }).toString()).toBe(
      'outcome=success',
    );
    expect(filtersToSearchParams(EMPTY_ADMIN_ACTIVITY_FILTERS).toString()).toBe('');
  });

  it('counts a filter as active only when it holds more than blanks', () => {
    expect(hasActiveFilters(EMPTY_ADMIN_ACTIVITY_FILTERS)).toBe(false);
    expect(hasActiveFilters({ ...EMPTY_ADMIN_ACTIVITY_FILTERS, actor: '  ' })).toBe(false);
    for (const key of Object.keys(full) as (keyof typeof full)[]) {
      expect(hasActiveFilters({ ...EMPTY_ADMIN_ACTIVITY_FILTERS, [key]: full[key] })).toBe(true);
    }
  });

  it('keys each filter set on its own, under the feature root', () => {
    const key = adminActivityKeys.list({ ...EMPTY_ADMIN_ACTIVITY_FILTERS, action: 'x' });
    expect(key.slice(0, 2)).toEqual([...adminActivityKeys.lists()]);
    expect(adminActivityKeys.lists()[0]).toBe(adminActivityKeys.all[0]);
    expect(key).not.toEqual(adminActivityKeys.list(EMPTY_ADMIN_ACTIVITY_FILTERS));
  });
});
