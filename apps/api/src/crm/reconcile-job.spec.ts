import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { JobDefinition, JobsService } from '../jobs/jobs.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { LedgerRepository } from './ledger.repository';
import { ReconcileService } from './reconcile.service';

describe('ReconcileService job', () => {
  it("registers itself as the 'reconcile' job: every 5 minutes, a 10-minute lease, running reconcileAll", async () => {
    const jobs: JobDefinition[] = [];
    const fakeJobs = { register: (j: JobDefinition) => jobs.push(j) } as unknown as JobsService;
    const orgs = { active: async () => [] } as unknown as OrgDirectory;
    const svc = new ReconcileService(
      {} as LedgerRepository,
      {} as AppConfig,
      orgs,
      {} as TicketsService,
      fakeJobs,
    );
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    expect(job).toMatchObject({ name: 'reconcile', everyMs: 300_000, leaseMs: 600_000 });
    let ran = 0;
    svc.reconcileAll = async () => {
      ran += 1;
      return { ran };
    };
    await expect(job!.run()).resolves.toEqual({ ran: 1 });
  });
});
