import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import { DomainException } from '../common/domain-exception';
import type { JobsService } from '../jobs/jobs.service';
import { TicketRefreshJob } from './ticket-refresh.job';
import { TICKET_REFRESH, refreshStartAfter, type TicketRefreshScheduler } from './ticket-refresh.scheduler';
import type { RefreshSweepRow, TicketsRepository } from './tickets.repository';
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
    // A ticket living less than refresh-ahead is refreshed a quarter of its lifetime before expiry, not on arrival.
    const short = new Date(NOW.getTime() + 60_000);
    expect(refreshStartAfter(short, NOW, 300, () => 0, NOW).getTime()).toBe(NOW.getTime() + 45_000);
    expect(refreshStartAfter(short, NOW, 10, () => 0, NOW).getTime()).toBe(NOW.getTime() + 50_000);
    expect(refreshStartAfter(short, NOW, 300, () => 0, new Date(NOW.getTime() - 3_600_000))).toEqual(NOW);
    expect(refreshStartAfter(new Date(NOW.getTime() + 60_000), NOW, 300, () => 0.5)).toEqual(NOW);
  });
});

describe('TicketRefreshJob.refreshOrg', () => {
  function setup(
    expiry: Date | null,
    refresh: () => Promise<void> = async () => undefined,
    issued: Date | null = null,
  ) {
    const calls = { refreshed: 0, scheduled: [] as (Date | null)[] };
    const repo = {
      crmTicketTimes: async () => ({ expires: expiry, issued }),
    } as unknown as TicketsRepository;
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
    const job = new TicketRefreshJob(repo, config, tickets, scheduler, jobs);
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

  it('does not refresh a newer Dataverse token inside refresh-ahead but not yet within a quarter of its lifetime of expiry: it queues a job for it', async () => {
    // A 10-minute token with 4 minutes left: inside refresh-ahead (5 min), but due only 2.5 min before expiry.
    const issued = new Date(Date.now() - 360_000);
    const newer = new Date(issued.getTime() + 600_000);
    const { job, calls } = setup(newer, undefined, issued);
    expect(await job.refreshOrg({ orgId: 'o', expiresAt: inHours(-0.01).toISOString() })).toEqual({
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

describe('TicketRefreshJob.sweep', () => {
  const AHEAD_MS = 300_000;
  const MIN = 60_000;
  const at = (msFromNow: number) => new Date(Date.now() + msFromNow);

  /** A sweep over these rows; `schedule` answers a job id (queued), null (one is there already) or throws. */
  function setup(
    rows: RefreshSweepRow[],
    schedule: (orgId: string) => Promise<string | null> = async () => 'id',
  ) {
    const calls = {
      queues: [] as string[],
      scheduled: [] as [string, Date | null][],
      issuedAt: [] as (Date | undefined)[],
      cancelled: [] as string[][],
    };
    const repo = {
      refreshSweep: async (queue: string) => {
        calls.queues.push(queue);
        return rows;
      },
    } as unknown as TicketsRepository;
    const scheduler = {
      schedule: async (orgId: string, expires: Date | null, _now?: Date, issuedAt?: Date) => {
        calls.scheduled.push([orgId, expires]);
        calls.issuedAt.push(issuedAt);
        return schedule(orgId);
      },
    } as unknown as TicketRefreshScheduler;
    const jobs = {
      register: () => undefined,
      registerQueue: () => undefined,
      cancel: async (_name: string, ids: string[]) => void calls.cancelled.push(ids),
    } as unknown as JobsService;
    const config = { ticketRefreshAheadSec: AHEAD_MS / 1000 } as AppConfig;
    const job = new TicketRefreshJob(repo, config, {} as TicketsService, scheduler, jobs);
    return { job, calls };
  }
  const row = (orgId: string, expires: Date | null, job?: Partial<RefreshSweepRow>): RefreshSweepRow => ({
    orgId,
    expires,
    jobId: null,
    state: null,
    startAfter: null,
    ...job,
  });

  it('reads the ticket-refresh queue and queues a refresh for an active org without a job, with its ticket expiry', async () => {
    const expires = at(60 * MIN);
    const { job, calls } = setup([row('a', expires), row('b', null)]);
    expect(await job.sweep()).toEqual({ queued: 2, replaced: 0 });
    expect(calls.queues).toEqual([TICKET_REFRESH]);
    expect(calls.scheduled).toEqual([
      ['a', expires],
      ['b', null],
    ]);
    expect(calls.cancelled).toEqual([]);
  });

  it('leaves an org alone while its job runs or waits to retry', async () => {
    const { job, calls } = setup([
      row('a', at(60 * MIN), { jobId: 'j1', state: 'active', startAfter: at(-MIN) }),
      row('b', at(60 * MIN), { jobId: 'j2', state: 'created', startAfter: at(80 * MIN) }),
      row('b', at(60 * MIN), { jobId: 'j3', state: 'retry', startAfter: at(MIN) }),
    ]);
    expect(await job.sweep()).toEqual({ queued: 0, replaced: 0 });
    expect(calls.scheduled).toEqual([]);
    expect(calls.cancelled).toEqual([]);
  });

  it('keeps a waiting job due no later than a second after the ticket needs it', async () => {
    const expires = at(60 * MIN);
    const due = expires.getTime() - AHEAD_MS;
    const { job, calls } = setup([
      row('a', expires, { jobId: 'j1', state: 'created', startAfter: new Date(due) }),
      row('b', expires, { jobId: 'j2', state: 'created', startAfter: new Date(due - 10 * MIN) }),
    ]);
    expect(await job.sweep()).toEqual({ queued: 0, replaced: 0 });
    expect(calls.scheduled).toEqual([]);
  });

  it('cancels a waiting job due later than the ticket needs and queues one in its place', async () => {
    const expires = at(60 * MIN);
    const due = expires.getTime() - AHEAD_MS;
    const { job, calls } = setup([
      row('a', expires, { jobId: 'j1', state: 'created', startAfter: new Date(due + 5 * MIN) }),
    ]);
    expect(await job.sweep()).toEqual({ queued: 1, replaced: 1 });
    expect(calls.cancelled).toEqual([['j1']]);
    expect(calls.scheduled).toEqual([['a', expires]]);
  });

  it('judges a job of an org without a ticket (or one already due) against now', async () => {
    const { job, calls } = setup([
      row('a', null, { jobId: 'j1', state: 'created', startAfter: at(10 * MIN) }),
      row('b', at(MIN), { jobId: 'j2', state: 'created', startAfter: at(-MIN) }),
    ]);
    expect(await job.sweep()).toEqual({ queued: 1, replaced: 1 });
    expect(calls.cancelled).toEqual([['j1']]);
    expect(calls.scheduled).toEqual([['a', null]]);
  });

  it('keeps an org that still has one timely waiting job besides a late one', async () => {
    const expires = at(60 * MIN);
    const due = expires.getTime() - AHEAD_MS;
    const { job, calls } = setup([
      row('a', expires, { jobId: 'j1', state: 'created', startAfter: new Date(due + 5 * MIN) }),
      row('a', expires, { jobId: 'j2', state: 'created', startAfter: new Date(due) }),
    ]);
    expect(await job.sweep()).toEqual({ queued: 0, replaced: 0 });
    expect(calls.cancelled).toEqual([]);
  });

  it("keeps a Dataverse token's job due a quarter of its lifetime before expiry when that is later than refresh-ahead", async () => {
    // A 60 s token: TicketsService queued its refresh 15 s before expiry, refresh-ahead (5 min) being longer than it lives.
    const issued = at(0);
    const expires = at(MIN);
    const { job, calls } = setup([
      row('dv', expires, { jobId: 'j1', state: 'created', startAfter: at(45_000), issued }),
    ]);
    expect(await job.sweep()).toEqual({ queued: 0, replaced: 0 });
    expect(calls.cancelled).toEqual([]);
  });

  it('queues a Dataverse org its refresh with the token issue time, so that the scheduler caps refresh-ahead the same way', async () => {
    const issued = at(0);
    const expires = at(MIN);
    const { job, calls } = setup([row('dv', expires, { issued }), row('crm', at(60 * MIN))]);
    expect(await job.sweep()).toEqual({ queued: 2, replaced: 0 });
    expect(calls.scheduled).toEqual([
      ['dv', expires],
      ['crm', expect.any(Date)],
    ]);
    expect(calls.issuedAt).toEqual([issued, undefined]);
  });

  it('counts only the refreshes the scheduler queued, and goes on to the next org when one fails', async () => {
    const { job, calls } = setup([row('a', null), row('b', null), row('c', null)], async (orgId) => {
      if (orgId === 'a') return null;
      if (orgId === 'b') throw new Error('pg-boss down');
      return 'id';
    });
    expect(await job.sweep()).toEqual({ queued: 1, replaced: 0 });
    expect(calls.scheduled.map(([orgId]) => orgId)).toEqual(['a', 'b', 'c']);
  });
});
