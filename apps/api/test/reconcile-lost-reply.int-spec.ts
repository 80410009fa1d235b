import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_OUTCOME_CODES } from '../src/crm/ledger.repository';
import { LedgerChainService } from '../src/ledger-chain/ledger-chain.service';
import { TicketsService } from '../src/tickets/tickets.service';
import { json, startTestStack, type TestStack } from './harness';
import { exportedRow } from './support/csv';
import { JON_PUID, onboard, uploadDemoCertificate } from './support/orgs';

/**
 * A Create whose reply was lost, end to end: the emulator runs the Create and garbles its reply (MALFORMED_REPLY),
 * or drops the connection before CRM sees it (DROP_CONNECTION); the ledger row fails; the hash chain seals it;
 * reconciliation (POST /api/orgs/:id/reconcile) then finds the record CRM created and links it to the row
 * (linked_record_id, verdict and note: columns the chain does not cover) instead of listing an unknown change.
 */

interface Report {
  unknown: { entity: string; recordId: string }[];
  linked: { entity: string; recordId: string; ledgerId: string; by: 'id' | 'inference' }[];
  ambiguous: { entity: string; recordId: string; ledgerIds: string[] }[];
}

interface AuditItem {
  id: string;
  outcome: string;
  errorCode: string | null;
  recordId: string | null;
  reconciliation: string;
  reconciliationNote: string | null;
  linkedRecordId: string | null;
  crm: {
    createdby: { name: string | null } | null;
    createdonbehalfby: { name: string | null } | null;
  } | null;
}

interface Row {
  id: string;
  outcome: string;
  error_code: string | null;
  record_id: string | null;
  linked_record_id: string | null;
  reconciliation: string;
  chain_seq: string | null;
}

