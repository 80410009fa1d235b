import { describe, expect, it } from 'vitest';
import { buildLedgerQuery } from './ledger-query';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const AT = '2025-03-10T12:00:00.123456Z';
/** The WHERE conditions of the inner query, one per line, as built. */
const conditions = (sql: string) => {
  const m = /WHERE ([\s\S]*?)\n\s*ORDER BY/.exec(sql);
  return m ? m[1]!.split('\n    AND ') : [];
};

describe('buildLedgerQuery', () => {
  it('has no WHERE and no LIMIT without filters or page, and walks (at DESC, id DESC)', () => {
    const { sql, params } = buildLedgerQuery({});
    expect(params).toEqual([]);
    expect(sql).not.toMatch(/WHERE|LIMIT/);
    expect(sql.match(/ORDER BY c\.at DESC, c\.id DESC/g)).toHaveLength(2);
    expect(sql).toContain('LEFT JOIN orgs o ON o.id = c.org_id');
    expect(sql.replace(/\s+/g, ' ')).toContain(
      'LEFT JOIN crm_stamps s ON s.org_id = c.org_id AND s.entity = c.entity AND s.record_id = coalesce(c.linked_record_id, c.record_id)',
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

  it('matches a PUID upper-cased and a name as a literal, case-insensitive substring', () => {
    const puid = buildLedgerQuery({ onBehalfOf: { puid: '00037ffe8ad2c1e4' } });
    expect(conditions(puid.sql)).toEqual(['upper(c.on_behalf_of_puid) = $1']);
    expect(puid.params).toEqual(['00037FFE8AD2C1E4']);
    const name = buildLedgerQuery({ onBehalfOf: { nameContains: '50%_off\\x' } });
    expect(conditions(name.sql)).toEqual(['strpos(lower(c.on_behalf_of_name), lower($1)) > 0']);
    expect(name.params).toEqual(['50%_off\\x']);
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
