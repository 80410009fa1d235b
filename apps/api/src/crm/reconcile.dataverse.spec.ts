import { Logger } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { JobsService } from '../jobs/jobs.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { LedgerRepository } from './ledger.repository';
import { ReconcileService } from './reconcile.service';

const DV = '11111111-0000-4000-8000-00000000000d';

describe('ReconcileService: a Dataverse org', () => {
  it('settles its stale pending rows but reads no record, logging that it skipped the org by id and name', async () => {
    const asked: string[] = [];
    const ledger = new Proxy(
      {},
      {
        get: (_t, op: string) => async () => {
          asked.push(op);
          return op === 'stalePending' ? [{ id: 'p1' }] : [];
        },
      },
    ) as unknown as LedgerRepository;
    const tickets = {
      run: vi.fn(async () => {
        throw new Error('no CRM 4.0 session for a Dataverse org');
      }),
    } as unknown as TicketsService;
    const orgs = {
      find: async () => ({
        id: DV,
        kind: 'dataverse',
        friendlyName: 'Contoso DV',
        serviceAccountUserId: 'app',
      }),
    } as unknown as OrgDirectory;
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const svc = new ReconcileService(ledger, { reconcilePendingAfterSec: 60 } as AppConfig, orgs, tickets, {
      register: () => undefined,
    } as unknown as JobsService);
    const report = await svc.reconcile(DV);
    expect(report).toMatchObject({ checked: 0, pendingResolved: 1, match: 0, mismatch: 0, missing: 0 });
    expect(asked.slice(0, 2)).toEqual(['stalePending', 'failPendingAsCrashed']);
    expect(asked).not.toContain('unverifiedWrites');
    expect(tickets.run).not.toHaveBeenCalled();
    expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
      new RegExp(`org ${DV} \\("Contoso DV"\\) runs on Dataverse: .*skipped`),
    );
    log.mockRestore();
  });
});
