import { describe, expect, it } from 'vitest';
import {
  choiceFilter,
  dateRangeFilters,
  defineUrlFilters,
  flagFilter,
  localToIso,
  textFilter,
} from './url-filters';

describe('URL filters', () => {
  const model = defineUrlFilters<{ name: string; kind: '' | 'a' | 'b'; flagged: boolean }>({
    name: textFilter(),
    kind: choiceFilter(['a', 'b']),
    flagged: flagFilter('state', 'flagged'),
  });

  it('starts with every filter unset', () => {
    expect(model.empty).toEqual({ name: '', kind: '', flagged: false });
    expect(model.hasActiveFilters(model.empty)).toBe(false);
    expect(model.toSearchParams(model.empty).toString()).toBe('');
    expect(model.toApiQuery(model.empty)).toEqual({});
  });

  it('writes the filters that are set, trimmed, in the order they are defined, under their parameter names', () => {
    const filters = { name: '  Ada ', kind: 'b' as const, flagged: true };
    expect(model.toSearchParams(filters).toString()).toBe('name=Ada&kind=b&state=flagged');
    expect(model.toApiQuery(filters)).toEqual({ name: 'Ada', kind: 'b', state: 'flagged' });
    expect(Object.keys(model.toApiQuery({ flagged: true, kind: 'a', name: 'x' }))).toEqual([
      'name',
      'kind',
      'state',
    ]);
  });

  it('counts blanks as no filter', () => {
    expect(model.hasActiveFilters({ ...model.empty, name: '   ' })).toBe(false);
    expect(model.toApiQuery({ ...model.empty, name: '   ' })).toEqual({});
    expect(model.hasActiveFilters({ ...model.empty, flagged: true })).toBe(true);
  });

  it('reads a choice or a flag it does not know as unset, and keeps the other filters', () => {
    const read = model.fromSearchParams(new URLSearchParams('kind=c&state=other&name=Ada'));
    expect(read).toEqual({ name: 'Ada', kind: '', flagged: false });
    expect(model.fromSearchParams(new URLSearchParams('kind=a&state=flagged'))).toEqual({
      name: '',
      kind: 'a',
      flagged: true,
    });
  });

  it('sends a local-time range to the API as ISO instants, leaving out an unreadable date', () => {
    const range = defineUrlFilters(dateRangeFilters('local-time'));
    const filters = { from: '2025-01-01T09:00', to: 'yesterday-ish' };
    expect(range.toApiQuery(filters)).toEqual({ from: new Date('2025-01-01T09:00').toISOString() });
    // The URL keeps what was typed, so the form shows it.
    expect(range.toSearchParams(filters).toString()).toBe('from=2025-01-01T09%3A00&to=yesterday-ish');
  });

  it('sends a UTC-day range to the API as it is', () => {
    const range = defineUrlFilters(dateRangeFilters('utc-day'));
    expect(range.toApiQuery({ from: '2025-01-01', to: '2025-01-31' })).toEqual({
      from: '2025-01-01',
      to: '2025-01-31',
    });
  });

  it('turns a local datetime into an ISO instant, and an empty or unreadable one into nothing', () => {
    expect(localToIso('2025-01-01T09:00')).toBe(new Date(2025, 0, 1, 9, 0).toISOString());
    expect(localToIso('')).toBe('');
    expect(localToIso('yesterday-ish')).toBe('');
  });
});
