import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';

/** The per-org refresh queue: one job per org (singleton key = org id), due before its ticket expires. */
export const TICKET_REFRESH = 'ticket-refresh';
/** The backstop: queues a refresh for every active org that has none, or whose job is later than due. */
export const TICKET_REFRESH_SWEEP = 'ticket-refresh-sweep';

/** Up to this share of the time left before the refresh-ahead window is taken off at random. */
export const REFRESH_JITTER_SHARE = 0.1;

export interface TicketRefreshData {
  orgId: string;
  /** The CRM ticket expiry this job was queued for (null: the org had no ticket). */
  expiresAt: string | null;
}

/**
 * When a ticket's refresh is due, without jitter (epoch ms): `refresh-ahead` before its expiry, at most a quarter
 * of its lifetime when its issue time is given. {@link refreshStartAfter} queues by it and the sweep judges by it.
 */
export function refreshDueAt(expiresAt: Date, aheadSec: number, issuedAt?: Date): number {
  const lifetime = issuedAt ? Math.max(0, expiresAt.getTime() - issuedAt.getTime()) : Infinity;
  return expiresAt.getTime() - Math.min(aheadSec * 1000, lifetime / 4);
}

/**
 * When an org's next refresh is due: `refresh-ahead` before its ticket expires, minus a random jitter of up to
 * 10 % of the time left until then. Orgs onboarded together get tickets of the same lifetime at the same
 * moment; the jitter spreads their refreshes, and spreads them further at each lifetime. Given the ticket's
 * issue time, refresh-ahead is at most a quarter of its lifetime (the sessions' own rule): a ticket that lives
 * less than refresh-ahead would otherwise be due on arrival, and each refresh would queue the next at once.
 */
export function refreshStartAfter(
  expiresAt: Date | null,
  now: Date,
  aheadSec: number,
  random: () => number = Math.random,
  issuedAt?: Date,
): Date {
  if (!expiresAt) return now;
  const due = refreshDueAt(expiresAt, aheadSec, issuedAt);
  const left = due - now.getTime();
  if (left <= 0) return now;
  return new Date(due - Math.floor(left * REFRESH_JITTER_SHARE * random()));
}

/** Queues per-org refresh jobs; used by TicketsService whenever a new CRM ticket has been saved. */
@Injectable()
export class TicketRefreshScheduler {
  constructor(
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Queues the org's next refresh for the ticket expiring at `expiresAt`. A job already waiting for the org
   * makes this a no-op (returns null); if that job is later than due the sweep replaces it.
   */
  schedule(orgId: string, expiresAt: Date | null, now = new Date(), issuedAt?: Date): Promise<string | null> {
    const data: TicketRefreshData = { orgId, expiresAt: expiresAt?.toISOString() ?? null };
    return this.jobs.send(TICKET_REFRESH, data, {
      singletonKey: orgId,
      startAfter: refreshStartAfter(expiresAt, now, this.config.ticketRefreshAheadSec, Math.random, issuedAt),
    });
  }
}
