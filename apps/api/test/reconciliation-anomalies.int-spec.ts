import { DEMO_IDS } from '@onbehalf/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsService } from '../src/jobs/jobs.service';
import { json, startTestStack, type TestStack } from './harness';
import { exportedRow } from './support/csv';
import { JON_PUID, onboard, uploadDemoCertificate } from './support/orgs';

/**
 * Reconciliation end to end: calls go through the API (records routes, as an admin or the ISV's
 * API key), the emulator's control API then changes CRM behind Onbehalf's back, reconciliation runs
 * the way the product runs it (the `reconcile` job, or POST /api/orgs/:id/reconcile), and the verdict
 * and its reason must show in the audit search and in the CSV export.
 */

const JON = DEMO_IDS.jonWilson;
const RITA = DEMO_IDS.readOnlyUser; // Rita Reed: "someone else" in Contoso
const SERVICE_ACCOUNT = DEMO_IDS.erpInContoso;

interface AuditItem {
  id: string;
  operation: string;
  recordId: string | null;
  onBehalfOf: { id: string | null; name: string | null; puid: string | null } | null;
  crm: Record<
    'createdby' | 'createdonbehalfby' | 'modifiedby' | 'modifiedonbehalfby',
    { id: string | null; name: string | null } | null
  > | null;
  reconciliation: string;
  reconciliationNote: string | null;
}

interface ReconcileReport {
  checked: number;
  match: number;
  mismatch: number;
  missing: number;
  unknownChanges: number;
  unknown: { entity: string; recordId: string; modifiedon: string | null }[];
}

