import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerService } from '../src/crm/ledger.service';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/database/entities';
import { freshDatabase } from './harness';
import { ledgerRepository } from './support/ledger';
import { insertActiveOrg, insertPlaceholderCertificate } from './support/rows';

/** LedgerService's pending → completed / failed rows on a real Postgres. Pinned for mutation testing; tests stand alone. */

const INSTANCE_ID = 'ledger-spec:1';
describe('LedgerService (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let ledger: LedgerService;
  let orgId: string;
  let certId: string;
  const row = async (id: string) =>
    ((await ds.query(`SELECT * FROM crm_calls WHERE id = $1`, [id])) as Record<string, unknown>[])[0]!;

  beforeAll(async () => {
    db = await freshDatabase();
    ds = createDataSource(db.url, ENTITIES);
    await ds.initialize();
    certId = await insertPlaceholderCertificate(ds);
    orgId = await insertActiveOrg(ds, certId, 'Org', 'https://d.example');
    ledger = new LedgerService(ledgerRepository(ds), { instanceId: INSTANCE_ID });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('writes a pending row with every field of the call and this instance, before the call', async () => {
    const rec = randomUUID();
    const sa = randomUUID();
    const obo = randomUUID();
    const id = await ledger.begin({
      orgId,
      operation: 'Update',
      entity: 'contact',
      recordId: rec,
      serviceAccountId: sa,
      serviceAccountName: 'ERP',
      onBehalfOfId: obo,
      onBehalfOfName: 'Jon',
      onBehalfOfPuid: '0003BFFD8F3A5B21',
      requestId: 'req-1',
      caller: 'api-key',
    });
    expect(await row(id)).toMatchObject({
      id,
      org_id: orgId,
      operation: 'Update',
      entity: 'contact',
      record_id: rec,
      service_account_id: sa,
      service_account_name: 'ERP',
      on_behalf_of_id: obo,
      on_behalf_of_name: 'Jon',
      on_behalf_of_puid: '0003BFFD8F3A5B21',
      outcome: 'pending',
      request_id: 'req-1',
      caller: 'api-key',
      instance: INSTANCE_ID,
      completed_at: null,
      reconciliation: 'unverified',
    });
  });

  it('stores absent optional fields as NULL', async () => {
    const id = await ledger.begin({ orgId, operation: 'WhoAmI' });
    expect(await row(id)).toMatchObject({
      operation: 'WhoAmI',
      entity: null,
      record_id: null,
      service_account_id: null,
      on_behalf_of_name: null,
      request_id: null,
      caller: null,
    });
  });

  it('writes concurrent starts and completions each to its own row', async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        ledger.begin({ orgId, operation: 'Create', requestId: `batch-${i}` }),
      ),
    );
    expect(new Set(ids).size).toBe(5);
    await Promise.all(ids.map((id, i) => ledger.complete(orgId, id, { latencyMs: i })));
    for (const [i, id] of ids.entries())
      expect(await row(id)).toMatchObject({ request_id: `batch-${i}`, outcome: 'completed', latency_ms: i });
  });

  it('completes a call: outcome, completion time, latency rounded, the new record id', async () => {
    const id = await ledger.begin({ orgId, operation: 'Create', entity: 'account' });
    const rec = randomUUID();
    await ledger.complete(orgId, id, { recordId: rec, latencyMs: 41.6 });
    expect(await row(id)).toMatchObject({
      outcome: 'completed',
      latency_ms: 42,
      record_id: rec,
      error_code: null,
      error_message: null,
      completed_at: expect.any(Date),
    });
  });

  it('keeps the record id known at the start when the completion has none', async () => {
    const rec = randomUUID();
    const id = await ledger.begin({ orgId, operation: 'Update', entity: 'account', recordId: rec });
    await ledger.complete(orgId, id, { latencyMs: 1 });
    expect(await row(id)).toMatchObject({ outcome: 'completed', record_id: rec });
  });

  it('fails a call with its code and the first 500 characters of its message, keeping the record id', async () => {
    const rec = randomUUID();
    const id = await ledger.begin({ orgId, operation: 'Delete', entity: 'account', recordId: rec });
    await ledger.fail(orgId, id, {
      errorCode: 'ERR_CRM_FAULT',
      errorMessage: 'x'.repeat(600),
      latencyMs: 7.4,
    });
    expect(await row(id)).toMatchObject({
      outcome: 'failed',
      error_code: 'ERR_CRM_FAULT',
      error_message: 'x'.repeat(500),
      latency_ms: 7,
      record_id: rec,
      completed_at: expect.any(Date),
    });
  });

  it("completes a recovered Create's pending row with the record idempotent recovery found; a row no longer pending, or another org's, is left alone", async () => {
    const id = await ledger.begin({ orgId, operation: 'Create', entity: 'account' });
    const rec = randomUUID();
    await ledger.completeRecovered(orgId, id, rec);
    expect(await row(id)).toMatchObject({
      outcome: 'completed',
      record_id: rec,
      completed_at: expect.any(Date),
      error_code: null,
    });
    // Reconciliation failed it as CRASHED_UNKNOWN_OUTCOME first: it stays so (it may be sealed by then).
    const crashed = await ledger.begin({ orgId, operation: 'Create', entity: 'account' });
    await ledgerRepository(ds).failPendingAsCrashed(orgId, crashed);
    await ledger.completeRecovered(orgId, crashed, randomUUID());
    expect(await row(crashed)).toMatchObject({
      outcome: 'failed',
      error_code: 'CRASHED_UNKNOWN_OUTCOME',
      record_id: null,
    });
    const elsewhere = await ledger.begin({ orgId, operation: 'Create', entity: 'account' });
    await ledger.completeRecovered(randomUUID(), elsewhere, randomUUID());
    expect(await row(elsewhere)).toMatchObject({ outcome: 'pending', record_id: null, completed_at: null });
  });

  it('touches no row of another org with the same id', async () => {
    const id = await ledger.begin({ orgId, operation: 'Create' });
    await ledger.complete(randomUUID(), id, { latencyMs: 1 });
    expect((await row(id)).outcome).toBe('pending');
  });

  it("counts each org's calls and failed calls of the last 24 hours; an org without one is absent", async () => {
    const busy = await insertActiveOrg(ds, certId, 'Busy', 'https://busy.example');
    const quiet = await insertActiveOrg(ds, certId, 'Quiet', 'https://quiet.example');
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    const call = (org: string, outcome: string, at: Date) =>
      ds.query(
        `INSERT INTO crm_calls (org_id, at, operation, outcome, reconciliation) VALUES ($1, $2, 'WhoAmI', $3, 'unverified')`,
        [org, at, outcome],
      );
    await call(busy, 'completed', hoursAgo(0.1));
    await call(busy, 'failed', hoursAgo(1));
    await call(busy, 'failed', hoursAgo(12));
    await call(busy, 'failed', hoursAgo(23.9));
    await call(busy, 'pending', hoursAgo(2));
    await call(busy, 'failed', hoursAgo(24.1)); // a day and more ago: not counted
    await call(quiet, 'failed', hoursAgo(30));
    const counts = await ledger.callCounts24h();
    expect(counts.get(busy)).toEqual({ total: 5, failed: 3 });
    expect(counts.has(quiet)).toBe(false);
  });
});
