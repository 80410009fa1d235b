import { describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import { buildLedgerQuery, decodeCursor, encodeCursor, isUuid } from './ledger-query';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const AT = '2025-03-10T12:00:00.123456Z';
const raw = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
/** The WHERE conditions of the inner query, one per line, as built. */
const conditions = (sql: string) => {
  const m = /WHERE ([\s\S]*?)\n\s*ORDER BY/.exec(sql);
  return m ? m[1]!.split('\n    AND ') : [];
};

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

describe('buildLedgerQuery', () => {
  it('has no WHERE and no LIMIT without filters or page, and walks (at DESC, id DESC)', () => {
    const { sql, params } = buildLedgerQuery({});
    expect(params).toEqual([]);
    expect(sql).not.toMatch(/WHERE|LIMIT/);
    expect(sql.match(/ORDER BY c\.at DESC, c\.id DESC/g)).toHaveLength(2);
    expect(sql).toContain('LEFT JOIN orgs o ON o.id = c.org_id');
    expect(sql).toContain(
      'LEFT JOIN crm_stamps s ON s.org_id = c.org_id AND s.entity = c.entity AND s.record_id = c.record_id',
    );
  });

  it('binds every filter as a parameter, in order, with the index-friendly shape', () => {
    const from = new Date('2025-01-01T00:00:00Z');
    const to = new Date('2025-02-01T00:00:00Z');
    const { sql, params } = buildLedgerQuery(
      {
        orgId: ID,
        actor: { id: 'a1' },
        onBehalfOf: { id: 'u1' },
        entity: 'account',
        from,
        to,
        outcome: ['failed'],
        reconciliation: ['mismatch'],
      },
      { cursor: { at: AT, id: ID }, limit: 51 },
    );
    expect(conditions(sql)).toEqual([
      'c.org_id = $1::uuid',
      'c.service_account_id = $2::uuid',
      'c.on_behalf_of_id = $3::uuid',
      'c.entity = $4',
      'c.at >= $5::timestamptz',
      'c.at < $6::timestamptz',
      'c.outcome = $7',
      'c.reconciliation = $8',
      '(c.at, c.id) < ($9::timestamptz, $10::uuid)',
    ]);
    expect(sql).toMatch(/ORDER BY c\.at DESC, c\.id DESC\n\s*LIMIT \$11\n\) c/);
    expect(params).toEqual([ID, 'a1', 'u1', 'account', from, to, 'failed', 'mismatch', AT, ID, 51]);
  });

  it('matches an actor by name case-insensitively', () => {
    const { sql, params } = buildLedgerQuery({ actor: { name: 'Svc Account' } });
    expect(conditions(sql)).toEqual(['lower(c.service_account_name) = lower($1)']);
    expect(params).toEqual(['Svc Account']);
  });

  it('matches a PUID upper-cased and a name as an escaped substring', () => {
    const puid = buildLedgerQuery({ onBehalfOf: { puid: '00037ffe8ad2c1e4' } });
    expect(conditions(puid.sql)).toEqual(['upper(c.on_behalf_of_puid) = $1']);
    expect(puid.params).toEqual(['00037FFE8AD2C1E4']);
    const name = buildLedgerQuery({ onBehalfOf: { nameContains: '50%_off\\x' } });
    expect(conditions(name.sql)).toEqual(['c.on_behalf_of_name ILIKE $1']);
    expect(name.params).toEqual(['%50\\%\\_off\\\\x%']);
  });

  it('uses ANY(...) for several outcomes or reconciliations, = for one, and nothing for an empty list', () => {
    const many = buildLedgerQuery({ outcome: ['failed', 'pending'], reconciliation: ['match', 'missing'] });
    expect(conditions(many.sql)).toEqual([
      'c.outcome = ANY($1::text[])',
      'c.reconciliation = ANY($2::text[])',
    ]);
    expect(many.params).toEqual([
      ['failed', 'pending'],
      ['match', 'missing'],
    ]);
    const none = buildLedgerQuery({ outcome: [], reconciliation: [] });
    expect(none.params).toEqual([]);
    expect(none.sql).not.toContain('WHERE');
  });

  it('puts a limit of 0 in the statement as asked', () => {
    const { sql, params } = buildLedgerQuery({}, { limit: 0 });
    expect(sql).toContain('LIMIT $1');
    expect(params).toEqual([0]);
  });

  it('reads the columns a ledger row needs, with a microsecond "at" key in UTC', () => {
    const { sql } = buildLedgerQuery({});
    expect(sql).toContain(`to_char(c.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key`);
    expect(sql).toContain('s.org_id IS NOT NULL AND s.exists_in_crm AS has_stamps');
  });
});
