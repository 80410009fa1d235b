import { describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import { decodeCursor, encodeCursor, isUuid } from './ledger-query';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const AT = '2025-03-10T12:00:00.123456Z';
const raw = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

describe('ledger cursor', () => {
  it('round-trips (at, id) through an opaque base64url token', () => {
    const token = encodeCursor({ at: AT, id: ID });
    expect(token).toBe(raw(`${AT}|${ID}`));
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual({ at: AT, id: ID });
  });

  it('lower-cases the id of a cursor', () => {
    expect(decodeCursor(raw(`${AT}|${ID.toUpperCase()}`))).toEqual({ at: AT, id: ID });
  });

  const refused = (token: string) => {
    try {
      decodeCursor(token);
    } catch (e) {
      expect(e).toBeInstanceOf(DomainException);
      return {
        status: (e as DomainException).status,
        code: (e as DomainException).code,
        message: (e as DomainException).message,
      };
    }
    return null;
  };

  it.each([
    ['a third segment', `${AT}|${ID}|x`],
    ['no id', `${AT}|`],
    ['no at', `|${ID}`],
    ['no separator', `${AT}${ID}`],
    ['milliseconds instead of microseconds', `2025-03-10T12:00:00.123Z|${ID}`],
    ['a zone other than Z', `2025-03-10T12:00:00.123456+01:00|${ID}`],
    ['text before the time', `x2025-03-10T12:00:00.123456Z|${ID}`],
    ['text after the time', `2025-03-10T12:00:00.123456Zx|${ID}`],
    ['an impossible time', `2025-13-45T99:99:99.123456Z|${ID}`],
    ['an id that is not a UUID', `${AT}|not-a-uuid`],
    ['text before the id', `${AT}|x${ID}`],
    ['text after the id', `${AT}|${ID}x`],
    ['empty', ''],
  ])('refuses a cursor with %s as 400 INVALID_CURSOR', (_what, text) => {
    expect(refused(raw(text))).toEqual({
      status: 400,
      code: 'INVALID_CURSOR',
      message: 'The cursor is not one this API returned. Start again without it.',
    });
  });

  it('refuses a one-digit-short time (every field has its exact width)', () => {
    for (const at of [
      '202-03-10T12:00:00.123456Z',
      '2025-3-10T12:00:00.123456Z',
      '2025-03-1T12:00:00.123456Z',
      '2025-03-10T1:00:00.123456Z',
      '2025-03-10T12:0:00.123456Z',
      '2025-03-10T12:00:0.123456Z',
      '2025-03-10T12:00:00.12345Z',
    ]) {
      expect(refused(raw(`${at}|${ID}`))).toMatchObject({ code: 'INVALID_CURSOR' });
    }
  });
});

describe('isUuid', () => {
  it('accepts a UUID in either case and nothing around it', () => {
    expect(isUuid(ID)).toBe(true);
    expect(isUuid(ID.toUpperCase())).toBe(true);
    expect(isUuid(`${ID}0`)).toBe(false);
    expect(isUuid(`x${ID}`)).toBe(false);
    expect(isUuid(ID.replace(/-/g, ''))).toBe(false);
    expect(isUuid('0f8fad5b-d9cb-469f-a165-70867728950g')).toBe(false);
  });
});
