import { describe, expect, it } from 'vitest';
import { isBracedGuid, toBool, toBracedGuid, toDate, toGuid, toInt } from './values';

describe('values', () => {
  it('normalizes GUIDs with or without braces, any case, to lower case without braces', () => {
    expect(toGuid('{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}')).toBe('c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c');
    expect(toGuid('c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c')).toBe('c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c');
    for (const bad of [
      '{c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c',
      'c1f3a7d24e5b4a699c8d0b1e2f3a4b5c',
      'zzzzzzzz-4e5b-4a69-9c8d-0b1e2f3a4b5c',
      '',
    ]) {
      expect(toGuid(bad)).toBeUndefined();
    }
    expect(isBracedGuid('{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}')).toBe(true);
    expect(isBracedGuid('C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C')).toBe(false);
    expect(toBracedGuid('c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c')).toBe(
      '{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}',
    );
  });

  it('reads xs:boolean as 1/0/true/false (and .NET casing)', () => {
    expect([
      toBool('1'),
      toBool('true'),
      toBool('True'),
      toBool('0'),
      toBool('false'),
      toBool('FALSE'),
    ]).toEqual([true, true, true, false, false, false]);
    expect(toBool('yes')).toBeUndefined();
  });

  it('reads integers strictly, without number coercion tricks', () => {
    expect(toInt('00123')).toBe(123);
    expect(toInt('-5')).toBe(-5);
    for (const bad of ['1e5', '0x1F', '1.5', '', ' 1']) expect(toInt(bad)).toBeUndefined();
  });

  it.each([
    ['2026-11-23T22:00:00Z', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23T14:00:00-08:00', '2026-11-23T22:00:00.000Z'],
    ['2026-11-24T03:30:00+0530', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23T22:00:00', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23T22:00:00.1234567Z', '2026-11-23T22:00:00.123Z'],
    ['2026-11-23T22:00', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23', '2026-11-23T00:00:00.000Z'],
    // .NET's forms, month first (invariant culture, en-US, DateTimeOffset).
    ['11/23/2026 10:00:00 PM', '2026-11-23T22:00:00.000Z'],
    ['11/23/2026 22:00:00', '2026-11-23T22:00:00.000Z'],
    ['11/23/2026 2:00:00 PM -08:00', '2026-11-23T22:00:00.000Z'],
    ['11/24/2026 3:30:00 AM +05:30', '2026-11-23T22:00:00.000Z'],
    ['1/5/2027 12:00:00 AM', '2027-01-05T00:00:00.000Z'],
    ['1/5/2027 12:30:00 PM', '2027-01-05T12:30:00.000Z'],
    ['11/23/2026 22:00:00.1234567Z', '2026-11-23T22:00:00.123Z'],
    ['11/23/2026', '2026-11-23T00:00:00.000Z'],
  ])('reads %s as %s (no zone means UTC)', (text, iso) => {
    expect(toDate(text)?.toISOString()).toBe(iso);
  });

  it.each([
    // .NET's DateTime.MinValue; Date.UTC would read years 0–99 as 1900–1999.
    ['0001-01-01T00:00:00', '0001-01-01T00:00:00.000Z'],
    ['1/1/0001 12:00:00 AM', '0001-01-01T00:00:00.000Z'],
    ['0099-12-31T23:59:59Z', '0099-12-31T23:59:59.000Z'],
    ['0004-02-29T00:00:00+01:00', '0004-02-28T23:00:00.000Z'],
  ])('reads %s in its own year, before 100 too: %s', (text, iso) => {
    expect(toDate(text)?.toISOString()).toBe(iso);
  });

  it('refuses February 29 of years 1 and 100, which are not leap years', () => {
    expect(toDate('0001-02-29T00:00:00Z')).toBeUndefined();
    expect(toDate('0100-02-29T00:00:00Z')).toBeUndefined();
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-23T25:00:00Z',
    'Nov 23 2026',
    '2026-11-23T22:00:00+25:00',
    '',
    '23/11/2026 10:00:00 PM',
    '11/23/2026 13:00:00 PM',
    '11/23/2026 0:00:00 AM',
    '2/30/2026 10:00:00 AM',
    '11/23/26 10:00:00 PM',
  ])('refuses %s as a date', (text) => {
    expect(toDate(text)).toBeUndefined();
  });
});
