import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './login-rate-limiter';

/** A limiter on a clock the test moves by hand. */
function limiter(perMinute: number, start = 1_000_000) {
  let t = start;
  const l = new LoginRateLimiter(perMinute, () => t);
  return {
    l,
    at: (ms: number) => (t = start + ms),
  };
}

describe('LoginRateLimiter', () => {
  it('allows N attempts per minute for one IP and email, then answers the seconds until the oldest expires', () => {
    const { l, at } = limiter(3);
    at(0);
    expect(l.attempt('1.1.1.1', 'a@x')).toBe(0);
    at(10_000);
    expect(l.attempt('1.1.1.1', 'a@x')).toBe(0);
    at(20_000);
    expect(l.attempt('1.1.1.1', 'a@x')).toBe(0);
    at(20_500);
    // The first attempt (t=0) leaves the window at 60 s: 39.5 s from now, rounded up.
    expect(l.attempt('1.1.1.1', 'a@x')).toBe(40);
    at(59_999);
    expect(l.attempt('1.1.1.1', 'a@x')).toBe(1);
  });

  it('counts an attempt exactly 60 s old as gone', () => {
    const { l, at } = limiter(1);
    at(0);
    expect(l.attempt('ip', 'a@x')).toBe(0);
    at(59_999);
    expect(l.attempt('ip', 'a@x')).toBe(1);
    at(60_000);
    expect(l.attempt('ip', 'a@x')).toBe(0);
  });

  it("does not count refused attempts in the user's window: the wait does not grow while the caller keeps trying", () => {
    const { l, at } = limiter(1);
    at(0);
    l.attempt('ip', 'a@x');
    for (let s = 1; s < 60; s += 10) {
      at(s * 1000);
      expect(l.attempt('ip', 'a@x')).toBe(60 - s);
    }
    at(60_000);
    expect(l.attempt('ip', 'a@x')).toBe(0);
  });

  it('keys the per-user window on the email in any case, and on the IP', () => {
    const { l } = limiter(2);
    expect(l.attempt('ip', 'Admin@X')).toBe(0);
    expect(l.attempt('ip', 'admin@x')).toBe(0);
    expect(l.attempt('ip', 'ADMIN@x')).toBeGreaterThan(0);
    // Another email from the same IP, or the same email from another IP, has its own window.
    expect(l.attempt('ip', 'other@x')).toBe(0);
    expect(l.attempt('ip2', 'admin@x')).toBe(0);
  });

  it('limits one IP to 4 × N attempts a minute across emails', () => {
    const { l } = limiter(2);
    for (let i = 0; i < 8; i++) expect(l.attempt('ip', `user${i}@x`)).toBe(0);
    expect(l.attempt('ip', 'user9@x')).toBe(60);
    expect(l.attempt('other-ip', 'user9@x')).toBe(0);
  });

  it('reset clears the IP and email window only, not the IP window', () => {
    const { l } = limiter(1);
    expect(l.attempt('ip', 'a@x')).toBe(0);
    expect(l.attempt('ip', 'a@x')).toBe(60);
    l.reset('ip', 'A@X');
    expect(l.attempt('ip', 'a@x')).toBe(0);
    // The IP window (4 × 1) still holds every attempt, the refused one too: three so far, one more, then it refuses.
    expect(l.attempt('ip', 'b@x')).toBe(0);
    expect(l.attempt('ip', 'c@x')).toBe(60);
  });

  it('prunes the windows with no attempt in the last minute once it tracks more than 10,000 keys', () => {
    const { l, at } = limiter(1);
    const hits = (l as unknown as { hits: Map<string, number[]> }).hits;
    at(30_000);
    for (let i = 0; i < 5_000; i++) l.attempt(`old-${i}`, 'a@x');
    expect(hits.size).toBe(10_000);
    at(90_000);
    // 10,002 keys: over the bound. The t=30 s attempts are exactly a minute old, so they go; the two
    // keys written now stay.
    expect(l.attempt('new', 'a@x')).toBe(0);
    expect([...hits.keys()].sort()).toEqual(['ip+email:new|a@x', 'ip:new']);
  });

  it('keeps a window on pruning while any of its attempts is under a minute old', () => {
    const { l, at } = limiter(2);
    const hits = (l as unknown as { hits: Map<string, number[]> }).hits;
    at(0);
    l.attempt('mixed', 'a@x');
    at(50_000);
    l.attempt('mixed', 'a@x');
    for (let i = 0; i < 5_000; i++) l.attempt(`k-${i}`, 'a@x');
    at(70_000);
    l.attempt('new', 'a@x');
    expect(hits.get('ip:mixed')).toEqual([0, 50_000].map((ms) => 1_000_000 + ms));
    expect(hits.size).toBe(10_004);
  });

  it('does not prune at 10,000 keys or fewer', () => {
    const { l, at } = limiter(1);
    at(0);
    for (let i = 0; i < 4_999; i++) l.attempt(`k-${i}`, 'a@x');
    at(120_000);
    l.attempt('last', 'a@x');
    const hits = (l as unknown as { hits: Map<string, number[]> }).hits;
    expect(hits.size).toBe(10_000);
  });
});
