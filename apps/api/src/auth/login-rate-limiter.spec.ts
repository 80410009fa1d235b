import { RateLimiterAbstract, RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type LimiterFactory, LoginRateLimiter } from './login-rate-limiter';

const START = Date.UTC(2026, 0, 1);

/** rate-limiter-flexible's in-memory counters as the shared store: one per key prefix, like one table. */
function sharedStore(): LimiterFactory & { limiters: Map<string, RateLimiterAbstract> } {
  const limiters = new Map<string, RateLimiterAbstract>();
  const create: LimiterFactory = (opts) => {
    const l = limiters.get(opts.keyPrefix) ?? new RateLimiterMemory(opts);
    limiters.set(opts.keyPrefix, l);
    return l;
  };
  return Object.assign(create, { limiters });
}

/** A limiter over a fresh store, on the fake clock. */
const limiter = (perMinute: number) =>
  new LoginRateLimiter(perMinute, sharedStore(), { warn: () => undefined });
const at = (ms: number) => vi.setSystemTime(START + ms);

describe('LoginRateLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    at(0);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('allows N attempts per minute for one IP and email, then answers the seconds until the window ends', async () => {
    const l = limiter(3);
    expect(await l.attempt('1.1.1.1', 'a@x')).toBe(0);
    at(10_000);
    expect(await l.attempt('1.1.1.1', 'a@x')).toBe(0);
    at(20_000);
    expect(await l.attempt('1.1.1.1', 'a@x')).toBe(0);
    at(20_500);
    // The window opened with the first attempt (t=0) and ends at 60 s: 39.5 s from now, rounded up.
    expect(await l.attempt('1.1.1.1', 'a@x')).toBe(40);
    at(59_999);
    expect(await l.attempt('1.1.1.1', 'a@x')).toBe(1);
  });

  it('ends a window exactly 60 s after its first attempt', async () => {
    const l = limiter(1);
    expect(await l.attempt('ip', 'a@x')).toBe(0);
    at(59_999);
    expect(await l.attempt('ip', 'a@x')).toBe(1);
    at(60_000);
    expect(await l.attempt('ip', 'a@x')).toBe(0);
  });

  it('does not make the wait grow while the caller keeps trying', async () => {
    const l = limiter(1);
    await l.attempt('ip', 'a@x');
    for (let s = 1; s < 60; s += 10) {
      at(s * 1000);
      expect(await l.attempt('ip', 'a@x')).toBe(60 - s);
    }
    at(60_000);
    expect(await l.attempt('ip', 'a@x')).toBe(0);
  });

  it('keys the per-user window on the email in any case, and on the IP', async () => {
    const l = limiter(2);
    expect(await l.attempt('ip', 'Admin@X')).toBe(0);
    expect(await l.attempt('ip', 'admin@x')).toBe(0);
    expect(await l.attempt('ip', 'ADMIN@x')).toBeGreaterThan(0);
    // Another email from the same IP, or the same email from another IP, has its own window.
    expect(await l.attempt('ip', 'other@x')).toBe(0);
    expect(await l.attempt('ip2', 'admin@x')).toBe(0);
  });

  it('limits one IP to 4 × N attempts a minute across emails', async () => {
    const l = limiter(2);
    for (let i = 0; i < 8; i++) expect(await l.attempt('ip', `user${i}@x`)).toBe(0);
    expect(await l.attempt('ip', 'user9@x')).toBe(60);
    expect(await l.attempt('other-ip', 'user9@x')).toBe(0);
  });

  it('reset clears the IP and email window only, not the IP window', async () => {
    const l = limiter(1);
    expect(await l.attempt('ip', 'a@x')).toBe(0);
    expect(await l.attempt('ip', 'a@x')).toBe(60);
    await l.reset('ip', 'A@X');
    expect(await l.attempt('ip', 'a@x')).toBe(0);
    // The IP window (4 × 1) holds every attempt, the refused one too: three so far, one more, then it refuses.
    expect(await l.attempt('ip', 'b@x')).toBe(0);
    expect(await l.attempt('ip', 'c@x')).toBe(60);
  });

  it('counts in the shared store: two limiters (two instances) on one store allow N in all, not N each', async () => {
    const store = sharedStore();
    const a = new LoginRateLimiter(2, store, { warn: () => undefined });
    const b = new LoginRateLimiter(2, store, { warn: () => undefined });
    expect(await a.attempt('ip', 'a@x')).toBe(0);
    expect(await b.attempt('ip', 'a@x')).toBe(0);
    expect(await a.attempt('ip', 'a@x')).toBe(60);
    expect(await b.attempt('ip', 'a@x')).toBe(60);
    // A success on one instance clears the user's window for both.
    await b.reset('ip', 'a@x');
    expect(await a.attempt('ip', 'a@x')).toBe(0);
  });

  it('keeps no email or IP in the store: keys are hashes', async () => {
    const store = sharedStore();
    const l = new LoginRateLimiter(2, store, { warn: () => undefined });
    const consumed: string[] = [];
    for (const s of store.limiters.values())
      vi.spyOn(s, 'consume').mockImplementation(async (key) => {
        consumed.push(String(key));
        return {} as never;
      });
    await l.attempt('203.0.113.9', 'Someone@Example.test');
    expect(consumed).toHaveLength(2);
    for (const k of consumed) {
      expect(k).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(k).not.toMatch(/203|someone/i);
    }
  });

  describe('when the shared store fails', () => {
    /** A store whose every call rejects while `down` is true. */
    function flakyStore() {
      const state = { down: true };
      const inner = sharedStore();
      const create: LimiterFactory = (opts) => {
        const l = inner(opts);
        for (const m of ['consume', 'delete'] as const) {
          const real = l[m].bind(l) as (...a: unknown[]) => Promise<unknown>;
          vi.spyOn(l, m).mockImplementation(((...args: unknown[]) =>
            state.down
              ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
              : real(...args)) as never);
        }
        return l;
      };
      return { state, create };
    }

    /** The warnings a limiter on a failing store writes, as text. */
    function failing() {
      const { state, create } = flakyStore();
      const warn = vi.fn();
      const lines = () => warn.mock.calls.map(([line]) => String(line));
      return { state, limiter: new LoginRateLimiter(2, create, { warn }), lines };
    }

    it('counts on this instance with the same limits (neither open nor closed), and logs without the email or IP', async () => {
      const { state, create } = flakyStore();
      const warn = vi.fn();
      const l = new LoginRateLimiter(2, create, { warn });
      expect(await l.attempt('198.51.100.4', 'victim@example.test')).toBe(0);
      expect(await l.attempt('198.51.100.4', 'victim@example.test')).toBe(0);
      expect(await l.attempt('198.51.100.4', 'victim@example.test')).toBe(60);
      // Another user can still sign in: the failure does not lock everyone out.
      expect(await l.attempt('198.51.100.5', 'admin@example.test')).toBe(0);
      await l.reset('198.51.100.4', 'victim@example.test');
      expect(await l.attempt('198.51.100.4', 'victim@example.test')).toBe(0);

      // One line for the burst of failures, with the error and no key.
      expect(warn).toHaveBeenCalledTimes(1);
      const line = String(warn.mock.calls[0]![0]);
      expect(line).toContain('ECONNREFUSED');
      expect(line).not.toMatch(/198\.51|victim|admin@/);

      // A minute on, a failure is logged again with the count of those not logged.
      at(61_000);
      await l.attempt('198.51.100.4', 'victim@example.test');
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1]![0])).toMatch(/failed \d+ time/);

      // Back up: the shared store counts again, from its own (empty) windows.
      state.down = false;
      expect(await l.attempt('198.51.100.4', 'victim@example.test')).toBe(0);
      expect(await l.attempt('198.51.100.4', 'victim@example.test')).toBe(0);
      expect(await l.attempt('198.51.100.4', 'victim@example.test')).toBe(60);
    });

    it("logs a failed reset (the user's window not cleared in the store), naming the fault", async () => {
      const { limiter: l, lines } = failing();
      await l.reset('198.51.100.4', 'victim@example.test');
      expect(lines()).toHaveLength(1);
      expect(lines()[0]).toContain('Error: connect ECONNREFUSED 127.0.0.1:5432');
      expect(lines()[0]).toMatch(/failed 1 time\(s\)/);
    });

    it('logs at most once a minute: a failure a minute after the last line is logged again, with the count since', async () => {
      const { limiter: l, lines } = failing();
      await l.attempt('ip', 'a@x'); // two failures (the user and the IP window): the first is logged
      expect(lines()).toHaveLength(1);
      expect(lines()[0]).toMatch(/failed 1 time\(s\) \(Error: connect ECONNREFUSED/);
      at(59_999);
      await l.attempt('ip', 'a@x');
      expect(lines()).toHaveLength(1);
      at(60_000);
      await l.attempt('ip', 'a@x');
      expect(lines()).toHaveLength(2);
      // The one left over at t=0, two at 59.999 s and this one.
      expect(lines()[1]).toMatch(/failed 4 time\(s\) \(Error: connect ECONNREFUSED/);
    });

    it('names a fault that is not an Error "unknown error" (it carries no class or message to log)', async () => {
      const warn = vi.fn();
      const l = new LoginRateLimiter(
        2,
        (opts) => {
          const s = new RateLimiterMemory(opts);
          vi.spyOn(s, 'consume').mockRejectedValue({ code: 'XX000' });
          return s;
        },
        { warn },
      );
      expect(await l.attempt('ip', 'a@x')).toBe(0);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain('failed 1 time(s) (unknown error)');
    });

    it('throws a fault of its own in-memory fallback rather than turning it into a wait', async () => {
      const { limiter: l } = failing();
      vi.spyOn(RateLimiterMemory.prototype, 'consume').mockRejectedValue(new Error('fallback broke'));
      await expect(l.attempt('ip', 'a@x')).rejects.toThrow('fallback broke');
    });
  });
});
