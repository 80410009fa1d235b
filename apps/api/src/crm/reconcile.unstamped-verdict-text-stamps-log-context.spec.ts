import { Logger, type LoggerService } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { JobsService } from '../jobs/jobs.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { LedgerRepository, UnverifiedWrite } from './ledger.repository';
import { ReconcileService } from './reconcile.service';

const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const ANN = { id: 'a3333333-0000-4000-8000-00000000000b', type: 'systemuser', name: 'Ann Lee' };
const SVC = { id: '22222222-0000-4000-8000-000000000001', type: 'systemuser' };

/**
 * ReconcileService over a fake ledger (the given unverified writes; no stale pending row, no lost Create, no call on
 * any other record) and a CRM 4.0 org whose Retrieve answers `record` and whose RetrieveMultiple answers nothing, or
 * fails for `failEntity`. Records the verdicts marked.
 */
function world(o: { writes?: unknown[]; record?: Record<string, unknown>; failEntity?: string } = {}) {
  const calls: unknown[][] = [];
  const answer =
    <T>(op: string, value: T) =>
    async (...args: unknown[]) => {
      calls.push([op, ...args]);
      return value;
    };
  const ledger = {
    unverifiedWrites: answer('unverifiedWrites', (o.writes ?? []) as UnverifiedWrite[]),
    hasCallOn: answer('hasCallOn', false),
    lostCreates: answer('lostCreates', []),
    stalePending: answer('stalePending', []),
    failPendingAsCrashed: answer('failPendingAsCrashed', undefined),
    markReconciliation: answer('markReconciliation', undefined),
    saveStamps: answer('saveStamps', undefined),
  } as unknown as LedgerRepository;
  const tickets = {
    run: async (_orgId: string, fn: (s: unknown) => Promise<unknown>) =>
      fn({
        retrieve: async () => ({ entity: { logicalName: 'account', attributes: o.record ?? {} } }),
        retrieveMultiple: async (q: { entityName: string }) => {
          if (q.entityName === o.failEntity) throw new Error('CRM refused the query');
          return { entities: [] };
        },
      }),
  } as unknown as TicketsService;
  const orgs = {
    find: async () => ({ id: ORG, kind: 'crm4', serviceAccountUserId: SVC.id }),
  } as unknown as OrgDirectory;
  const jobs = { register: () => undefined } as unknown as JobsService;
  const config = { reconcilePendingAfterSec: 60 } as AppConfig;
  const svc = new ReconcileService(ledger, config, orgs, tickets, jobs);
  const marks = () =>
    calls
      .filter((c) => c[0] === 'markReconciliation')
      .map((c) => ({ ids: c[2] as string[], verdict: c[3] as string, note: c[4] as string | null }));
  return { svc, calls, marks };
}

const create = (onBehalfOf: string | null) => ({
  id: 'c-1',
  operation: 'Create',
  entity: 'account',
  record_id: REC,
  service_account_id: SVC.id,
  on_behalf_of_id: onBehalfOf,
  outcome: 'completed',
  at: new Date(),
});

describe('ReconcileService: a call made without impersonation', () => {
  it('is a mismatch, not "not-stamped", when CRM left its createdby empty', async () => {
    // No on-behalf stamp was asked for, so an empty createdonbehalfby is no silent no-op of the platform:
    // the empty createdby alone makes the record not the one the call wrote.
    const w = world({ writes: [create(null)], record: { modifiedby: SVC } });
    const report = await w.svc.reconcile(ORG);
    expect(report).toMatchObject({ checked: 1, match: 0, mismatch: 1, notStamped: 0, missing: 0 });
    expect(w.marks()).toEqual([
      { ids: ['c-1'], verdict: 'mismatch', note: `createdby is empty, expected ${SVC.id}` },
    ]);
  });

  it('is not-stamped when impersonation was asked and both on-behalf stamps are empty', async () => {
    // The contrast: the same empty stamps on a call made on behalf of Ann are the platform's silent no-op.
    const w = world({ writes: [create(ANN.id)], record: { createdby: SVC, modifiedby: SVC } });
    const report = await w.svc.reconcile(ORG);
    expect(report).toMatchObject({ checked: 1, mismatch: 0, notStamped: 1 });
    expect(w.marks().map((m) => m.verdict)).toEqual(['not-stamped']);
  });
});

describe('ReconcileService: a stamp CRM sends as bare text (no type, so not a reference)', () => {
  it('is read back as no reference instead of failing the pull', async () => {
    const w = world({
      record: {
        createdby: ANN.id,
        createdonbehalfby: SVC,
        modifiedby: 'text',
        ownerid: ANN,
      },
    });
    expect(await w.svc.pullStamps(ORG, 'account', REC)).toEqual({
      createdby: null,
      createdonbehalfby: { id: SVC.id, name: null },
      modifiedby: null,
      modifiedonbehalfby: null,
      ownerid: { id: ANN.id, name: 'Ann Lee' },
    });
    expect(w.calls).toEqual([
      ['saveStamps', expect.objectContaining({ createdby: 'null', modifiedby: 'null', existsInCrm: true })],
    ]);
  });

  it('counts as an empty stamp in a run: the write is judged, not the run failed', async () => {
    const w = world({ writes: [create(null)], record: { createdby: SVC.id, modifiedby: SVC } });
    const report = await w.svc.reconcile(ORG);
    expect(report).toMatchObject({ checked: 1, mismatch: 1 });
    expect(w.marks()).toEqual([
      { ids: ['c-1'], verdict: 'mismatch', note: `createdby is empty, expected ${SVC.id}` },
    ]);
  });
});

describe('ReconcileService: its warnings', () => {
  const staticRef = (Logger as unknown as { staticInstanceRef: unknown }).staticInstanceRef;
  afterEach(() => {
    (Logger as unknown as { staticInstanceRef: unknown }).staticInstanceRef = staticRef;
  });

  it('are logged under the "reconcile" context', async () => {
    const warnings: unknown[][] = [];
    const capture: LoggerService = {
      log: () => undefined,
      error: () => undefined,
      warn: (...args: unknown[]) => void warnings.push(args),
    };
    Logger.overrideLogger(capture);
    const w = world({ failEntity: 'lead' });
    await w.svc.reconcile(ORG);
    expect(warnings).toEqual([[`reconcile ${ORG} lead: CRM refused the query`, 'reconcile']]);
  });
});
