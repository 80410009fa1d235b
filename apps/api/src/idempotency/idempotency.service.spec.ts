import { afterEach, describe, expect, it, vi } from 'vitest';
import { DomainException } from '../common/domain-exception';
import type { JobDefinition, JobsService } from '../jobs/jobs.service';
import type { IdempotencyRepository, KeyRow, NewKey } from './idempotency.repository';
import {
  type Attempt,
  IDEMPOTENCY_PURGE_JOB,
  IdempotencyService,
  type KeyClaim,
  MAX_RENEWAL_MS,
  MAX_LEASE_MS,
  MIN_LEASE_MS,
} from './idempotency.service';

/**
 * IdempotencyService's state machine over a fake repository that records every write: claim, replay,
 * reuse, in progress, take-over, and how a failure settles the key. The SQL is pinned by idempotency.int-spec.
 */

const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const claim: KeyClaim = { orgId: ORG, key: 'k-1', requestHash: 'h1', recordId: REC };

const row = (over: Partial<KeyRow> = {}): KeyRow => ({
  requestHash: 'h1',
  state: 'in_flight',
  recordId: REC,
  ledgerId: 'ledger-0',
  ownerInstance: 'api-2',
  ownerBoot: 'boot-2',
  attempt: 3,
  leaseExpired: false,
  replyStatus: null,
  replyBody: null,
  ...over,
});

function world(
  o: {
    existing?: KeyRow | null;
    claimGone?: number;
    takeOver?: KeyRow | null;
    completeFails?: boolean;
    pendingAfterSec?: number;
    /** Renewals wait for this before they are written. */
    renewGate?: Promise<void>;
  } = {},
) {
  const writes: Array<[string, ...unknown[]]> = [];
  const jobs: JobDefinition[] = [];
  let gone = o.claimGone ?? 0;
  const repo = {
    claim: async (k: NewKey) => {
      writes.push(['claim', k]);
      if (gone > 0) {
        gone--;
        return null;
      }
      return o.existing
        ? { claimed: false, row: o.existing }
        : {
            claimed: true,
            row: row({ attempt: 1, ledgerId: null, ownerInstance: k.ownerInstance, ownerBoot: k.ownerBoot }),
          };
    },
    takeOver: async (...a: unknown[]) => {
      writes.push(['takeOver', ...a]);
      return o.takeOver === undefined ? row({ attempt: 4 }) : o.takeOver;
    },
    setLedgerId: async (...a: unknown[]) => void writes.push(['setLedgerId', ...a]),
    complete: async (...a: unknown[]) => {
      writes.push(['complete', ...a]);
      if (o.completeFails) throw new Error('db down');
      return true;
    },
    release: async (...a: unknown[]) => void writes.push(['release', ...a]),
    abandon: async (...a: unknown[]) => void writes.push(['abandon', ...a]),
    renew: async (...a: unknown[]) => {
      await o.renewGate;
      writes.push(['renew', ...a]);
    },
    purgeExpired: async () => 7,
  } as unknown as IdempotencyRepository;
  const svc = new IdempotencyService(
    repo,
    { instanceId: 'api-1', reconcilePendingAfterSec: o.pendingAfterSec ?? 90 },
    {
      register: (j: JobDefinition) => jobs.push(j),
    } as unknown as JobsService,
  );
  return { svc, writes, jobs };
}

const reply = { status: 201, body: { id: REC, ledgerId: 'ledger-1' }, recordId: REC, ledgerId: 'ledger-1' };
const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => (err instanceof DomainException ? `${err.status} ${err.code}` : err),
  );

