import { randomUUID } from 'node:crypto';
import { CrmAuthError } from '@onbehalf/crm-auth';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config';
import { ReconcileService } from '../src/crm/reconcile.service';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/database/entities';
import type { JobsService } from '../src/jobs/jobs.service';
import { OnboardingRunEntity } from '../src/orgs/onboarding-run.entity';
import { OrgDirectory } from '../src/orgs/org-directory';
import { OrgEntity } from '../src/orgs/org.entity';
import { OrgsRepository } from '../src/orgs/orgs.repository';
import type { TicketsService } from '../src/tickets/tickets.service';
import { freshDatabase } from './harness';
import { ledgerRepository } from './support/ledger';
import { insertPlaceholderCertificate } from './support/rows';

/**
 * ReconcileService's verdicts on a real, migrated Postgres, with CRM as a typed fake session (the
 * records it holds, by entity and id). Each test has its own org. Pinned for mutation testing.
 */
const SA = 'aaaaaaaa-0000-4000-8000-00000000000a';
const JON = 'bbbbbbbb-0000-4000-8000-00000000000b';
const ANN = 'cccccccc-0000-4000-8000-00000000000c';
type Attrs = Record<string, unknown>;
const lookup = (id: string, name: string | null = null) => ({ id, name, logicalName: 'systemuser' });

/** CRM for one test: records by `entity|id`; a retrieve of anything else is ERR_CRM_OBJECT_NOT_FOUND. */
class FakeCrm {
  readonly records = new Map<string, Attrs>();
  readonly failing = new Set<string>();
  retrieveError: Error | null = null;
  readonly listed: string[] = [];
  session = {
    retrieve: async (q: { entityName: string; id: string; columns: string[] }) => {
      if (this.retrieveError) throw this.retrieveError;
      const a = this.records.get(`${q.entityName}|${q.id}`);
      if (!a) throw new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', 'not found');
      return { entity: { logicalName: q.entityName, id: q.id, attributes: a } };
    },
    retrieveMultiple: async (q: { entityName: string }) => {
      this.listed.push(q.entityName);
      if (this.failing.has(q.entityName)) throw new Error(`listing ${q.entityName} failed`);
      const entities = [...this.records.entries()]
        .filter(([k]) => k.startsWith(`${q.entityName}|`))
        .map(([k, attributes]) => ({ logicalName: q.entityName, id: k.split('|')[1], attributes }));
      return { entities };
    },
  };
}

