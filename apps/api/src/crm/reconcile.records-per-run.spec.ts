import { describe, expect, it } from 'vitest';
import { CrmAuthError } from '@onbehalf/crm-auth';
import type { AppConfig } from '../config/app-config';
import type { JobsService } from '../jobs/jobs.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { LedgerRepository, UnverifiedWrite } from './ledger.repository';
import { ReconcileService } from './reconcile.service';

/**
 * A run checks up to 500 records, and reads enough of the ledger's writes for them when records have several
 * writes each (the ledger answers at most the limit it is asked for, as its SQL's LIMIT does).
 */
const ORG = '11111111-0000-4000-8000-000000000001';
const SVC = '22222222-0000-4000-8000-000000000001';

function run(records: number, writesEach: number) {
  const writes: UnverifiedWrite[] = [];
  for (let r = 0; r < records; r++)
    for (let w = 0; w < writesEach; w++)
      writes.push({
        id: `w-${r}-${w}`,
        operation: w === 0 ? 'Create' : 'Update',
        entity: 'account',
        record_id: `55555555-0000-4000-8000-${String(r).padStart(12, '0')}`,
        service_account_id: SVC,
        on_behalf_of_id: null,
        outcome: 'completed',
        at: new Date(),
      } as unknown as UnverifiedWrite);
  const ledger = {
    unverifiedWrites: async (_o: string, _s: Date, limit: number) => writes.slice(0, limit),
    hasCallOn: async () => false,
    lostCreates: async () => [],
    stalePending: async () => [],
    failPendingAsCrashed: async () => undefined,
    markReconciliation: async () => undefined,
    saveStamps: async () => undefined,
  } as unknown as LedgerRepository;
  const tickets = {
    run: async (_o: string, fn: (s: unknown) => Promise<unknown>) =>
      fn({
        retrieve: async () => {
          throw new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', 'gone', { notExecuted: true });
        },
        retrieveMultiple: async () => ({ entities: [] }),
      }),
  } as unknown as TicketsService;
  const orgs = { find: async () => ({ id: ORG, serviceAccountUserId: SVC }) } as unknown as OrgDirectory;
  const config = { reconcilePendingAfterSec: 60 } as AppConfig;
  const jobs = { register: () => undefined } as unknown as JobsService;
  return new ReconcileService(ledger, config, orgs, tickets, jobs).reconcile(ORG);
}

describe('ReconcileService: records per run', () => {
  it('checks every record of 300 written three times each (900 writes)', async () => {
    expect((await run(300, 3)).checked).toBe(300);
  });

  it('checks at most 500 records in one run', async () => {
    expect((await run(600, 1)).checked).toBe(500);
  });
});