describe('reconciliation when CRM disagrees with the ledger (real emulator changed behind Onbehalf, real Postgres)', () => {
  let s: TestStack;
  let contosoId: string;
  let apiKey: string;

  /** The ISV's software: an API key as Bearer token, no cookie, no CSRF token. */
  const isv = (method: string, path: string, body?: unknown) =>
    fetch(`${s.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function create(
    name: string,
    onBehalfOf?: { puid: string } | { userId: string },
    via: 'admin' | 'api-key' = 'admin',
  ): Promise<{ id: string; ledgerId: string }> {
    const body = { attributes: { name }, ...(onBehalfOf ? { onBehalfOf } : {}) };
    const res =
      via === 'admin'
        ? await s.admin.post(`/api/orgs/${contosoId}/records/account`, body)
        : await isv('POST', `/api/orgs/${contosoId}/records/account`, body);
    expect(res.status, await res.clone().text()).toBe(201);
    return json<{ id: string; ledgerId: string }>(res);
  }

  const account = (id: string) => ({ org: 'contoso', entity: 'account', id });

  /** The `reconcile` job, as the job runner starts it every 5 minutes; returns this org's part of the run's output. */
  async function reconcileJob(): Promise<ReconcileReport> {
    const id = await s.api.app.get(JobsService).runNow('reconcile');
    expect(id).not.toBeNull();
    // The run's outcome and output, as pg-boss recorded them.
    const [run] = (await s.api.dataSource.query(
      `SELECT state::text AS state, output FROM pgboss.job WHERE name = 'reconcile' AND id = $1`,
      [id],
    )) as {
      state: string;
      output: Record<string, ReconcileReport>;
    }[];
    expect(run?.state).toBe('completed');
    return run!.output[contosoId]!;
  }

  /** The console's "reconcile now": POST /api/orgs/:id/reconcile. */
  async function reconcileNow(): Promise<ReconcileReport> {
    const res = await s.admin.post(`/api/orgs/${contosoId}/reconcile`);
    expect(res.status).toBe(200);
    return json<ReconcileReport>(res);
  }

  /** The ledger item as the audit search shows it (filtered by verdict when asked). */
  async function audited(ledgerId: string, reconciliation?: string): Promise<AuditItem | undefined> {
    const q = `orgId=${contosoId}&limit=200${reconciliation ? `&reconciliation=${reconciliation}` : ''}`;
    const res = await s.admin.get(`/api/audit?${q}`);
    expect(res.status).toBe(200);
    return (await json<{ items: AuditItem[] }>(res)).items.find((i) => i.id === ledgerId);
  }

  const exported = (ledgerId: string) => exportedRow(s.admin, contosoId, ledgerId);

  /** Verdict and reason, identical in the audit search (with the verdict filter) and the CSV export. */
  async function expectVerdict(ledgerId: string, verdict: string, reason: string | null): Promise<AuditItem> {
    const item = await audited(ledgerId, verdict);
    expect(item, `ledger row ${ledgerId} in GET /api/audit?reconciliation=${verdict}`).toBeDefined();
    expect({ reconciliation: item!.reconciliation, reconciliationNote: item!.reconciliationNote }).toEqual({
      reconciliation: verdict,
      reconciliationNote: reason,
    });
    const csv = await exported(ledgerId);
    expect({ reconciliation: csv.reconciliation, reconciliation_note: csv.reconciliation_note }).toEqual({
      reconciliation: verdict,
      reconciliation_note: reason ?? '',
    });
    return item!;
  }

  beforeAll(async () => {
    s = await startTestStack();
    const certId = await uploadDemoCertificate(s.admin, s.emulator);
    contosoId = await onboard(s.admin, s.emulator, 'Contoso Ltd', certId);
    const key = await s.admin.post('/api/api-keys', { name: 'erp-link', scopes: ['admin'] });
    expect(key.status).toBe(201);
    apiKey = (await json<{ key: string }>(key)).key;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('untouched records are a match with no reason: on behalf of Jon by PUID (API key) and as the service account itself', async () => {
    const onBehalf = await create('Reconcile: untouched, on behalf', { puid: JON_PUID }, 'api-key');
    const itself = await create('Reconcile: untouched, service account');
    const before = await audited(onBehalf.ledgerId);
    expect(before?.reconciliation).toBe('unverified');
    const report = await reconcileJob();
    expect(report.mismatch).toBe(0);
    expect(report.missing).toBe(0);
    const a = await expectVerdict(onBehalf.ledgerId, 'match', null);
    expect(a.crm).toMatchObject({
      createdby: { id: JON, name: 'Jon Wilson' },
      createdonbehalfby: { id: SERVICE_ACCOUNT },
    });
    const b = await expectVerdict(itself.ledgerId, 'match', null);
    expect(b.crm).toMatchObject({ createdby: { id: SERVICE_ACCOUNT }, createdonbehalfby: null });
  });

  it('createdby changed by someone else in CRM → mismatch "createdby is Rita Reed, expected <Jon>"', async () => {
    const made = await create('Reconcile: createdby rewritten', { puid: JON_PUID }, 'api-key');
    s.emulator.control.stampRecord(account(made.id), { createdby: RITA });
    const report = await reconcileJob();
    expect(report.mismatch).toBe(1);
    const item = await expectVerdict(made.ledgerId, 'mismatch', `createdby is Rita Reed, expected ${JON}`);
    // CRM's own stamps stand beside the ledger's claim.
    expect(item.onBehalfOf).toMatchObject({ id: JON, name: 'Jon Wilson', puid: JON_PUID });
    expect(item.crm?.createdby).toEqual({ id: RITA, name: 'Rita Reed' });
  });

  it('createdonbehalfby empty although impersonation was requested → not-stamped "impersonation was requested but createdonbehalfby is empty"', async () => {
    const made = await create('Reconcile: on-behalf stamp lost', { puid: JON_PUID });
    s.emulator.control.stampRecord(account(made.id), { createdonbehalfby: null });
    const report = await reconcileNow();
    expect(report).toMatchObject({ mismatch: 0, notStamped: 1 });
    const item = await expectVerdict(
      made.ledgerId,
      'not-stamped',
      'impersonation was requested but createdonbehalfby is empty',
    );
    expect(item.crm?.createdonbehalfby).toBeNull();
  });

  it('createdonbehalfby set on a call made without impersonation → mismatch "createdonbehalfby is set (Rita Reed) for a call made without impersonation"', async () => {
    const made = await create('Reconcile: on-behalf stamp appeared', undefined, 'api-key');
    s.emulator.control.stampRecord(account(made.id), { createdonbehalfby: RITA });
    const report = await reconcileJob();
    expect(report.mismatch).toBe(1);
    const item = await expectVerdict(
      made.ledgerId,
      'mismatch',
      'createdonbehalfby is set (Rita Reed) for a call made without impersonation',
    );
    expect(item.onBehalfOf).toBeNull();
  });

  it('an Update whose modified… stamps someone else overwrote → the Update is a mismatch, the Create before it still a match', async () => {
    const made = await create('Reconcile: updated, then overwritten', { puid: JON_PUID });
    const upd = await isv('PATCH', `/api/orgs/${contosoId}/records/account/${made.id}`, {
      attributes: { telephone1: '555-0100' },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(upd.status, await upd.clone().text()).toBe(200);
    const { ledgerId: updateLedgerId } = await json<{ ledgerId: string }>(upd);
    // Rita edits the record herself afterwards, in CRM.
    s.emulator.control.stampRecord(account(made.id), { modifiedby: RITA, modifiedonbehalfby: null });
    const report = await reconcileNow();
    expect(report).toMatchObject({ mismatch: 1, missing: 0 });
    await expectVerdict(made.ledgerId, 'match', null);
    await expectVerdict(
      updateLedgerId,
      'mismatch',
      `modifiedby is Rita Reed, expected ${JON}; impersonation was requested but modifiedonbehalfby is empty`,
    );
  });

  it('a record deleted in CRM → missing "the record is not in CRM", with no CRM stamps beside it', async () => {
    const made = await create('Reconcile: deleted in CRM', { puid: JON_PUID }, 'api-key');
    s.emulator.control.deleteRecord(account(made.id));
    const report = await reconcileJob();
    expect(report).toMatchObject({ missing: 1, mismatch: 0 });
    const item = await expectVerdict(made.ledgerId, 'missing', 'the record is not in CRM');
    expect(item.crm).toBeNull();
    const csv = await exported(made.ledgerId);
    expect(csv.crm_createdby_id).toBe('');
  });

  it('a change stamped with the service account that no ledger row explains → an unknown change (reconcile report, job run, admin audit log); nothing is added to the ledger', async () => {
    // Someone used the service account outside Onbehalf, on behalf of Jon, on a seeded record.
    s.emulator.control.stampRecord(account(DEMO_IDS.adventureWorks), {
      modifiedby: JON,
      modifiedonbehalfby: SERVICE_ACCOUNT,
    });
    // Rita's own edit, without the service account, is none of Onbehalf's business.
    s.emulator.control.stampRecord(account(DEMO_IDS.blueYonder), {
      modifiedby: RITA,
      modifiedonbehalfby: null,
    });
    const ledgerBefore = (await s.api.dataSource.query(
      `SELECT count(*)::int AS n FROM crm_calls WHERE org_id = $1`,
      [contosoId],
    )) as { n: number }[];

    const report = await reconcileNow();
    const found = report.unknown.find((u) => u.recordId === DEMO_IDS.adventureWorks);
    expect(found, JSON.stringify(report)).toEqual({
      entity: 'account',
      recordId: DEMO_IDS.adventureWorks,
      modifiedon: expect.any(String),
    });
    expect(Date.parse(found!.modifiedon!)).not.toBeNaN();
    expect(report.unknown.map((u) => u.recordId)).not.toContain(DEMO_IDS.blueYonder);
    expect(report.unknownChanges).toBe(report.unknown.length);
    const logged = await json<{ items: { action: string; orgId: string; diff: Record<string, number> }[] }>(
      await s.admin.get('/api/admin-audit?limit=5'),
    );
    expect(logged.items.find((i) => i.action === 'org.reconcile')).toMatchObject({
      orgId: contosoId,
      diff: { unknownChanges: report.unknownChanges },
    });

    // The job finds the same change (it is reported until a ledger row explains it).
    const fromJob = await reconcileJob();
    expect(fromJob.unknown.map((u) => u.recordId)).toContain(DEMO_IDS.adventureWorks);
    expect(fromJob.unknown.map((u) => u.recordId)).not.toContain(DEMO_IDS.blueYonder);

    // Not a ledger row: the audit lists calls Onbehalf made, and it made none for this record.
    const ledgerAfter = (await s.api.dataSource.query(
      `SELECT count(*)::int AS n FROM crm_calls WHERE org_id = $1`,
      [contosoId],
    )) as { n: number }[];
    expect(ledgerAfter[0]!.n).toBe(ledgerBefore[0]!.n);
    const all = await json<{ items: AuditItem[] }>(
      await s.admin.get(`/api/audit?orgId=${contosoId}&limit=200`),
    );
    expect(all.items.some((i) => i.recordId === DEMO_IDS.adventureWorks)).toBe(false);
    // CRM's stamps for it are kept for the console.
    const [stamps] = (await s.api.dataSource.query(
      `SELECT modifiedby, modifiedonbehalfby FROM crm_stamps WHERE org_id = $1 AND record_id = $2`,
      [contosoId, DEMO_IDS.adventureWorks],
    )) as { modifiedby: { id: string }; modifiedonbehalfby: { id: string } }[];
    expect(stamps).toMatchObject({ modifiedby: { id: JON }, modifiedonbehalfby: { id: SERVICE_ACCOUNT } });
    expect(
      s.emulator.control
        .records({ org: 'contoso', entity: 'account' })
        .find((r) => r.id === DEMO_IDS.adventureWorks),
    ).toBeDefined();
  });
});
