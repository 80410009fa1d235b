import { describe, expect, it, vi } from 'vitest';
import type { AdminAuditService } from '../admin-audit/admin-audit.service';
import type { AppConfig } from '../config/app-config';
import type { JobsService } from '../jobs/jobs.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import { CrmAuthError } from '@onbehalf/crm-auth';
import type { RequestContext } from '../common/principal';
import type { LedgerRepository, UnverifiedWrite } from './ledger.repository';
import { ReconcileController } from './reconcile.controller';
import { ReconcileService } from './reconcile.service';

const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const ANN = { id: 'a3333333-0000-4000-8000-00000000000b', type: 'systemuser', name: 'Ann Lee' };
const SVC = { id: '22222222-0000-4000-8000-000000000001', type: 'systemuser' };

/**
 * A LedgerRepository that records every call as [method, ...args] and answers from `o`: the ledger's unverified
 * writes (none by default); no stale pending rows and no call on any record, as an empty ledger would.
 */
function fakeLedger(o: { writes?: unknown[] } = {}) {
  const calls: unknown[][] = [];
  const record =
    <T>(op: string, answer: T) =>
    async (...args: unknown[]) => {
      calls.push([op, ...args]);
      return answer;
    };
  const repo = {
    unverifiedWrites: record('unverifiedWrites', (o.writes ?? []) as UnverifiedWrite[]),
    hasCallOn: record('hasCallOn', false),
    lostCreates: record('lostCreates', []),
    stalePending: record('stalePending', []),
    failPendingAsCrashed: record('failPendingAsCrashed', undefined),
    markReconciliation: record('markReconciliation', undefined),
    saveStamps: record('saveStamps', undefined),
  } as unknown as LedgerRepository;
  return { repo, calls };
}

/** ReconcileService over a ledger and a CRM that record what they are asked (the SQL rules are in reconcile.mutation.int-spec). */
function world() {
  const retrieves: unknown[] = [];
  const ledger = fakeLedger();
  const tickets = {
    run: async (_orgId: string, fn: (s: unknown) => Promise<unknown>) =>
      fn({
        retrieve: async (args: unknown) => {
          retrieves.push(args);
          return {
            entity: {
              logicalName: 'account',
              attributes: {
                createdby: ANN,
                createdonbehalfby: SVC,
                modifiedby: ANN,
                ownerid: ANN,
                modifiedon: '2026-01-02T10:00:00Z', // no createdon
              },
            },
          };
        },
      }),
  } as unknown as TicketsService;
  const orgs = { find: async () => null } as unknown as OrgDirectory;
  const jobs = { register: () => undefined } as unknown as JobsService;
  const svc = new ReconcileService(ledger.repo, {} as AppConfig, orgs, tickets, jobs);
  return { svc, queries: ledger.calls, retrieves };
}

describe('ReconcileService', () => {
  it('pulls the stamps of one record, saves them and answers them as references', async () => {
    const w = world();
    expect(await w.svc.pullStamps(ORG, 'account', REC)).toEqual({
      createdby: { id: ANN.id, name: 'Ann Lee' },
      createdonbehalfby: { id: SVC.id, name: null },
      modifiedby: { id: ANN.id, name: 'Ann Lee' },
      modifiedonbehalfby: null,
      ownerid: { id: ANN.id, name: 'Ann Lee' },
    });
    expect(w.retrieves).toEqual([
      {
        entityName: 'account',
        id: REC,
        columns: [
          'createdby',
          'createdonbehalfby',
          'modifiedby',
          'modifiedonbehalfby',
          'ownerid',
          'createdon',
          'modifiedon',
        ],
      },
    ]);
    // One write: the stamps as stored (jsonb text; an empty stamp of a record CRM has is JSON null).
    expect(w.queries).toEqual([
      [
        'saveStamps',
        {
          orgId: ORG,
          entity: 'account',
          recordId: REC,
          createdby: JSON.stringify({ id: ANN.id, name: 'Ann Lee' }),
          createdonbehalfby: JSON.stringify({ id: SVC.id, name: null }),
          modifiedby: JSON.stringify({ id: ANN.id, name: 'Ann Lee' }),
          modifiedonbehalfby: 'null',
          ownerid: JSON.stringify({ id: ANN.id, name: 'Ann Lee' }),
          createdon: null,
          modifiedon: new Date('2026-01-02T10:00:00Z'),
          existsInCrm: true,
        },
      ],
    ]);
  });

  it('refuses an unknown org', async () => {
    await expect(world().svc.reconcile(ORG)).rejects.toMatchObject({
      status: 404,
      code: 'ORG_NOT_FOUND',
      message: 'No org with this id.',
    });
  });
});

