/**
 * Mutation-testing additions (stryker/README.md) for the ticket cache under CrmSession: the exact
 * refresh and usability bounds, the minimum interval for a value that arrives already expired,
 * the cooldown sequence after failures, single flight for background and forced refreshes,
 * invalidation by generation, the sequence guard, the attempt timeout and abort handling; and the
 * in-memory stores and local-fault wrappers beside it.
 */
import { describe, expect, it } from 'vitest';
import { CrmAuthError, isCrmAuthError } from '../../src/errors';
import { ticketStoreCall, underRefreshLock } from '../../src/session/local-fault';
import {
  abortable,
  RefreshingCache,
  refreshTimes,
  type CacheEntry,
  type LoadContext,
  type Loaded,
  type RefreshingCacheOptions,
} from '../../src/session/refreshing-cache';
import { MemoryTicketStore } from '../../src/session/ticket-store';
import { MemoryUserIdStore } from '../../src/session/user-id-store';
import { deferred, settle } from '../helpers/fake-services';

/** 1,000 s: refresh 60 s ahead (under a quarter), unusable 30 s before expiry (the skew cap). */
const LIFETIME = 1_000_000;
const AHEAD = 60_000;
const SKEW = 30_000;

type Plan = (ctx: LoadContext<string>) => Promise<Loaded<string>>;

function setup(overrides: Partial<RefreshingCacheOptions<string>> = {}) {
  const t = { now: 5_000_000 };
  const loads: LoadContext<string>[] = [];
  const plans: Plan[] = [];
  const loaded: Array<{
    generation: number;
    first: boolean;
    fromStore: boolean;
    reason: string;
    latencyMs: number;
  }> = [];
  const failed: Array<{ err: unknown; latencyMs: number }> = [];
  let n = 0;
  const cache = new RefreshingCache<string>({
    name: 'test ticket',
    clock: () => t.now,
    refreshAheadMs: AHEAD,
    attemptTimeoutMs: 5_000,
    load: (ctx) => {
      loads.push(ctx);
      n += 1;
      const plan = plans.shift();
      if (plan) return plan(ctx);
      return Promise.resolve({ value: `v${n}`, issuedAt: t.now, expiresAt: t.now + LIFETIME });
    },
    onLoaded: (entry, info) => loaded.push({ generation: entry.generation, ...info }),
    onFailed: (err, latencyMs) => failed.push({ err, latencyMs }),
    ...overrides,
  });
  return { t, cache, loads, plans, loaded, failed };
}

const failWith =
  (err: unknown): Plan =>
  () =>
    Promise.reject(err);
const pending = (): Plan => () => new Promise<Loaded<string>>(() => undefined);