describe('IdempotencyService', () => {
  it('claims a new key as this instance (its name, its boot id, a lease of the pending-call delay, 24 hours), runs the work once and keeps the reply', async () => {
    const { svc, writes } = world();
    const seen: Attempt[] = [];
    const r = await svc.run(claim, async (a) => {
      seen.push(a);
      await a.started('ledger-1');
      return reply;
    });
    expect(r).toEqual({ status: 201, body: reply.body, replayed: false });
    expect(seen).toMatchObject([{ recordId: REC, ledgerId: null, recovering: false }]);
    expect(svc.me.instance).toBe('api-1');
    expect(svc.me.boot).toMatch(/^[0-9a-f-]{36}$/);
    expect(writes).toEqual([
      [
        'claim',
        {
          ...claim,
          ownerInstance: 'api-1',
          ownerBoot: svc.me.boot,
          leaseMs: 90_000,
          ttlMs: 24 * 60 * 60_000,
        },
      ],
      ['setLedgerId', ORG, 'k-1', 1, 'ledger-1'],
      ['complete', ORG, 'k-1', 1, { status: 201, body: reply.body, recordId: REC, ledgerId: 'ledger-1' }],
    ]);
  });

  it('each process has its own boot id', () => {
    expect(world().svc.me.boot).not.toBe(world().svc.me.boot);
  });

  it('a completed key with the same request: the kept reply, replayed, and the work is not run', async () => {
    const { svc, writes } = world({
      existing: row({ state: 'completed', replyStatus: 201, replyBody: { id: REC, ledgerId: 'ledger-0' } }),
    });
    const r = await svc.run(claim, () => Promise.reject(new Error('must not run')));
    expect(r).toEqual({ status: 201, body: { id: REC, ledgerId: 'ledger-0' }, replayed: true });
    expect(writes.map((w) => w[0])).toEqual(['claim']);
  });

  it('a key of another request: 422 IDEMPOTENCY_KEY_REUSED; one in flight elsewhere: 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    expect(
      await codeOf(
        world({
          existing: row({ requestHash: 'h2', state: 'completed', replyStatus: 201, replyBody: {} }),
        }).svc.run(claim, async () => reply),
      ),
    ).toBe('422 IDEMPOTENCY_KEY_REUSED');
    const { svc, writes } = world({ existing: row() });
    expect(await codeOf(svc.run(claim, async () => reply))).toBe('409 IDEMPOTENCY_IN_PROGRESS');
    expect(writes.map((w) => w[0])).toEqual(['claim']);
  });

  it('takes over a key whose lease ran out: the next attempt, the chosen record id and the cut-off call ledger row are handed to the work', async () => {
    const { svc, writes } = world({
      existing: row({ leaseExpired: true }),
      takeOver: row({ attempt: 4, ownerInstance: 'api-1' }),
    });
    const seen: Attempt[] = [];
    await svc.run(claim, async (a) => {
      seen.push(a);
      return reply;
    });
    expect(seen).toMatchObject([{ recordId: REC, ledgerId: 'ledger-0', recovering: true }]);
    expect(writes[1]).toEqual([
      'takeOver',
      ORG,
      'k-1',
      3,
      { instance: 'api-1', boot: svc.me.boot, leaseMs: 90_000 },
    ]);
    expect(writes[2]!.slice(0, 4)).toEqual(['complete', ORG, 'k-1', 4]);
  });

  it('a take-over lost to another retry is 409 IDEMPOTENCY_IN_PROGRESS, without running the work', async () => {
    const { svc } = world({ existing: row({ leaseExpired: true }), takeOver: null });
    expect(await codeOf(svc.run(claim, () => Promise.reject(new Error('must not run'))))).toBe(
      '409 IDEMPOTENCY_IN_PROGRESS',
    );
  });

  it('a row that goes away between the claim and its read is claimed again; three times in a row is 409', async () => {
    const again = world({ claimGone: 2 });
    expect((await again.svc.run(claim, async () => reply)).replayed).toBe(false);
    expect(again.writes.filter((w) => w[0] === 'claim')).toHaveLength(3);
    const never = world({ claimGone: 3 });
    expect(await codeOf(never.svc.run(claim, async () => reply))).toBe('409 IDEMPOTENCY_IN_PROGRESS');
  });

  it('a failure CRM certainly did not run releases the key; any other ends its lease at once; the error goes to the caller', async () => {
    const refused = new DomainException(403, 'CRM_PRIVILEGE_DENIED', 'no', {
      protocolCode: 'X',
      executed: false,
    });
    const a = world();
    expect(await codeOf(a.svc.run(claim, () => Promise.reject(refused)))).toBe('403 CRM_PRIVILEGE_DENIED');
    expect(a.writes.slice(1)).toEqual([['release', ORG, 'k-1', 1]]);
    const unknown = new DomainException(504, 'CRM_TIMEOUT', 't', { protocolCode: 'ERR_TIMEOUT' });
    const b = world();
    expect(await codeOf(b.svc.run(claim, () => Promise.reject(unknown)))).toBe('504 CRM_TIMEOUT');
    expect(b.writes.slice(1)).toEqual([['abandon', ORG, 'k-1', 1]]);
  });

  it('a recovering attempt never releases the key, even on a failure CRM certainly did not run (the cut-off call may have created the record): its lease ends and the key keeps its chosen record id', async () => {
    const refused = new DomainException(503, 'CRM_ORG_DISABLED', 'off', {
      protocolCode: 'ERR_CRM_ORG_DISABLED',
      executed: false,
    });
    const { svc, writes } = world({
      existing: row({ leaseExpired: true }),
      takeOver: row({ attempt: 4, ownerInstance: 'api-1' }),
    });
    expect(await codeOf(svc.run(claim, () => Promise.reject(refused)))).toBe('503 CRM_ORG_DISABLED');
    expect(writes.slice(2)).toEqual([['abandon', ORG, 'k-1', 4]]);
  });

  it('a reply that cannot be kept is still given to the caller (the key is recovered after its lease)', async () => {
    const { svc } = world({ completeFails: true });
    expect(await svc.run(claim, async () => reply)).toEqual({
      status: 201,
      body: reply.body,
      replayed: false,
    });
  });

  describe('the lease while the call runs', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('is renewed every third of it for as long as the work runs, and no more once it is done', async () => {
      vi.useFakeTimers();
      const { svc, writes } = world();
      let finish!: (r: typeof reply) => void;
      const done = svc.run(claim, () => new Promise((r) => (finish = r)));
      await vi.advanceTimersByTimeAsync(29_999);
      expect(writes.filter((w) => w[0] === 'renew')).toEqual([]);
      // A call slower than the lease itself keeps it.
      await vi.advanceTimersByTimeAsync(90_001);
      expect(writes.filter((w) => w[0] === 'renew')).toEqual([
        ['renew', ORG, 'k-1', 1, 90_000],
        ['renew', ORG, 'k-1', 1, 90_000],
        ['renew', ORG, 'k-1', 1, 90_000],
        ['renew', ORG, 'k-1', 1, 90_000],
      ]);
      finish(reply);
      await done;
      await vi.advanceTimersByTimeAsync(120_000);
      expect(writes.filter((w) => w[0] === 'renew')).toHaveLength(4);
      expect(writes.at(-1)![0]).toBe('complete');
    });

    it('stops renewing after MAX_RENEWAL_MS (10 min), so a stuck call lets its key be recovered', async () => {
      vi.useFakeTimers();
      expect(MAX_RENEWAL_MS).toBe(600_000);
      const { svc, writes } = world();
      let finish!: (r: typeof reply) => void;
      const done = svc.run(claim, () => new Promise((r) => (finish = r)));
      // 90 s lease, renewed every 30 s: the renewals at 30 s … 570 s are written, the one at 600 s is not.
      await vi.advanceTimersByTimeAsync(600_000);
      expect(writes.filter((w) => w[0] === 'renew')).toHaveLength(19);
      await vi.advanceTimersByTimeAsync(600_000);
      expect(writes.filter((w) => w[0] === 'renew')).toHaveLength(19);
      finish(reply);
      await done;
    });

    it('a renewal under way when the work fails is written before the lease is ended, never after', async () => {
      vi.useFakeTimers();
      let open!: () => void;
      const { svc, writes } = world({ renewGate: new Promise<void>((r) => (open = r)) });
      let fail!: (e: unknown) => void;
      const done = codeOf(svc.run(claim, () => new Promise((_r, j) => (fail = j))));
      await vi.advanceTimersByTimeAsync(30_000);
      fail(new DomainException(504, 'CRM_TIMEOUT', 't', { protocolCode: 'ERR_TIMEOUT' }));
      await vi.advanceTimersByTimeAsync(0);
      expect(writes.map((w) => w[0])).toEqual(['claim']);
      open();
      expect(await done).toBe('504 CRM_TIMEOUT');
      expect(writes.map((w) => w[0])).toEqual(['claim', 'renew', 'abandon']);
    });

    it('is between MIN_LEASE_MS (30 s) and MAX_LEASE_MS (90 s), whatever ONBEHALF_RECONCILE_PENDING_AFTER_SEC says', async () => {
      expect(MIN_LEASE_MS).toBe(30_000);
      expect(MAX_LEASE_MS).toBe(90_000);
      for (const [sec, ms] of [
        [0, 30_000],
        [29, 30_000],
        [31, 31_000],
        [90, 90_000],
        [91, 90_000],
        [1200, 90_000],
      ] as const) {
        const { svc, writes } = world({ pendingAfterSec: sec });
        await svc.run(claim, async () => reply);
        expect(writes[0]).toMatchObject(['claim', { leaseMs: ms }]);
      }
    });
  });

  it('registers the hourly purge job, which reports how many keys it deleted', async () => {
    const { jobs } = world();
    expect(jobs.map((j) => [j.name, j.everyMs])).toEqual([[IDEMPOTENCY_PURGE_JOB, 60 * 60_000]]);
    expect(await jobs[0]!.run()).toEqual({ purged: 7 });
  });
});
