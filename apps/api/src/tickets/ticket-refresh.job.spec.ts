import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import { DomainException } from '../common/domain-exception';
import type { JobsService } from '../jobs/jobs.service';
import { TicketRefreshJob } from './ticket-refresh.job';
import { refreshStartAfter, type TicketRefreshScheduler } from './ticket-refresh.scheduler';
import type { TicketsService } from './tickets.service';

const NOW = new Date('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;

describe('refreshStartAfter', () => {
  const expires = new Date(NOW.getTime() + 8 * HOUR);
  const due = expires.getTime() - 300_000;

  it('is expiry − refresh-ahead with no jitter, and up to 10 % of the time left before that earlier with the most', () => {
    expect(refreshStartAfter(expires, NOW, 300, () => 0).getTime()).toBe(due);
    expect(refreshStartAfter(expires, NOW, 300, () => 0.999999).getTime()).toBe(
      due - Math.floor((due - NOW.getTime()) * 0.1 * 0.999999),
    );
    expect(refreshStartAfter(expires, NOW, 300, () => 0.5).getTime()).toBe(
      due - (due - NOW.getTime()) * 0.05,
    );
  });

  it('is now for an org without a ticket, or whose ticket is already inside the refresh-ahead window', () => {
    expect(refreshStartAfter(null, NOW, 300)).toEqual(NOW);
    expect(refreshStartAfter(new Date(NOW.getTime() + 60_000), NOW, 300, () => 0.5)).toEqual(NOW);
  });
});

describe('TicketRefreshJob.refreshOrg', () => {
  function setup(expiry: Date | null, refresh: () => Promise<void> = async () => undefined) {
    const calls = { refreshed: 0, scheduled: [] as (Date | null)[] };
    const db = { query: async () => [{ crm_expires_at: expiry }] };
    const tickets = {
      refreshNow: async () => {
        calls.refreshed++;
        await refresh();
      },
    } as unknown as TicketsService;
    const scheduler = {
      schedule: async (_org: string, e: Date | null) => {
        calls.scheduled.push(e);
        return 'id';
      },
    } as unknown as TicketRefreshScheduler;
    const jobs = { register: () => undefined, registerQueue: () => undefined } as unknown as JobsService;
    const config = { ticketRefreshAheadSec: 300 } as AppConfig;
    const job = new TicketRefreshJob(db as never, config, tickets, scheduler, jobs);
    return { job, calls };
  }
  const inHours = (h: number) => new Date(Date.now() + h * HOUR);

  it('refreshes when the ticket is still the one the job was queued for', async () => {
    const expiry = inHours(0.05);
    const { job, calls } = setup(expiry);
    expect(await job.refreshOrg({ orgId: 'o', expiresAt: expiry.toISOString() })).toEqual({
      orgId: 'o',
      refreshed: true,
    });
    expect(calls.refreshed).toBe(1);
  });

  it('does not refresh when a newer ticket, not yet due, was saved since the job was queued: it queues a job for that ticket', async () => {
    const newer = inHours(8);
    const { job, calls } = setup(newer);
    expect(await job.refreshOrg({ orgId: 'o', expiresAt: inHours(0.05).toISOString() })).toEqual({
      orgId: 'o',
      refreshed: false,
      reason: 'newer ticket',
    });
    expect(calls.refreshed).toBe(0);
    expect(calls.scheduled).toEqual([newer]);
  });

  it('completes without retry for an org that is gone or not onboarded, and fails (to be retried) on a refresh error', async () => {
    const gone = setup(null, async () => {
      throw new DomainException(404, 'ORG_NOT_FOUND', 'No org with this id.');
    });
    expect(await gone.job.refreshOrg({ orgId: 'o', expiresAt: null })).toEqual({
      orgId: 'o',
      refreshed: false,
      reason: 'ORG_NOT_FOUND',
    });
    const failing = setup(null, async () => {
      throw new DomainException(502, 'TICKET_REFRESH_FAILED', 'STS down');
    });
    await expect(failing.job.refreshOrg({ orgId: 'o', expiresAt: null })).rejects.toThrow('STS down');
  });
});