/** Whether `promise` has settled after pending callbacks ran. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await settle();
  return done;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('refreshTimes', () => {
  it('refreshes refreshAheadMs before expiry and stops using the value the skew (30 s at most) before it', () => {
    expect(refreshTimes({ issuedAt: 0, expiresAt: LIFETIME }, AHEAD)).toEqual({
      refreshAt: LIFETIME - AHEAD,
      usableUntil: LIFETIME - SKEW,
    });
  });

  it('caps the refresh window to a quarter and the skew to a tenth of a short lifetime', () => {
    expect(refreshTimes({ issuedAt: 100_000, expiresAt: 140_000 }, AHEAD)).toEqual({
      refreshAt: 130_000,
      usableUntil: 136_000,
    });
  });

  it('treats a value that expires before it was issued as having no lifetime', () => {
    expect(refreshTimes({ issuedAt: 200_000, expiresAt: 100_000 }, AHEAD)).toEqual({
      refreshAt: 100_000,
      usableUntil: 100_000,
    });
  });
});

describe('RefreshingCache: when the cached value is used, refreshed or waited for', () => {
  it('loads the first value with reason initial and reports it as the first, from the network', async () => {
    const s = setup();
    const entry = await s.cache.get();
    expect(entry).toEqual({ value: 'v1', issuedAt: s.t.now, expiresAt: s.t.now + LIFETIME, generation: 1 });
    expect(s.loads.map((l) => [l.reason, 'rejected' in l])).toEqual([['initial', false]]);
    expect(s.loaded).toEqual([
      { generation: 1, first: true, fromStore: false, reason: 'initial', latencyMs: expect.any(Number) },
    ]);
    expect(s.loaded[0]?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(s.loaded[0]?.latencyMs).toBeLessThan(5_000);
    expect(s.cache.peek()).toBe(entry);
  });

  it('serves the cached value without loading until the refresh time, then refreshes in the background from that very instant', async () => {
    const s = setup();
    const first = await s.cache.get();
    s.t.now = first.expiresAt - AHEAD - 1;
    expect(await s.cache.get()).toBe(first);
    expect(s.loads).toHaveLength(1);
    s.t.now = first.expiresAt - AHEAD;
    expect(await s.cache.get()).toBe(first);
    expect(s.loads.map((l) => l.reason)).toEqual(['initial', 'expiring']);
    await settle();
    expect(s.cache.peek()?.generation).toBe(2);
    expect(s.loaded.map((l) => [l.first, l.reason])).toEqual([
      [true, 'initial'],
      [false, 'expiring'],
    ]);
  });

  it('starts one background refresh however many callers find the value due', async () => {
    const s = setup();
    const first = await s.cache.get();
    s.plans.push(pending());
    s.t.now = first.expiresAt - AHEAD + 1;
    for (let i = 0; i < 5; i += 1) expect(await s.cache.get()).toBe(first);
    expect(s.loads).toHaveLength(2);
  });

  it('waits for a new value from the instant the value stops being usable, not one millisecond before', async () => {
    const s = setup();
    const first = await s.cache.get();
    s.plans.push(pending());
    s.t.now = first.expiresAt - SKEW - 1;
    expect(await s.cache.get()).toBe(first); // starts the background refresh, still served
    s.t.now = first.expiresAt - SKEW;
    expect(await isSettled(s.cache.get())).toBe(false); // joins the refresh in flight
    expect(s.loads).toHaveLength(2);
  });

  it('serves a value that arrived already expired for 1 s after it was loaded, and not at 1 s', async () => {
    const s = setup();
    s.plans.push(async () => ({ value: 'late', issuedAt: s.t.now - LIFETIME, expiresAt: s.t.now - 1 }));
    const first = await s.cache.get();
    expect(first.value).toBe('late');
    s.plans.push(pending());
    s.t.now += 999;
    expect(await s.cache.get()).toBe(first);
    expect(s.loads).toHaveLength(2); // a refresh started behind it
    s.t.now += 1;
    expect(await isSettled(s.cache.get())).toBe(false);
  });

  it('loads a value above minGeneration even when the cached one is fresh', async () => {
    const s = setup();
    await s.cache.get();
    const next = await s.cache.get({ minGeneration: 1 });
    expect(next).toMatchObject({ value: 'v2', generation: 2 });
    expect(s.loads.map((l) => l.reason)).toEqual(['initial', 'expiring']);
    expect(await s.cache.get({ minGeneration: 1 })).toBe(next);
  });
});

describe('RefreshingCache: failures and the cooldown', () => {
  const down = (): CrmAuthError => new CrmAuthError('ERR_CONNECTION_REFUSED', 'down');

  it('answers with the last failure during the cooldown, without loading, and loads again at its end', async () => {
    const s = setup();
    const err = down();
    s.plans.push(failWith(err));
    expect(await rejection(s.cache.get())).toBe(err);
    s.t.now += 999;
    expect(await rejection(s.cache.get())).toBe(err);
    expect(s.loads).toHaveLength(1);
    s.t.now += 1;
    expect((await s.cache.get()).value).toBe('v2');
    expect(s.loads).toHaveLength(2);
  });

  it('doubles the cooldown with each failure in a row, from 1 s up to 30 s', async () => {
    const s = setup();
    s.plans.push(failWith(down()));
    await rejection(s.cache.get());
    for (const cooldown of [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]) {
      const at = s.t.now;
      const before = s.loads.length;
      s.t.now = at + cooldown - 1;
      await rejection(s.cache.get());
      expect(s.loads).toHaveLength(before);
      s.t.now = at + cooldown;
      s.plans.push(failWith(down()));
      await rejection(s.cache.get());
      expect(s.loads).toHaveLength(before + 1);
    }
  });

  it('resets the cooldown after a success: the next failure waits 1 s again', async () => {
    const s = setup();
    for (let i = 0; i < 3; i += 1) {
      s.plans.push(failWith(down()));
      await rejection(s.cache.get());
      s.t.now += 60_000;
    }
    const ok = await s.cache.get();
    expect(ok.value).toBe('v4');
    s.cache.invalidate(ok.generation);
    s.plans.push(failWith(down()));
    await rejection(s.cache.get());
    s.t.now += 1_000;
    expect((await s.cache.get()).value).toBe('v6');
  });

  it('reports each failure to onFailed with its latency and does not start a background refresh during the cooldown', async () => {
    const s = setup();
    const first = await s.cache.get();
    const err = down();
    s.plans.push(failWith(err));
    s.t.now = first.expiresAt - AHEAD;
    expect(await s.cache.get()).toBe(first);
    await settle();
    expect(s.failed).toEqual([{ err, latencyMs: expect.any(Number) }]);
    expect(s.failed[0]?.latencyMs).toBeLessThan(5_000);
    s.t.now += 999;
    expect(await s.cache.get()).toBe(first);
    expect(s.loads).toHaveLength(2);
    s.t.now += 1;
    expect(await s.cache.get()).toBe(first);
    expect(s.loads).toHaveLength(3);
  });

  it('keeps working when onLoaded or onFailed throw', async () => {
    const s = setup({
      onLoaded: () => {
        throw new Error('listener bug');
      },
      onFailed: () => {
        throw new Error('listener bug');
      },
    });
    const err = down();
    s.plans.push(failWith(err));
    expect(await rejection(s.cache.get())).toBe(err);
    s.t.now += 1_000;
    expect((await s.cache.get()).value).toBe('v2');
  });

  it('gives up an attempt after attemptTimeoutMs with ERR_TIMEOUT naming the value, and aborts the loader', async () => {
    const s = setup({ attemptTimeoutMs: 20 });
    s.plans.push(pending());
    const err = await rejection(s.cache.get());
    expect(isCrmAuthError(err, 'ERR_TIMEOUT')).toBe(true);
    expect((err as Error).message).toBe('refreshing the test ticket took longer than 20 ms');
    expect(s.loads[0]?.signal.aborted).toBe(true);
    expect(s.loads[0]?.signal.reason).toBe(err);
  });

  it('does not abort a loader that finished in time', async () => {
    const s = setup({ attemptTimeoutMs: 20 });
    await s.cache.get();
    await new Promise((r) => setTimeout(r, 40));
    expect(s.loads[0]?.signal.aborted).toBe(false);
  });
});

describe('RefreshingCache: invalidation, forced refresh and the sequence guard', () => {
  it('invalidates only the generation named, and then loads with reason invalidated and the refused value', async () => {
    const s = setup();
    const first = await s.cache.get();
    s.cache.invalidate(first.generation + 1);
    expect(s.cache.peek()).toBe(first);
    s.cache.invalidate(first.generation);
    expect(s.cache.peek()).toBeUndefined();
    const second = await s.cache.get();
    expect(second.value).toBe('v2');
    expect(s.loads[1]).toMatchObject({ reason: 'invalidated', rejected: 'v1' });
    // Once replaced, the refused value is forgotten.
    s.t.now = second.expiresAt - AHEAD;
    await s.cache.get();
    expect(s.loads[2]?.reason).toBe('expiring');
    expect('rejected' in (s.loads[2] as object)).toBe(false);
  });

  it('keeps the refused value across a failed reload, so the retry still bypasses it', async () => {
    const s = setup();
    const first = await s.cache.get();
    s.cache.invalidate(first.generation);
    s.plans.push(failWith(new CrmAuthError('ERR_TIMEOUT', 'slow')));
    await rejection(s.cache.get());
    s.t.now += 1_000;
    await s.cache.get();
    expect(s.loads.map((l) => [l.reason, l.rejected])).toEqual([
      ['initial', undefined],
      ['invalidated', 'v1'],
      ['invalidated', 'v1'],
    ]);
  });

  it('forces a refresh past a fresh value and the cooldown, naming the current value as refused', async () => {
    const s = setup();
    await s.cache.get();
    const forced = await s.cache.refresh();
    expect(forced).toMatchObject({ value: 'v2', generation: 2 });
    expect(s.loads[1]).toMatchObject({ reason: 'forced', rejected: 'v1' });
    expect(s.loaded[1]?.reason).toBe('forced');

    const err = new CrmAuthError('ERR_TIMEOUT', 'slow');
    s.plans.push(failWith(err));
    expect(await rejection(s.cache.refresh())).toBe(err);
    expect((await s.cache.refresh()).value).toBe('v4');
  });

  it('joins a forced refresh in flight, but not a background one', async () => {
    const s = setup();
    const first = await s.cache.get();
    const gate = deferred();
    s.plans.push(async () => {
      await gate.promise;
      return { value: 'background', issuedAt: s.t.now, expiresAt: s.t.now + LIFETIME };
    });
    s.t.now = first.expiresAt - AHEAD;
    await s.cache.get(); // background refresh in flight
    const a = s.cache.refresh();
    const b = s.cache.refresh();
    await settle();
    expect(s.loads.map((l) => l.reason)).toEqual(['initial', 'expiring', 'forced']);
    const [ea, eb] = await Promise.all([a, b]);
    expect(ea).toBe(eb);
    gate.resolve();
    await settle();
  });

  it('keeps the newer refresh in flight joinable when an older one finishes first', async () => {
    const s = setup();
    const gateA = deferred();
    const gateB = deferred();
    const later =
      (value: string, gate: Promise<void>): Plan =>
      async () => {
        await gate;
        return { value, issuedAt: s.t.now, expiresAt: s.t.now + LIFETIME };
      };
    s.plans.push(later('a', gateA.promise), later('b', gateB.promise));
    const a = s.cache.get();
    const b = s.cache.refresh();
    gateA.resolve();
    await a;
    const c = s.cache.refresh();
    await settle();
    expect(s.loads).toHaveLength(2);
    gateB.resolve();
    expect(await c).toBe(await b);
  });

  it('never lets an older refresh replace the value of a newer one, nor report its late failure', async () => {
    const s = setup();
    const gate = deferred();
    const lateFailure = new CrmAuthError('ERR_TIMEOUT', 'late');
    s.plans.push(async () => {
      await gate.promise;
      return { value: 'older', issuedAt: s.t.now, expiresAt: s.t.now + LIFETIME };
    });
    const older = s.cache.get();
    const newer = await s.cache.refresh();
    expect(newer.value).toBe('v2');
    gate.resolve();
    expect(await older).toBe(newer);
    expect(s.cache.peek()).toBe(newer);
    expect(s.loaded.map((l) => l.generation)).toEqual([2]);

    const gate2 = deferred();
    s.plans.push(async () => {
      await gate2.promise;
      throw lateFailure;
    });
    const olderFailing = s.cache.get({ minGeneration: newer.generation });
    const newest = await s.cache.refresh();
    expect(newest.value).toBe('v4');
    gate2.resolve();
    expect(await rejection(olderFailing)).toBe(lateFailure);
    expect(s.failed).toEqual([]);
    // The late failure set no cooldown: a value needed at once is loaded, not refused with it.
    s.cache.invalidate(newest.generation);
    expect((await s.cache.get()).value).toBe('v5');
  });

  it('hands an older refresh that finishes after a newer one the newer value, even after an invalidation', async () => {
    const s = setup();
    const gate = deferred();
    s.plans.push(async () => {
      await gate.promise;
      return { value: 'older', issuedAt: 1, expiresAt: 2 };
    });
    const older = s.cache.get();
    const newer = await s.cache.refresh();
    s.cache.invalidate(newer.generation);
    gate.resolve();
    const got: CacheEntry<string> = await older;
    expect(got).toEqual({ value: 'older', issuedAt: 1, expiresAt: 2, generation: 1 });
    expect(s.cache.peek()).toBeUndefined();
  });
});

describe('abortable', () => {
  it('rejects at once with ERR_ABORTED, the reason as cause, when the signal is already aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('user left');
    controller.abort(reason);
    const err = await rejection(abortable(new Promise(() => undefined), controller.signal));
    expect(isCrmAuthError(err, 'ERR_ABORTED')).toBe(true);
    expect((err as Error).message).toBe('the call was aborted');
    expect((err as Error).cause).toBe(reason);
  });

  it('rejects with the reason itself when it is a CrmAuthError (a timeout stays a timeout)', async () => {
    const controller = new AbortController();
    const timeout = new CrmAuthError('ERR_TIMEOUT', 'too slow');
    const waiting = abortable(new Promise(() => undefined), controller.signal);
    controller.abort(timeout);
    expect(await rejection(waiting)).toBe(timeout);
    const already = new AbortController();
    already.abort(timeout);
    expect(await rejection(abortable(Promise.resolve(1), already.signal))).toBe(timeout);
  });

  it('passes the result or the failure through when the signal does not fire', async () => {
    const controller = new AbortController();
    expect(await abortable(Promise.resolve('ok'), controller.signal)).toBe('ok');
    const err = new Error('failed');
    expect(await rejection(abortable(Promise.reject(err), controller.signal))).toBe(err);
    expect(await abortable(Promise.resolve('no signal'), undefined)).toBe('no signal');
  });
});

describe('MemoryTicketStore and MemoryUserIdStore', () => {
  it('keeps tickets by key as copies, and forgets a deleted one', async () => {
    const store = new MemoryTicketStore();
    const value = { ticket: 'secret', issuedAt: 1, expiresAt: 2 };
    await store.set('k', value);
    value.ticket = 'changed after set';
    const got = await store.get('k');
    expect(got).toEqual({ ticket: 'secret', issuedAt: 1, expiresAt: 2 });
    (got as { ticket: string }).ticket = 'changed after get';
    expect((await store.get('k'))?.ticket).toBe('secret');
    expect(await store.get('other')).toBeUndefined();
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
  });

  it('drops a user id at the instant it expires and serves it until then', async () => {
    const t = { now: 1_000 };
    const store = new MemoryUserIdStore({ clock: () => t.now });
    await store.set('0003BFFD8F3A5B21', { userId: 'u1', expiresAt: 2_000 });
    t.now = 1_999;
    expect(await store.get('0003BFFD8F3A5B21')).toEqual({ userId: 'u1', expiresAt: 2_000 });
    t.now = 2_000;
    expect(await store.get('0003BFFD8F3A5B21')).toBeUndefined();
    t.now = 1_000; // expired entries are removed, not only hidden
    expect(await store.get('0003BFFD8F3A5B21')).toBeUndefined();
  });

  it('returns copies and uses Date.now without a clock', async () => {
    const store = new MemoryUserIdStore();
    await store.set('A', { negative: true, expiresAt: Date.now() + 60_000 });
    const got = await store.get('A');
    expect(got).toMatchObject({ negative: true });
    (got as { expiresAt: number }).expiresAt = 0;
    expect((await store.get('A'))?.expiresAt).toBeGreaterThan(Date.now());
    await store.set('B', { userId: 'b', expiresAt: Date.now() - 1 });
    expect(await store.get('B')).toBeUndefined();
  });

  it('evicts the least recently written entry beyond maxEntries', async () => {
    const store = new MemoryUserIdStore({ clock: () => 0, maxEntries: 2 });
    await store.set('A', { userId: 'a', expiresAt: 10 });
    await store.set('B', { userId: 'b', expiresAt: 10 });
    await store.set('A', { userId: 'a2', expiresAt: 10 }); // rewritten: now the newest
    await store.set('C', { userId: 'c', expiresAt: 10 });
    expect(await store.get('B')).toBeUndefined();
    expect(await store.get('A')).toEqual({ userId: 'a2', expiresAt: 10 });
    expect(await store.get('C')).toEqual({ userId: 'c', expiresAt: 10 });
  });

  it('holds 10,000 entries by default and evicts the first beyond that', async () => {
    const store = new MemoryUserIdStore({ clock: () => 0 });
    for (let i = 0; i <= 10_000; i += 1) await store.set(`K${i}`, { userId: `u${i}`, expiresAt: 10 });
    expect(await store.get('K0')).toBeUndefined();
    expect(await store.get('K1')).toEqual({ userId: 'u1', expiresAt: 10 });
    expect(await store.get('K10000')).toEqual({ userId: 'u10000', expiresAt: 10 });
  });
});

describe('local faults: the ticket store and the refresh lock', () => {
  it('turns a failing store call into ERR_TICKET_STORE naming the call, with the cause', async () => {
    const cause = new Error('connection to database lost');
    const err = await rejection(ticketStoreCall('get', () => Promise.reject(cause)));
    expect(isCrmAuthError(err, 'ERR_TICKET_STORE')).toBe(true);
    expect((err as Error).message).toBe('the ticket store failed (get)');
    expect((err as Error).cause).toBe(cause);
    const already = new CrmAuthError('ERR_TICKET_STORE', 'inner');
    expect(await rejection(ticketStoreCall('set', () => Promise.reject(already)))).toBe(already);
    expect(await ticketStoreCall('get', async () => 'value')).toBe('value');
  });

  it("passes the refresh's own failure through and turns the lock's into ERR_TICKET_STORE", async () => {
    const lock = <R>(_key: string, fn: () => Promise<R>): Promise<R> => fn();
    const own = new Error('refresh failed');
    expect(await rejection(underRefreshLock(lock, 'k', () => Promise.reject(own)))).toBe(own);
    expect(await underRefreshLock(lock, 'k', async () => 42)).toBe(42);

    const lockCause = new Error('advisory lock timeout');
    const broken = <R>(): Promise<R> => Promise.reject(lockCause);
    const err = await rejection(underRefreshLock(broken, 'k', async () => 1));
    expect(isCrmAuthError(err, 'ERR_TICKET_STORE')).toBe(true);
    expect((err as Error).message).toBe('the refresh lock failed');
    expect((err as Error).cause).toBe(lockCause);

    const coded = new CrmAuthError('ERR_TIMEOUT', 'lock wait timed out');
    const codedLock = <R>(): Promise<R> => Promise.reject(coded);
    expect(await rejection(underRefreshLock(codedLock, 'k', async () => 1))).toBe(coded);

    const keys: string[] = [];
    const recording = <R>(key: string, fn: () => Promise<R>): Promise<R> => {
      keys.push(key);
      return fn();
    };
    await underRefreshLock(recording, 'passport|sts|crm|abc', async () => 1);
    expect(keys).toEqual(['passport|sts|crm|abc']);
  });
});
