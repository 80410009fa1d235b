import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LedgerRepository, UNKNOWN_OUTCOME_CODES } from '../src/crm/ledger.repository';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/database/entities';
import { freshDatabase } from './harness';
import { ledgerRepository } from './support/ledger';
import { insertPlaceholderCertificate } from './support/rows';

/**
 * The lost-reply SQL of LedgerRepository (lostCreates, linkLostCreate, hasCallOn) on a real, migrated Postgres:
 * which rows are candidates, and that a link touches only columns the hash chain does not cover. Each test has
 * its own org. Pinned for mutation testing.
 */
const SA = 'aaaaaaaa-0000-4000-8000-00000000000a';
const JON = 'bbbbbbbb-0000-4000-8000-00000000000b';

describe('LedgerRepository: lost Creates (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let certId: string;
  let repo: LedgerRepository;
  const sql = <T = Record<string, unknown>>(s: string, p: unknown[] = []) => ds.query(s, p) as Promise<T[]>;

  beforeAll(async () => {
    db = await freshDatabase();
    ds = createDataSource(db.url, ENTITIES);
    await ds.initialize();
    certId = await insertPlaceholderCertificate(ds);
    repo = ledgerRepository(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  async function org(): Promise<string> {
    const [{ id }] = (await sql<{ id: string }>(
      `INSERT INTO orgs (discovery_url, friendly_name, certificate_id, status, service_account_user_id) VALUES ('https://d.example', $1, $2, 'active', $3) RETURNING id`,
      [`Org ${randomUUID()}`, certId, SA],
    )) as [{ id: string }];
    return id;
  }
  /** A ledger row: a Create for Jon a minute ago that failed with a garbled reply and names no record, unless told. */
  async function call(orgId: string, row: Record<string, unknown> = {}): Promise<string> {
    const r = {
      org_id: orgId,
      at: new Date(Date.now() - 60_000),
      operation: 'Create',
      entity: 'account',
      record_id: null,
      service_account_id: SA,
      on_behalf_of_id: JON,
      outcome: 'failed',
      error_code: 'ERR_XML_MALFORMED',
      ...row,
    };
    const cols = Object.keys(r);
    const [{ id }] = (await sql<{ id: string }>(
      `INSERT INTO crm_calls (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(r),
    )) as [{ id: string }];
    return id;
  }
  const since = () => new Date(Date.now() - 3_600_000);
  const lostIds = async (orgId: string) => (await repo.lostCreates(orgId, since())).map((r) => r.id);

  it('every unknown-outcome code makes a failed Create a candidate; a code after which CRM cannot have run it does not', async () => {
    const orgId = await org();
    const unknown = [];
    for (const code of UNKNOWN_OUTCOME_CODES) unknown.push(await call(orgId, { error_code: code }));
    await call(orgId, { error_code: 'ERR_CONNECTION_REFUSED' });
    await call(orgId, { error_code: 'ERR_CRM_FAULT:0x80040220' });
    await call(orgId, { error_code: null });
    expect((await lostIds(orgId)).sort()).toEqual([...unknown].sort());
    expect(UNKNOWN_OUTCOME_CODES).toEqual(
      expect.arrayContaining([
        'CRASHED_UNKNOWN_OUTCOME',
        'ERR_TIMEOUT',
        'ERR_CONNECTION_RESET',
        'ERR_XML_MALFORMED',
      ]),
    );
    expect(UNKNOWN_OUTCOME_CODES).not.toContain('ERR_CONNECTION_REFUSED');
  });

  it('answers the row as the matching rule reads it, oldest first; a pending row (its call still running: reconciliation failed the stale ones already) is no candidate, nor a completed one', async () => {
    const orgId = await org();
    const at = new Date(Date.now() - 120_000);
    const newer = await call(orgId, { at: new Date(Date.now() - 30_000) });
    await call(orgId, { outcome: 'pending', error_code: null, at: new Date(Date.now() - 90_000) });
    const failed = await call(orgId, { at });
    await call(orgId, { outcome: 'completed', error_code: null, record_id: randomUUID() });
    const rows = await repo.lostCreates(orgId, since());
    expect(rows.map((r) => r.id)).toEqual([failed, newer]);
    expect(rows[0]).toEqual({
      id: failed,
      entity: 'account',
      record_id: null,
      service_account_id: SA,
      on_behalf_of_id: JON,
      outcome: 'failed',
      error_code: 'ERR_XML_MALFORMED',
      at,
    });
  });

  it('only the org’s unjudged, unlinked Creates of an entity, since the window start', async () => {
    const orgId = await org();
    const keep = await call(orgId, { record_id: randomUUID() }); // a keyed Create: candidate, by its id
    await call(orgId, { operation: 'Update' });
    await call(orgId, { entity: null });
    await call(orgId, { reconciliation: 'match' });
    await call(orgId, { linked_record_id: randomUUID() });
    await call(orgId, { at: new Date(Date.now() - 2 * 3_600_000) });
    await call(await org());
    expect(await lostIds(orgId)).toEqual([keep]);
  });

  it('links a sealed row through columns the chain does not cover, once; hasCallOn then finds the record', async () => {
    const orgId = await org();
    const id = await call(orgId);
    const recordId = randomUUID();
    // Sealed as the sealer would leave it: the trigger now refuses any change to a covered column.
    await sql(
      `UPDATE crm_calls SET chain_seq = 1, prev_hash = repeat('0', 64), row_hash = repeat('1', 64), sealed_at = now() WHERE id = $1`,
      [id],
    );
    expect(await repo.hasCallOn(orgId, 'account', recordId)).toBe(false);
    expect(await repo.linkLostCreate(orgId, id, recordId, 'match', 'the reply was lost')).toBe(true);
    const [row] = await sql(
      `SELECT record_id, linked_record_id, outcome, error_code, reconciliation, reconciliation_note FROM crm_calls WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({
      record_id: null,
      linked_record_id: recordId,
      outcome: 'failed',
      error_code: 'ERR_XML_MALFORMED',
      reconciliation: 'match',
      reconciliation_note: 'the reply was lost',
    });
    expect(await repo.hasCallOn(orgId, 'account', recordId)).toBe(true);
    expect(await repo.hasCallOn(orgId, 'contact', recordId)).toBe(false);
    expect(await repo.hasCallOn(await org(), 'account', recordId)).toBe(false);
    // A second link (another run, another record) changes nothing and says so.
    expect(await repo.linkLostCreate(orgId, id, randomUUID(), 'mismatch', 'again')).toBe(false);
    expect((await sql(`SELECT linked_record_id FROM crm_calls WHERE id = $1`, [id]))[0]).toEqual({
      linked_record_id: recordId,
    });
    expect(await lostIds(orgId)).toEqual([]);
  });

  it('hasCallOn can leave rows out: a keyed row asks whether any other row of the org and entity names or is linked to its record', async () => {
    const orgId = await org();
    const recordId = randomUUID();
    const own = await call(orgId, { record_id: recordId });
    expect(await repo.hasCallOn(orgId, 'account', recordId)).toBe(true);
    expect(await repo.hasCallOn(orgId, 'account', recordId, [own])).toBe(false);
    // Another row naming the record (the re-sent Create that completed it) counts, and so does one linked to it.
    const resent = await call(orgId, { record_id: recordId, outcome: 'completed', error_code: null });
    expect(await repo.hasCallOn(orgId, 'account', recordId, [own])).toBe(true);
    expect(await repo.hasCallOn(orgId, 'account', recordId, [own, resent])).toBe(false);
    const other = randomUUID();
    const linked = await call(orgId, { linked_record_id: other });
    expect(await repo.hasCallOn(orgId, 'account', other, [own])).toBe(true);
    expect(await repo.hasCallOn(orgId, 'account', other, [linked])).toBe(false);
    // Only the org's rows of that entity.
    expect(await repo.hasCallOn(orgId, 'contact', recordId, [own])).toBe(false);
    expect(await repo.hasCallOn(await org(), 'account', recordId, [own])).toBe(false);
  });

  it('links only within the org, and not a row a verdict already judged', async () => {
    const orgId = await org();
    const id = await call(orgId);
    expect(await repo.linkLostCreate(await org(), id, randomUUID(), 'match', 'x')).toBe(false);
    const judged = await call(orgId, { reconciliation: 'missing' });
    expect(await repo.linkLostCreate(orgId, judged, randomUUID(), 'match', 'x')).toBe(false);
    const rows = await sql(`SELECT linked_record_id FROM crm_calls WHERE org_id = $1`, [orgId]);
    expect(rows).toEqual([{ linked_record_id: null }, { linked_record_id: null }]);
  });
});