describe('reconciliation links a Create whose reply was lost to its failed ledger row (real emulator, real Postgres)', () => {
  let s: TestStack;
  let contosoId: string;

  /** A Create through the API that the scenario makes fail; the ledger row it left. */
  async function lostCreate(
    scenario: 'MALFORMED_REPLY' | 'DROP_CONNECTION',
    name: string,
    o: { onBehalf?: boolean; key?: string } = {},
  ): Promise<Row> {
    // A fresh session and breaker, so that the earlier cases' failures do not open the org's circuit.
    s.api.app.get(TicketsService).forget(contosoId);
    s.emulator.control.addScenario({ name: scenario, org: 'contoso', endpoint: 'crm', params: { count: 1 } });
    const requestId = randomUUID();
    const res = await s.admin.post(
      `/api/orgs/${contosoId}/records/account`,
      { attributes: { name }, ...(o.onBehalf === false ? {} : { onBehalfOf: { puid: JON_PUID } }) },
      { 'x-request-id': requestId, ...(o.key ? { 'idempotency-key': o.key } : {}) },
    );
    expect(res.status, await res.clone().text()).toBe(502);
    const [row] = (await s.api.dataSource.query(
      `SELECT id FROM crm_calls WHERE org_id = $1 AND request_id = $2`,
      [contosoId, requestId],
    )) as { id: string }[];
    return ledgerRow(row!.id);
  }

  async function ledgerRow(id: string): Promise<Row> {
    const [row] = (await s.api.dataSource.query(
      `SELECT id, outcome, error_code, record_id, linked_record_id, reconciliation, chain_seq::text AS chain_seq
         FROM crm_calls WHERE id = $1`,
      [id],
    )) as Row[];
    return row!;
  }

  /** The record CRM holds under this name, if any (its id in lower case). */
  const crmRecord = (name: string) =>
    s.emulator.control
      .records({ org: 'contoso', entity: 'account' })
      .filter((r) => r.attributes.name === name)
      .map((r) => r.id.toLowerCase());

  async function reconcileNow(): Promise<Report> {
    s.api.app.get(TicketsService).forget(contosoId);
    const res = await s.admin.post(`/api/orgs/${contosoId}/reconcile`);
    expect(res.status).toBe(200);
    return json<Report>(res);
  }

  async function audited(ledgerId: string): Promise<AuditItem | undefined> {
    const res = await s.admin.get(`/api/audit?orgId=${contosoId}&limit=200`);
    expect(res.status).toBe(200);
    return (await json<{ items: AuditItem[] }>(res)).items.find((i) => i.id === ledgerId);
  }

  const seal = () => s.api.app.get(LedgerChainService).sealOrg(contosoId);

  beforeAll(async () => {
    // Pending rows resolve at once here; production waits 20 minutes (ONBEHALF_RECONCILE_PENDING_AFTER_SEC).
    s = await startTestStack({ ONBEHALF_RECONCILE_PENDING_AFTER_SEC: '0' });
    const certId = await uploadDemoCertificate(s.admin, s.emulator);
    contosoId = await onboard(s.admin, s.emulator, 'Contoso Ltd', certId);
    // Warm up (mapping and ticket cached) so that the faults hit the Create itself.
    const warm = await s.admin.post(`/api/orgs/${contosoId}/records/account`, {
      attributes: { name: 'Lost reply: warm-up' },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(warm.status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a garbled reply to a Create CRM ran: the sealed, failed row is linked by inference to the record (audit: verdict match, a note naming it as probable), not an unknown change; the chain still verifies', async () => {
    const row = await lostCreate('MALFORMED_REPLY', 'Lost reply: garbled');
    expect(row).toMatchObject({ outcome: 'failed', error_code: 'ERR_XML_MALFORMED', record_id: null });
    const [recordId] = crmRecord('Lost reply: garbled');
    expect(recordId, 'CRM ran the Create').toBeDefined();
    // Sealed before reconciliation finds it: its covered columns (record_id among them) can no longer change.
    await seal();
    expect((await ledgerRow(row.id)).chain_seq).not.toBeNull();

    const report = await reconcileNow();
    expect(report.linked).toContainEqual({ entity: 'account', recordId, ledgerId: row.id, by: 'inference' });
    expect(report.unknown.map((u) => u.recordId)).not.toContain(recordId);
    expect(report.ambiguous).toEqual([]);

    expect(await ledgerRow(row.id)).toMatchObject({
      outcome: 'failed',
      error_code: 'ERR_XML_MALFORMED',
      record_id: null,
      linked_record_id: recordId,
      reconciliation: 'match',
    });
    const item = await audited(row.id);
    expect(item).toMatchObject({
      outcome: 'failed',
      errorCode: 'ERR_XML_MALFORMED',
      recordId: null,
      reconciliation: 'match',
      linkedRecordId: recordId,
    });
    // the stamps shown are the linked record's, read back by reconciliation
    expect(item!.crm?.createdby?.name).toBe('Jon Wilson');
    expect(item!.crm?.createdonbehalfby?.name).toBe('ERP_Integration');
    const csv = await exportedRow(s.admin, contosoId, row.id);
    expect({ record_id: csv.record_id, linked_record_id: csv.linked_record_id }).toEqual({
      record_id: '',
      linked_record_id: recordId,
    });
    expect(item!.reconciliationNote).toMatch(
      new RegExp(
        `^the reply was lost \\(ERR_XML_MALFORMED\\); probably the record ${recordId} created .* between `,
      ),
    );
    const verdict = await s.api.app.get(LedgerChainService).verify(contosoId);
    expect(verdict).toMatchObject({ break: null });

    // The next run neither lists it as an unknown change nor links it again.
    const again = await reconcileNow();
    expect(again.unknown.map((u) => u.recordId)).not.toContain(recordId);
    expect(again.linked.map((l) => l.recordId)).not.toContain(recordId);
  });

  it('a keyed Create (Idempotency-Key) whose reply was lost links by the record id its row named', async () => {
    const row = await lostCreate('MALFORMED_REPLY', 'Lost reply: keyed', { key: `lost-${randomUUID()}` });
    const [recordId] = crmRecord('Lost reply: keyed');
    expect(row).toMatchObject({ outcome: 'failed', record_id: recordId });
    await seal();
    const report = await reconcileNow();
    expect(report.linked).toContainEqual({ entity: 'account', recordId, ledgerId: row.id, by: 'id' });
    expect(report.unknown.map((u) => u.recordId)).not.toContain(recordId);
    expect(await ledgerRow(row.id)).toMatchObject({ linked_record_id: recordId, reconciliation: 'match' });
    expect(await audited(row.id)).toMatchObject({ recordId, linkedRecordId: recordId });
    expect((await audited(row.id))!.reconciliationNote).toMatch(
      new RegExp(
        `^the reply was lost \\(ERR_XML_MALFORMED\\); CRM has the record ${recordId} the Create named`,
      ),
    );
  });

  it('two lost Creates as the service account, either of which could be either record: ambiguous, nothing linked, both still unknown changes', async () => {
    const a = await lostCreate('MALFORMED_REPLY', 'Lost reply: twin A', { onBehalf: false });
    const b = await lostCreate('MALFORMED_REPLY', 'Lost reply: twin B', { onBehalf: false });
    const ids = [...crmRecord('Lost reply: twin A'), ...crmRecord('Lost reply: twin B')];
    expect(ids).toHaveLength(2);
    const report = await reconcileNow();
    const ambiguous = report.ambiguous.filter((x) => ids.includes(x.recordId));
    expect(ambiguous.map((x) => x.recordId).sort()).toEqual([...ids].sort());
    for (const x of ambiguous) expect([...x.ledgerIds].sort()).toEqual([a.id, b.id].sort());
    expect(report.linked.filter((l) => ids.includes(l.recordId))).toEqual([]);
    expect(report.unknown.map((u) => u.recordId)).toEqual(expect.arrayContaining(ids));
    for (const r of [a, b]) {
      expect(await ledgerRow(r.id)).toMatchObject({ linked_record_id: null, reconciliation: 'unverified' });
      expect((await audited(r.id))?.linkedRecordId).toBeNull();
    }
    // Not a guess later either.
    expect((await reconcileNow()).linked.filter((l) => ids.includes(l.recordId))).toEqual([]);
  });

  it('a Create CRM never got (connection dropped before it ran) stays failed and unlinked', async () => {
    const row = await lostCreate('DROP_CONNECTION', 'Lost reply: never sent');
    expect(crmRecord('Lost reply: never sent')).toEqual([]);
    expect(row).toMatchObject({ outcome: 'failed', record_id: null });
    const report = await reconcileNow();
    expect(report.linked.map((l) => l.ledgerId)).not.toContain(row.id);
    expect(report.ambiguous.flatMap((x) => x.ledgerIds)).not.toContain(row.id);
    expect(await ledgerRow(row.id)).toMatchObject({
      outcome: 'failed',
      record_id: null,
      linked_record_id: null,
      reconciliation: 'unverified',
    });
  });

  it('a keyed Create CRM never got, re-sent under its key by the retry that made the record: its row is not linked to that record, in the run that judges the retry nor in the next', async () => {
    const key = `lost-${randomUUID()}`;
    const first = await lostCreate('DROP_CONNECTION', 'Lost reply: re-sent', { key });
    expect(UNKNOWN_OUTCOME_CODES, 'the first row is a lost-Create candidate').toContain(first.error_code);
    expect(crmRecord('Lost reply: re-sent')).toEqual([]);
    s.api.app.get(TicketsService).forget(contosoId);
    const retry = await s.admin.post(
      `/api/orgs/${contosoId}/records/account`,
      { attributes: { name: 'Lost reply: re-sent' }, onBehalfOf: { puid: JON_PUID } },
      { 'idempotency-key': key },
    );
    expect(retry.status, await retry.clone().text()).toBe(201);
    const [recordId] = crmRecord('Lost reply: re-sent');
    expect(first.record_id).toBe(recordId);
    // The first run judges the retry's row; the next no longer has the record among its unjudged writes.
    for (const run of ['first', 'next']) {
      const report = await reconcileNow();
      expect(
        report.linked.map((l) => l.ledgerId),
        run,
      ).not.toContain(first.id);
      expect(
        report.unknown.map((u) => u.recordId),
        run,
      ).not.toContain(recordId);
    }
    expect(await ledgerRow(first.id)).toMatchObject({ linked_record_id: null, reconciliation: 'unverified' });
  });
});
