import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, startTestApi, type TestApi } from './harness';

describe('admin sign-in, sessions and CSRF (real Postgres)', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ ONBEHALF_LOGIN_RATE_LIMIT: '3' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('signs in the first admin and returns the user with a CSRF token', async () => {
    const c = new ConsoleClient(t.url);
    const res = await c.login(t.adminEmail, t.adminPassword);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: { email: string; role: string }; csrfToken: string };
    expect(body.user).toMatchObject({ email: t.adminEmail, role: 'admin' });
    expect(body.csrfToken.length).toBeGreaterThan(20);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/onbehalf_sid=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(t.adminEmail);
  });

  it('refuses a wrong password with AUTH_INVALID_CREDENTIALS', async () => {
    const res = await new ConsoleClient(t.url).login(t.adminEmail, 'not-the-password');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
  });

  it('answers 401 AUTH_REQUIRED to a request without a session', async () => {
    const res = await fetch(`${t.url}/api/auth/me`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
  });

  it('refuses an unsafe request without the CSRF token, and one from another origin', async () => {
    const c = new ConsoleClient(t.url);
    await c.login(t.adminEmail, t.adminPassword);
    const noToken = await c.request('POST', '/api/auth/logout', {}, { 'x-csrf-token': 'wrong' });
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ code: 'CSRF_INVALID' });
    const crossSite = await c.request('POST', '/api/auth/logout', {}, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const ok = await c.post('/api/auth/logout');
    expect(ok.status).toBe(204);
    const after = await c.get('/api/auth/me');
    expect(after.status).toBe(401);
  });

  it('rejects a malformed body with a code naming the problem', async () => {
    const res = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'MALFORMED_JSON' });
    const wrongType = await fetch(`${t.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 42, password: 'x' }),
    });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('rate-limits repeated sign-in attempts for one user', async () => {
    const c = new ConsoleClient(t.url);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await c.login('victim@example.test', `guess-${i}`)).status);
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses[3]).toBe(429);
    const res = await c.login('victim@example.test', 'again');
    expect(await res.json()).toMatchObject({ code: 'AUTH_RATE_LIMITED' });
  });

  it('writes sign-ins to the admin audit log without the password', async () => {
    const rows = await t.api.dataSource.query(
      `SELECT action, outcome, target, diff FROM admin_audit_log ORDER BY id`,
    );
    expect(
      rows.some(
        (r: { action: string; outcome: string }) => r.action === 'auth.login' && r.outcome === 'success',
      ),
    ).toBe(true);
    expect(
      rows.some(
        (r: { action: string; outcome: string }) => r.action === 'auth.login' && r.outcome === 'failure',
      ),
    ).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(t.adminPassword);
  });
});
