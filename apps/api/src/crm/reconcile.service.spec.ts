import { describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { AdminAuditService } from '../admin-audit/admin-audit.service';
import type { AppConfig } from '../config/app-config';
import type { JobsService } from '../jobs/jobs.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import { CrmAuthError } from '@onbehalf/crm-auth';
import type { RequestContext } from '../common/principal';
import { ReconcileController } from './reconcile.controller';
import { ReconcileService } from './reconcile.service';

const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const ANN = { id: 'a3333333-0000-4000-8000-00000000000b', type: 'systemuser', name: 'Ann Lee' };
const SVC = { id: '22222222-0000-4000-8000-000000000001', type: 'systemuser' };

/** ReconcileService over a database and a CRM that record what they are asked (the SQL rules are in reconcile.mutation.int-spec). */
function world() {
  const queries: unknown[][] = [];
  const retrieves: unknown[] = [];
  const db = {
    query: async (...a: unknown[]) => {
      queries.push(a);
      return [];
    },
  } as unknown as DataSource;
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
  const svc = new ReconcileService(db, {} as AppConfig, orgs, tickets, jobs);
  return { svc, queries, retrieves };
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
    expect(w.queries).toHaveLength(1);
    expect(String(w.queries[0]![0])).toContain('INSERT INTO crm_stamps');
    expect((w.queries[0]![1] as unknown[]).slice(0, 5)).toEqual([
      ORG,
      'account',
      REC,
      JSON.stringify({ id: ANN.id, name: 'Ann Lee' }),
      JSON.stringify({ id: SVC.id, name: null }),
    ]);
    // createdon, modifiedon, exists_in_crm
    expect((w.queries[0]![1] as unknown[]).slice(8)).toEqual([null, new Date('2026-01-02T10:00:00Z'), true]);
  });

  it('refuses an unknown org', async () => {
    await expect(world().svc.reconcile(ORG)).rejects.toMatchObject({
      status: 404,
      code: 'ORG_NOT_FOUND',
      message: 'No org with this id.',
    });
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
