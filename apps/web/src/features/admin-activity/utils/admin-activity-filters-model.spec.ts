import { describe, expect, it } from 'vitest';
import { adminActivityKeys } from '../keys';
import { EMPTY_ADMIN_ACTIVITY_FILTERS, adminActivityFiltersModel } from './admin-activity-filters-model';

const { fromSearchParams, toSearchParams, toApiQuery, hasActiveFilters } = adminActivityFiltersModel;

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
    expect(fromSearchParams(toSearchParams(full))).toEqual(full);
  });

  it('reads absent parameters as empty filters', () => {
    expect(fromSearchParams(new URLSearchParams())).toEqual(EMPTY_ADMIN_ACTIVITY_FILTERS);
  });

  it('ignores an outcome the API does not know, keeping the other filters', () => {
    const f = fromSearchParams(new URLSearchParams('outcome=completed&action=auth.login'));
    expect(f.outcome).toBe('');
    expect(f.action).toBe('auth.login');
    expect(fromSearchParams(new URLSearchParams('outcome=success')).outcome).toBe('success');
  });

  it('sends only the filters that are set, trimmed, under the API parameter names', () => {
    expect(
      toApiQuery({
        ...EMPTY_ADMIN_ACTIVITY_FILTERS,
        action: '  auth.login ',
        actor: '   ',
        to: '2025-02-01',
      }),
    ).toEqual({ action: 'auth.login', to: '2025-02-01' });
    expect(toApiQuery(full)).toEqual(full);
    expect(toApiQuery(EMPTY_ADMIN_ACTIVITY_FILTERS)).toEqual({});
  });

  it('writes a URL without blank parameters', () => {
    expect(toSearchParams({ ...EMPTY_ADMIN_ACTIVITY_FILTERS, outcome: 'success' }).toString()).toBe(
      'outcome=success',
    );
    expect(toSearchParams(EMPTY_ADMIN_ACTIVITY_FILTERS).toString()).toBe('');
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