/** reconcile() over a fake ledger and CRM; records the verdicts marked. */
function reconcileWorld(o: {
  ledger: unknown[];
  record?: Record<string, unknown>;
  page?: Record<string, unknown>[];
  failEntity?: string;
}) {
  const queries: Array<{ entityName: string; criteria?: unknown }> = [];
  const ledger = fakeLedger({ writes: o.ledger });
  const marks = () =>
    ledger.calls
      .filter((c) => c[0] === 'markReconciliation')
      .map((c) => ({ ids: c[2] as string[], verdict: c[3] as string, note: c[4] as string | null }));
  const tickets = {
    run: async (_orgId: string, fn: (s: unknown) => Promise<unknown>) =>
      fn({
        retrieve: async () => ({ entity: { logicalName: 'account', attributes: o.record ?? {} } }),
        retrieveMultiple: async (q: { entityName: string }) => {
          queries.push(q);
          if (q.entityName === o.failEntity) throw new Error('CRM refused the query');
          return {
            entities: q.entityName === 'account' ? (o.page ?? []).map((attributes) => ({ attributes })) : [],
          };
        },
      }),
  } as unknown as TicketsService;
  const orgs = {
    find: async () => ({ id: ORG, serviceAccountUserId: SVC.id }),
  } as unknown as OrgDirectory;
  const jobs = { register: () => undefined } as unknown as JobsService;
  const config = { reconcilePendingAfterSec: 60 } as AppConfig;
  return {
    svc: new ReconcileService(ledger.repo, config, orgs, tickets, jobs),
    get marks() {
      return marks();
    },
    queries,
  };
}

describe('ReconcileService.reconcile', () => {
  it('checks the Create of a record the ledger also deleted, but gives the Delete row no verdict of its own', async () => {
    const row = (id: string, operation: string) => ({
      id,
      operation,
      entity: 'account',
      record_id: REC,
      service_account_id: SVC.id,
      on_behalf_of_id: ANN.id,
      outcome: 'completed',
      at: new Date(),
    });
    const w = reconcileWorld({
      ledger: [row('c-1', 'Create'), row('d-1', 'Delete')],
      // CRM still has the record: created right, last modified by someone else
      record: { createdby: ANN, createdonbehalfby: SVC, modifiedby: SVC, modifiedonbehalfby: SVC },
    });
    const report = await w.svc.reconcile(ORG);
    expect(report).toMatchObject({ checked: 1, match: 0, mismatch: 1, missing: 0 });
    expect(w.marks).toEqual([
      { ids: ['c-1'], verdict: 'mismatch', note: `modifiedby is ${SVC.id}, expected ${ANN.id}` },
    ]);
  });

  it('reports a change the ledger does not know when any one stamp names the service account', async () => {
    const id = (n: number) => `55555555-0000-4000-8000-00000000000${n}`;
    const w = reconcileWorld({
      ledger: [],
      page: [
        { accountid: id(1), createdby: SVC },
        { accountid: id(2), createdonbehalfby: SVC },
        { accountid: id(3), modifiedby: SVC },
        { accountid: id(4), modifiedonbehalfby: SVC },
        { accountid: id(5), createdby: ANN, ownerid: SVC },
      ],
    });
    const report = await w.svc.reconcile(ORG);
    expect(report.unknownChanges).toBe(4);
    expect(report.unknown.map((u) => u.recordId)).toEqual([id(1), id(2), id(3), id(4)]);
  });

  it('looks for unknown changes modified since the window start, and names the org and entity when a query fails', async () => {
    const w = reconcileWorld({ ledger: [], failEntity: 'contact' });
    const warn = vi.spyOn(w.svc['logger'], 'warn').mockImplementation(() => undefined);
    const before = Date.now();
    await w.svc.reconcile(ORG, { sinceHours: 2 });
    expect(w.queries.map((q) => q.entityName)).toEqual(['account', 'contact', 'lead']);
    const cond = (
      w.queries[0]!.criteria as {
        conditions: Array<{ attribute: string; operator: string; values: string[] }>;
      }
    ).conditions;
    expect(cond).toHaveLength(1);
    expect(cond[0]).toMatchObject({ attribute: 'modifiedon', operator: 'OnOrAfter' });
    expect(Math.abs(Date.parse(cond[0]!.values[0]!) - (before - 2 * 3_600_000))).toBeLessThan(60_000);
    expect(warn).toHaveBeenCalledWith(`reconcile ${ORG} contact: CRM refused the query`);
  });

  it('checks at most 500 records a run', async () => {
    const ledger = Array.from({ length: 501 }, (_, i) => ({
      id: `row-${i}`,
      operation: 'Create',
      entity: 'account',
      record_id: `rec-${i}`,
      service_account_id: SVC.id,
      on_behalf_of_id: null,
      outcome: 'completed',
      at: new Date(),
    }));
    const w = reconcileWorld({ ledger, record: { createdby: SVC, modifiedby: SVC } });
    const report = await w.svc.reconcile(ORG);
    expect(report).toMatchObject({ checked: 500, match: 500 });
    expect(w.marks.some((m) => m.ids.includes('row-500'))).toBe(false);
  });
});

describe('ReconcileController', () => {
  it('answers a CRM failure of the run as its HTTP error, and records no audit entry', async () => {
    const recorded: unknown[] = [];
    const c = new ReconcileController(
      {
        reconcile: async () => {
          throw new CrmAuthError('ERR_TIMEOUT', 'CRM did not answer');
        },
      } as unknown as ReconcileService,
      { record: async (...a: unknown[]) => recorded.push(a) } as unknown as AdminAuditService,
    );
    await expect(c.run(ORG, {} as RequestContext)).rejects.toMatchObject({
      status: 504,
      code: 'CRM_TIMEOUT',
    });
    expect(recorded).toEqual([]);
  });
});
