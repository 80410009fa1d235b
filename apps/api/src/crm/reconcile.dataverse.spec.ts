import { CrmAuthError } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { JobsService } from '../jobs/jobs.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { LedgerRepository, UnverifiedWrite } from './ledger.repository';
import { ReconcileService } from './reconcile.service';

const ORG = '11111111-0000-4000-8000-000000000001';
const APP = '22222222-0000-4000-8000-000000000001'; // the application user
const JON = { id: 'a3333333-0000-4000-8000-00000000000b', type: 'systemuser', name: 'Jon Wilson' };
const rec = (n: number) => `44444444-0000-4000-8000-00000000000${n}`;

function write(id: string, recordId: string, onBehalfOf: string | null): UnverifiedWrite {
  return {
    id,
    operation: 'Create',
    entity: 'account',
    record_id: recordId,
    service_account_id: APP,
    on_behalf_of_id: onBehalfOf,
    outcome: 'completed',
    at: new Date(),
  };
}

/** A Dataverse org's reconcile() over a fake ledger and a fake OrgSession answering retrieveRecord by id. */
function world(writes: UnverifiedWrite[], records: Record<string, Record<string, unknown> | null>) {
  const calls: unknown[][] = [];
  const ledger = {
    unverifiedWrites: async () => writes,
    stalePending: async () => [],
    markReconciliation: async (...args: unknown[]) => void calls.push(args),
    saveStamps: async () => undefined,
  } as unknown as LedgerRepository;
  const asked: unknown[] = [];
  const tickets = {
    run: () => {
      throw new Error('a Dataverse org is read through runOrg, never run');
    },
    runOrg: async (_orgId: string, fn: (s: unknown) => Promise<unknown>) =>
      fn({
        retrieveRecord: async (args: { entity: string; id: string; columns: string[] }) => {
          asked.push(args);
          const fields = records[args.id];
          if (!fields) throw new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', 'not found');
          return { entity: args.entity, id: args.id, fields };
        },
      }),
  } as unknown as TicketsService;
  const orgs = {
    find: async () => ({
      id: ORG,
      kind: 'dataverse',
      friendlyName: 'Contoso (Dataverse)',
      serviceAccountUserId: APP,
    }),
  } as unknown as OrgDirectory;
  const svc = new ReconcileService(ledger, { reconcilePendingAfterSec: 60 } as AppConfig, orgs, tickets, {
    register: () => undefined,
  } as unknown as JobsService);
  const marks = () => calls.map((c) => ({ ids: c[1], verdict: c[2], note: c[3] }));
  return { svc, marks, asked };
}

describe('ReconcileService on a Dataverse org', () => {
  it('reads each record back through the OrgSession: stamped as asked is a match; on behalf of Jon but unstamped is not-stamped; gone is missing', async () => {
    const w = world([write('w1', rec(1), JON.id), write('w2', rec(2), JON.id), write('w3', rec(3), JON.id)], {
      [rec(1)]: {
        createdby: JON,
        createdonbehalfby: { id: APP, type: 'systemuser' },
        modifiedby: JON,
        modifiedonbehalfby: { id: APP, type: 'systemuser' },
      },
      // Dataverse's silent no-op: the call ran as the application user, nothing on behalf of anyone.
      [rec(2)]: { createdby: { id: APP, type: 'systemuser' }, modifiedby: { id: APP, type: 'systemuser' } },
      [rec(3)]: null,
    });
    const report = await w.svc.reconcile(ORG);
    expect(report).toMatchObject({
      checked: 3,
      match: 1,
      mismatch: 0,
      missing: 1,
      notStamped: 1,
      unknownChanges: 0,
    });
    expect(w.marks()).toEqual([
      { ids: ['w1'], verdict: 'match', note: null },
      {
        ids: ['w2'],
        verdict: 'not-stamped',
        note: `createdby is ${APP}, expected ${JON.id}; impersonation was requested but createdonbehalfby is empty; modifiedby is ${APP}, expected ${JON.id}; impersonation was requested but modifiedonbehalfby is empty`,
      },
      { ids: ['w3'], verdict: 'missing', note: 'the record is not in CRM' },
    ]);
    expect(w.asked).toContainEqual({
      entity: 'account',
      id: rec(1),
      columns: [
        'createdby',
        'createdonbehalfby',
        'modifiedby',
        'modifiedonbehalfby',
        'ownerid',
        'createdon',
        'modifiedon',
      ],
    });
  });

  it('calls one made as the application user (no on behalf) a match when unstamped, and a mismatch when someone else is stamped', async () => {
    const w = world([write('w1', rec(1), null), write('w2', rec(2), JON.id)], {
      [rec(1)]: { createdby: { id: APP, type: 'systemuser' }, modifiedby: { id: APP, type: 'systemuser' } },
      [rec(2)]: {
        createdby: JON,
        createdonbehalfby: JON,
        modifiedby: JON,
        modifiedonbehalfby: { id: APP, type: 'systemuser' },
      },
    });
    const report = await w.svc.reconcile(ORG);
    expect(report).toMatchObject({ match: 1, mismatch: 1, notStamped: 0 });
    expect(w.marks()[1]).toEqual({
      ids: ['w2'],
      verdict: 'mismatch',
      note: 'createdonbehalfby is Jon Wilson, expected the service account',
    });
  });
});
