import { Logger } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTestApi, type TestApi } from './harness';

/** The sign-in rate limit is counted in Postgres, so two instances on one database share it. */
describe('sign-in rate limit across two API instances', () => {
  let a: TestApi;
  let b: TestApi;
  const VICTIM = 'victim@example.test';

  const login = (t: TestApi, email: string, password: string) =>
    fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });

  beforeAll(async () => {
    a = await startTestApi({ ONBEHALF_LOGIN_RATE_LIMIT: '3' });
    b = await startTestApi({ DATABASE_URL: a.config.databaseUrl, ONBEHALF_LOGIN_RATE_LIMIT: '3' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });
  // Each test starts from empty windows (both instances call from the same loopback address).
  beforeEach(async () => {
    await a.api.dataSource.query(`DELETE FROM login_rate_limits`);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('allows 3 attempts a minute for one user across both instances, not 3 on each', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(i % 2 ? b : a, VICTIM, `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const res = await login(a, VICTIM, 'again');
    const body = (await res.json()) as { code: string; details: { retryAfterSec: number } };
    expect(body).toMatchObject({
      code: 'AUTH_RATE_LIMITED',
      details: { retryAfterSec: expect.any(Number) },
    });
    // Retry-After carries the same seconds: what is left of the 60 s window.
    expect(res.headers.get('retry-after')).toBe(String(body.details.retryAfterSec));
    expect(body.details.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(body.details.retryAfterSec).toBeLessThanOrEqual(60);
    // The table holds hashed keys only.
    const keys = (await a.api.dataSource.query(`SELECT key FROM login_rate_limits`)) as { key: string }[];
    expect(keys.length).toBe(2);
    expect(keys.map((k) => k.key).join(' ')).not.toMatch(/victim|127\.0|::1/);
  });

  it('limits one address to 4 × 3 attempts a minute across emails and instances', async () => {
    const replies: Response[] = [];
    for (let i = 0; i < 13; i++) replies.push(await login(i % 2 ? b : a, `user${i}@example.test`, 'guess'));
    expect(replies.map((r) => r.status)).toEqual([...Array<number>(12).fill(401), 429]);
    // Only the refusal tells the caller to wait.
    expect(replies.map((r) => r.headers.get('retry-after') !== null)).toEqual([
      ...Array<boolean>(12).fill(false),
      true,
    ]);
  });

  it("sets Retry-After from the limiter's window: the seconds left since the first attempt, not a fixed value", async () => {
    // Open the windows 50 s earlier than they were (the counters live in the table: move their expiry back),
    // so at most 10 s are left.
    for (let i = 0; i < 3; i++) expect((await login(a, VICTIM, `guess-${i}`)).status).toBe(401);
    await a.api.dataSource.query(`UPDATE login_rate_limits SET expire = expire - 50000`);
    const res = await login(b, VICTIM, 'again');
    expect(res.status).toBe(429);
    const wait = Number(res.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(10);
  });

  it("a success on one instance clears the user's window on the other", async () => {
    expect((await login(a, b.adminEmail, 'wrong-1')).status).toBe(401);
    expect((await login(a, b.adminEmail, 'wrong-2')).status).toBe(401);
    // b started last, so its configured password is the admin's (ONBEHALF_ADMIN_PASSWORD resets it).
    expect((await login(b, b.adminEmail, b.adminPassword)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(a, b.adminEmail, `wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('when the table cannot be reached, each instance counts alone with the same limits, and logs it', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn');
    await a.api.dataSource.query(`ALTER TABLE login_rate_limits RENAME TO login_rate_limits_away`);
    try {
      const onA: number[] = [];
      for (let i = 0; i < 4; i++) onA.push((await login(a, VICTIM, `guess-${i}`)).status);
      expect(onA).toEqual([401, 401, 401, 429]);
      // Sign-in still works for the others: the failure does not lock everyone out.
      expect((await login(b, b.adminEmail, b.adminPassword)).status).toBe(200);
      const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('sign-in rate limit'));
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.join('\n')).toMatch(/login_rate_limits.*does not exist/);
      expect(lines.join('\n')).not.toMatch(/victim|127\.0|guess|admin@/);
    } finally {
      await a.api.dataSource.query(`ALTER TABLE login_rate_limits_away RENAME TO login_rate_limits`);
    }
    // Back to the shared counters.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(i % 2 ? b : a, VICTIM, `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