describe('ReconcileService verdicts (real Postgres, fake CRM)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let certId: string;
  const crms = new Map<string, FakeCrm>();
  let service: ReconcileService;
  const sql = <T = Record<string, unknown>>(s: string, p: unknown[] = []) => ds.query(s, p) as Promise<T[]>;

  beforeAll(async () => {
    db = await freshDatabase();
    ds = createDataSource(db.url, ENTITIES);
    await ds.initialize();
    certId = await insertPlaceholderCertificate(ds);
    const tickets = {
      run: (orgId: string, fn: (s: unknown) => Promise<unknown>) => fn(crms.get(orgId)!.session),
    } as unknown as TicketsService;
    const jobs = { register: () => undefined } as unknown as JobsService;
    const orgs = new OrgDirectory(
      new OrgsRepository(ds.getRepository(OrgEntity), ds.getRepository(OnboardingRunEntity)),
    );
    service = new ReconcileService(
      ledgerRepository(ds),
      { reconcilePendingAfterSec: 60 } as AppConfig,
      orgs,
      tickets,
      jobs,
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** A new org (active, with the service account known unless told) and its fake CRM. */
  async function org(opts: { serviceAccount?: boolean; status?: string } = {}) {
    const [{ id }] = (await sql<{ id: string }>(
      `INSERT INTO orgs (discovery_url, friendly_name, certificate_id, status, service_account_user_id) VALUES ('https://d.example', $1, $2, $3, $4) RETURNING id`,
      [`Org ${randomUUID()}`, certId, opts.status ?? 'active', opts.serviceAccount === false ? null : SA],
    )) as [{ id: string }];
    const crm = new FakeCrm();
    crms.set(id, crm);
    return { id, crm };
  }
  /** A ledger row (a completed, unverified Create by the service account for Jon, a minute ago, unless told). */
  async function call(orgId: string, row: Record<string, unknown> = {}) {
    const r = {
      org_id: orgId,
      at: new Date(Date.now() - 60_000),
      operation: 'Create',
      entity: 'account',
      record_id: randomUUID(),
      service_account_id: SA,
      on_behalf_of_id: JON,
      outcome: 'completed',
      ...row,
    };
    const cols = Object.keys(r);
    const [{ id }] = (await sql<{ id: string }>(
      `INSERT INTO crm_calls (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(r),
    )) as [{ id: string }];
    return { id, recordId: r.record_id as string | null };
  }
  const verdict = async (id: string) =>
    (
      await sql<{ reconciliation: string; reconciliation_note: string | null }>(
        `SELECT reconciliation, reconciliation_note FROM crm_calls WHERE id = $1`,
        [id],
      )
    )[0]!;
  const stamped = (by: string, onBehalf: string | null, extra: Attrs = {}): Attrs => ({
    createdby: lookup(by, 'By'),
    createdonbehalfby: onBehalf ? lookup(onBehalf, 'Svc') : null,
    modifiedby: lookup(by, 'By'),
    modifiedonbehalfby: onBehalf ? lookup(onBehalf, 'Svc') : null,
    ...extra,
  });

  it('answers 404 ORG_NOT_FOUND for an unknown org', async () => {
    await expect(service.reconcile(randomUUID())).rejects.toMatchObject({
      status: 404,
      code: 'ORG_NOT_FOUND',
    });
  });

  it('matches an impersonated Create stamped createdby = user, createdonbehalfby = service account, and saves the stamps', async () => {
    const { id: orgId, crm } = await org();
    const c = await call(orgId);
    crm.records.set(
      `account|${c.recordId}`,
      stamped(JON, SA, {
        ownerid: lookup(JON, 'Jon'),
        createdon: '2025-03-01T10:00:00Z',
        modifiedon: 'not a date',
      }),
    );
    const report = await service.reconcile(orgId);
    expect(report).toMatchObject({ checked: 1, match: 1, mismatch: 0, missing: 0 });
    expect(await verdict(c.id)).toEqual({ reconciliation: 'match', reconciliation_note: null });
    const [s] = await sql(
      `SELECT createdby, createdonbehalfby, ownerid, createdon, modifiedon, exists_in_crm FROM crm_stamps WHERE org_id = $1`,
      [orgId],
    );
    expect(s).toEqual({
      createdby: { id: JON, name: 'By' },
      createdonbehalfby: { id: SA, name: 'Svc' },
      ownerid: { id: JON, name: 'Jon' },
      createdon: new Date('2025-03-01T10:00:00Z'),
      modifiedon: null,
      exists_in_crm: true,
    });
  });

  it('flags an empty on-behalf stamp when impersonation was requested, for created and modified stamps, as not-stamped (a verdict the CHECK takes)', async () => {
    const { id: orgId, crm } = await org();
    const c = await call(orgId);
    crm.records.set(`account|${c.recordId}`, stamped(JON, null));
    const report = await service.reconcile(orgId);
    expect(report).toMatchObject({ checked: 1, match: 0, mismatch: 0, notStamped: 1 });
    expect(await verdict(c.id)).toEqual({
      reconciliation: 'not-stamped',
      reconciliation_note:
        'impersonation was requested but createdonbehalfby is empty; impersonation was requested but modifiedonbehalfby is empty',
    });
  });

  it('names the unexpected actor by name, else id, else "empty"', async () => {
    const { id: orgId, crm } = await org();
    const a = await call(orgId);
    const b = await call(orgId);
    const c = await call(orgId);
    crm.records.set(`account|${a.recordId}`, stamped(ANN, SA));
    crm.records.set(`account|${b.recordId}`, {
      ...stamped(JON, SA),
      createdby: { id: ANN },
      modifiedby: null,
    });
    crm.records.set(`account|${c.recordId}`, {
      ...stamped(JON, SA),
      createdonbehalfby: lookup(ANN, 'Ann'),
      modifiedonbehalfby: { id: ANN },
    });
    await service.reconcile(orgId);
    expect((await verdict(a.id)).reconciliation_note).toBe(
      `createdby is By, expected ${JON}; modifiedby is By, expected ${JON}`,
    );
    expect((await verdict(b.id)).reconciliation_note).toBe(
      `createdby is ${ANN}, expected ${JON}; modifiedby is empty, expected ${JON}`,
    );
    expect((await verdict(c.id)).reconciliation_note).toBe(
      `createdonbehalfby is Ann, expected the service account; modifiedonbehalfby is ${ANN}, expected the service account`,
    );
  });

  it('expects the service account as the actor and no on-behalf stamp for a call made without impersonation', async () => {
    const { id: orgId, crm } = await org();
    const plain = await call(orgId, { on_behalf_of_id: null });
    const flagged = await call(orgId, { on_behalf_of_id: null });
    crm.records.set(`account|${plain.recordId}`, stamped(SA, null));
    crm.records.set(
      `account|${flagged.recordId}`,
      stamped(SA, null, { createdonbehalfby: lookup(JON, 'Jon'), modifiedonbehalfby: { id: JON } }),
    );
    await service.reconcile(orgId);
    expect(await verdict(plain.id)).toEqual({ reconciliation: 'match', reconciliation_note: null });
    expect((await verdict(flagged.id)).reconciliation_note).toBe(
      `createdonbehalfby is set (Jon) for a call made without impersonation; modifiedonbehalfby is set (${JON}) for a call made without impersonation`,
    );
  });

  it('checks nothing about the actor when the ledger row names none', async () => {
    const { id: orgId, crm } = await org();
    const c = await call(orgId, { on_behalf_of_id: null, service_account_id: null });
    crm.records.set(`account|${c.recordId}`, stamped(ANN, null));
    await service.reconcile(orgId);
    expect(await verdict(c.id)).toEqual({ reconciliation: 'match', reconciliation_note: null });
  });

  it('judges the created stamps by each Create and the modified stamps by the latest write only', async () => {
    const { id: orgId, crm } = await org();
    const recordId = randomUUID();
    const t = Date.now() - 600_000;
    const created = await call(orgId, { record_id: recordId, at: new Date(t) });
    const update1 = await call(orgId, {
      record_id: recordId,
      operation: 'Update',
      on_behalf_of_id: ANN,
      at: new Date(t + 1000),
    });
    const update2 = await call(orgId, { record_id: recordId, operation: 'Update', at: new Date(t + 2000) });
    // Created by Jon; last modified by Jon: the first Update (for Ann) is not the latest, so its stamps are not judged.
    crm.records.set(`account|${recordId}`, stamped(JON, SA));
    const report = await service.reconcile(orgId);
    expect(report).toMatchObject({ checked: 1, match: 3, mismatch: 0 });
    for (const c of [created, update1, update2]) expect((await verdict(c.id)).reconciliation).toBe('match');

    // The same with a wrong modifiedby: only the latest write is a mismatch.
    const { id: org2, crm: crm2 } = await org();
    const r2 = randomUUID();
    const c2 = await call(org2, { record_id: r2, at: new Date(t) });
    const u2 = await call(org2, { record_id: r2, operation: 'Update', at: new Date(t + 1000) });
    crm2.records.set(`account|${r2}`, { ...stamped(JON, SA), modifiedby: lookup(ANN, 'Ann') });
    await service.reconcile(org2);
    expect(await verdict(c2.id)).toEqual({ reconciliation: 'match', reconciliation_note: null });
    expect(await verdict(u2.id)).toEqual({
      reconciliation: 'mismatch',
      reconciliation_note: `modifiedby is Ann, expected ${JON}`,
    });
  });

  it('marks a record CRM does not have as missing, or as matching when the ledger deleted it, and stores it as gone', async () => {
    const { id: orgId } = await org();
    const gone = await call(orgId);
    const recordId = randomUUID();
    const createdThenDeleted = await call(orgId, { record_id: recordId, at: new Date(Date.now() - 120_000) });
    const deletion = await call(orgId, { record_id: recordId, operation: 'Delete' });
    const report = await service.reconcile(orgId);
    expect(report).toMatchObject({ checked: 2, missing: 1, match: 1, mismatch: 0 });
    expect(await verdict(gone.id)).toEqual({
      reconciliation: 'missing',
      reconciliation_note: 'the record is not in CRM',
    });
    for (const c of [createdThenDeleted, deletion])
      expect(await verdict(c.id)).toEqual({
        reconciliation: 'match',
        reconciliation_note: 'deleted as the ledger says',
      });
    const stamps = await sql(
      `SELECT createdby, exists_in_crm FROM crm_stamps WHERE org_id = $1 AND record_id = $2`,
      [orgId, gone.recordId],
    );
    expect(stamps).toEqual([{ createdby: null, exists_in_crm: false }]);
  });

  it('fails the run on any other CRM error', async () => {
    const { id: orgId, crm } = await org();
    await call(orgId);
    crm.retrieveError = new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'denied');
    await expect(service.reconcile(orgId)).rejects.toMatchObject({ code: 'ERR_CRM_PRIVILEGE_DENIED' });
  });

  it('checks only completed, unverified Create/Update/Delete rows with a record, within the window', async () => {
    const { id: orgId, crm } = await org();
    const skipped = [
      await call(orgId, { outcome: 'failed' }),
      await call(orgId, { operation: 'Retrieve' }),
      await call(orgId, { record_id: null }),
      await call(orgId, { at: new Date(Date.now() - 25 * 3_600_000) }),
    ];
    const already = await call(orgId);
    await sql(`UPDATE crm_calls SET reconciliation = 'mismatch' WHERE id = $1`, [already.id]);
    const inWindow = await call(orgId, { at: new Date(Date.now() - 23 * 3_600_000) });
    crm.records.set(`account|${inWindow.recordId}`, stamped(JON, SA));
    expect(await service.reconcile(orgId)).toMatchObject({ checked: 1, match: 1 });
    for (const c of skipped) expect((await verdict(c.id)).reconciliation).toBe('unverified');
    expect((await verdict(already.id)).reconciliation).toBe('mismatch');
    // A narrower window leaves the 23-hour-old row out.
    await sql(`UPDATE crm_calls SET reconciliation = 'unverified' WHERE id = $1`, [inWindow.id]);
    expect(await service.reconcile(orgId, { sinceHours: 22 })).toMatchObject({ checked: 0 });
  });

  it('fails pending calls older than the limit as CRASHED_UNKNOWN_OUTCOME, and leaves recent ones', async () => {
    const { id: orgId } = await org();
    const old = await call(orgId, { outcome: 'pending', at: new Date(Date.now() - 120_000) });
    const recent = await call(orgId, { outcome: 'pending', at: new Date(Date.now() - 5_000) });
    expect((await service.reconcile(orgId)).pendingResolved).toBe(1);
    const rows = await sql<{
      id: string;
      outcome: string;
      error_code: string | null;
      error_message: string | null;
      completed_at: Date | null;
    }>(`SELECT id, outcome, error_code, error_message, completed_at FROM crm_calls WHERE org_id = $1`, [
      orgId,
    ]);
    expect(rows.find((r) => r.id === old.id)).toMatchObject({
      outcome: 'failed',
      error_code: 'CRASHED_UNKNOWN_OUTCOME',
      error_message: 'The API stopped before the reply was recorded; reconciliation checks what CRM holds.',
      completed_at: expect.any(Date),
    });
    expect(rows.find((r) => r.id === recent.id)).toMatchObject({ outcome: 'pending', error_code: null });
    expect((await service.reconcile(orgId, { pendingAfterSec: 1 })).pendingResolved).toBe(1);
  });

  it('reports changes stamped with the service account that the ledger does not know, in the watched entities', async () => {
    const { id: orgId, crm } = await org();
    const known = await call(orgId, { entity: 'contact', outcome: 'failed' });
    const unknownId = randomUUID();
    crm.records.set(`account|{${unknownId.toUpperCase()}}`, {
      accountid: `{${unknownId.toUpperCase()}}`,
      ...stamped(JON, SA),
      modifiedon: '2025-03-02T00:00:00Z',
    });
    crm.records.set(`contact|${known.recordId}`, { contactid: known.recordId, ...stamped(SA, null) });
    crm.records.set(`lead|${randomUUID()}`, { leadid: randomUUID(), ...stamped(ANN, null) });
    const modifiedOnly = randomUUID();
    crm.records.set(`lead|${modifiedOnly}`, {
      leadid: modifiedOnly,
      createdby: lookup(ANN),
      modifiedby: lookup(ANN),
      modifiedonbehalfby: lookup(SA),
      modifiedon: 7,
    });
    crm.records.set(`opportunity|${randomUUID()}`, stamped(SA, null));
    crm.records.set(`account|no-id`, stamped(SA, null));
    const report = await service.reconcile(orgId);
    expect(crm.listed).toEqual(['account', 'contact', 'lead']);
    expect(report.unknownChanges).toBe(2);
    expect(report.unknown).toEqual([
      { entity: 'account', recordId: unknownId, modifiedon: '2025-03-02T00:00:00Z' },
      { entity: 'lead', recordId: modifiedOnly, modifiedon: null },
    ]);
    const saved = await sql<{ entity: string; record_id: string }>(
      `SELECT entity, record_id FROM crm_stamps WHERE org_id = $1 ORDER BY entity`,
      [orgId],
    );
    expect(saved).toEqual([
      { entity: 'account', record_id: unknownId },
      { entity: 'lead', record_id: modifiedOnly },
    ]);
  });

  it('skips a record the ledger checked in this run, and goes on when one entity cannot be listed', async () => {
    const { id: orgId, crm } = await org();
    const c = await call(orgId);
    crm.records.set(`account|${c.recordId}`, { accountid: c.recordId, ...stamped(JON, SA) });
    crm.failing.add('contact');
    const leadId = randomUUID();
    crm.records.set(`lead|${leadId}`, { leadid: leadId, ...stamped(SA, null) });
    const report = await service.reconcile(orgId);
    expect(report).toMatchObject({
      checked: 1,
      match: 1,
      unknownChanges: 1,
      unknown: [{ entity: 'lead', recordId: leadId, modifiedon: null }],
    });
  });

  it('looks for unknown changes only when the org knows its service account', async () => {
    const { id: orgId, crm } = await org({ serviceAccount: false });
    crm.records.set(`account|${randomUUID()}`, stamped(SA, null));
    expect(await service.reconcile(orgId)).toMatchObject({ unknownChanges: 0, unknown: [] });
    expect(crm.listed).toEqual([]);
  });

  it('reconcileAll runs every active org and reports a failing one by its error', async () => {
    const good = await org();
    const bad = await org();
    const inactive = await org({ status: 'failed' });
    await call(bad.id);
    bad.crm.retrieveError = new Error('CRM down');
    const out = await service.reconcileAll();
    expect(out[good.id]).toMatchObject({ checked: 0 });
    expect(out[bad.id]).toEqual({ error: 'CRM down' });
    expect(out).not.toHaveProperty(inactive.id);
  });
});
