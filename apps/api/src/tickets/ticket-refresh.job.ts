import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainException } from '../common/domain-exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import {
  TICKET_REFRESH,
  TICKET_REFRESH_SWEEP,
  type TicketRefreshData,
  refreshDueAt,
  TicketRefreshScheduler,
} from './ticket-refresh.scheduler';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

/**
 * The background refresh. Each org's refresh is its own pg-boss job (`ticket-refresh`, singleton key = org id),
 * queued when its ticket is saved, due refresh-ahead (minus jitter) before expiry. A minute's sweep queues one
 * for any active org that has none (a new org, a lost job) or whose job is later than its ticket needs.
 */
@Injectable()
export class TicketRefreshJob {
  private readonly logger = new Logger('ticket-refresh');

  constructor(
    private readonly repo: TicketsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tickets: TicketsService,
    private readonly scheduler: TicketRefreshScheduler,
    private readonly jobs: JobsService,
  ) {
    jobs.registerQueue<TicketRefreshData>({
      name: TICKET_REFRESH,
      // A refresh is a few CRM round trips of at most 30 s each; a run still going after 2 minutes is retried.
      leaseMs: 120_000,
      retry: { retryLimit: 5, retryDelaySec: 15 },
      run: (data) => this.refreshOrg(data),
    });
    jobs.register({ name: TICKET_REFRESH_SWEEP, everyMs: 60_000, run: () => this.sweep() });
  }

  /** One org's job: refreshes unless a newer ticket, not yet due, was saved since the job was queued. */
  async refreshOrg(data: TicketRefreshData): Promise<Record<string, unknown>> {
    const { orgId } = data;
    const { expires: expiry, issued } = await this.repo.crmTicketTimes(orgId);
    const queuedFor = data.expiresAt ? new Date(data.expiresAt) : null;
    const newer = expiry !== null && (queuedFor === null || expiry.getTime() > queuedFor.getTime());
    // Due by the rule that queues it: a Dataverse token's refresh-ahead is at most a quarter of its lifetime.
    if (newer && refreshDueAt(expiry, this.config.ticketRefreshAheadSec, issued ?? undefined) > Date.now()) {
      // Refreshed meanwhile (a call found it due, or "refresh now"): queue the job for the new ticket instead.
      await this.scheduler.schedule(orgId, expiry, new Date(), issued ?? undefined);
      return { orgId, refreshed: false, reason: 'newer ticket' };
    }
    try {
      await this.tickets.refreshNow(orgId);
    } catch (err) {
      // No such org any more, or not onboarded: nothing to retry. Anything else (CRM down, an open circuit)
      // fails the job, which pg-boss retries with backoff.
      if (err instanceof DomainException && (err.status === 404 || err.status === 409)) {
        return { orgId, refreshed: false, reason: err.code };
      }
      throw err;
    }
    // The save queued the next job (TicketsService); the sweep catches it if that failed.
    return { orgId, refreshed: true };
  }

  /** Queues a refresh for each active org without one, or whose waiting job is later than its ticket needs. */
  async sweep(): Promise<{ queued: number; replaced: number }> {
    const aheadSec = this.config.ticketRefreshAheadSec;
    const rows = await this.repo.refreshSweep(TICKET_REFRESH);
    const byOrg = new Map<string, typeof rows>();
    for (const r of rows) byOrg.set(r.orgId, [...(byOrg.get(r.orgId) ?? []), r]);
    let queued = 0;
    let replaced = 0;
    for (const [orgId, jobs] of byOrg) {
      const expires = jobs[0]!.expires;
      // A Dataverse token's issue time: its job was queued a quarter of its lifetime before expiry at most.
      const issued = jobs[0]!.issued ?? undefined;
      // Running or retrying: leave it to finish (or to its backoff).
      if (jobs.some((j) => j.state === 'active' || j.state === 'retry')) continue;
      const waiting = jobs.filter((j) => j.state === 'created');
      const due = expires ? refreshDueAt(expires, aheadSec, issued) : Date.now();
      const late = waiting.filter((j) => j.startAfter!.getTime() > Math.max(due, Date.now()) + 1_000);
      if (waiting.length > late.length) continue;
      try {
        if (late.length) {
          await this.jobs.cancel(
            TICKET_REFRESH,
            late.map((j) => j.jobId!),
          );
          replaced++;
        }
        if (await this.scheduler.schedule(orgId, expires, new Date(), issued)) queued++;
      } catch (err) {
        this.logger.warn(
          `could not queue the refresh of org ${orgId}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    return { queued, replaced };
  }
}
