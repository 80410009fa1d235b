import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdminAuditLogEntity } from '../src/admin-audit/admin-audit-log.entity';
import { AdminAuditRepository } from '../src/admin-audit/admin-audit.repository';
import { AdminAuditService } from '../src/admin-audit/admin-audit.service';
import { AdminAccountsRepository } from '../src/auth/admin-accounts.repository';
import { AdminUserEntity } from '../src/auth/admin-user.entity';
import { ApiKeyEntity } from '../src/auth/api-key.entity';
import { ApiKeysRepository } from '../src/auth/api-keys.repository';
import { AuthService } from '../src/auth/auth.service';
import { LoginRateLimiter } from '../src/auth/login-rate-limiter';
import { SessionEntity } from '../src/auth/session.entity';
import type { Principal, RequestContext } from '../src/common/principal';
import type { AppConfig } from '../src/config/app-config';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/database/entities';
import { freshDatabase } from './harness';

/**
 * AuthService's rules on a real, migrated Postgres without the HTTP stack: the first admin,
 * sign-in, session expiry and sliding, API-key cache, sign-out. Pinned for mutation testing.
 */
const EMAIL = 'first@example.test';
const ctx = (over: Partial<RequestContext> = {}): RequestContext => ({
  principal: null,
  requestId: 'req-1',
  ip: '192.0.2.1',
  userAgent: 'spec/1',
  ...over,
});
const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Moves the clock lru-cache reads (performance.now) forward by `ms`; the sleep lets its 1 ms reading cache lapse. */
async function advance(ms: number): Promise<void> {
  const base = performance.now() + ms;
  const startedAt = Date.now();
  vi.spyOn(performance, 'now').mockImplementation(() => base + (Date.now() - startedAt));
  await sleep(5);
}

describe('AuthService rules (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let config: AppConfig;
  let auth: AuthService;
  let password: string;

  const audit = async (action: string) =>
    (await ds.query(
      `SELECT actor_id, actor_email, session_id, target, outcome, diff, ip, user_agent, request_id
         FROM admin_audit_log WHERE action = $1 ORDER BY id`,
      [action],
    )) as Array<{
      request_id: string | null;
      user_agent: string | null;
      actor_id: string | null;
      actor_email: string | null;
      session_id: string | null;
      target: string | null;
      outcome: string;
      diff: Record<string, unknown> | null;
      ip: string | null;
    }>;
  const session = async (token: string) =>
    (
      (await ds.query(`SELECT * FROM sessions WHERE token_hash = $1`, [sha256(token)])) as Array<
        Record<string, unknown>
      >
    )[0]!;
  /** An AuthService as AuthModule builds it, with its own rate limiter and API-key cache, over the database. */
  const instance = (c: AppConfig = config) =>
    new AuthService(
      new AdminAccountsRepository(ds.getRepository(AdminUserEntity), ds.getRepository(SessionEntity)),
      new ApiKeysRepository(ds.getRepository(ApiKeyEntity)),
      LoginRateLimiter.onPostgres(ds, c.loginRateLimitPerMinute),
      c,
      new AdminAuditService(new AdminAuditRepository(ds.getRepository(AdminAuditLogEntity))),
    );
  /** A new AuthService (another instance) over the same database and config. */
  const fresh = () => (auth = instance());

  beforeAll(async () => {
    db = await freshDatabase();
    ds = createDataSource(db.url, ENTITIES);
    await ds.initialize();
    password = `pw-${randomBytes(6).toString('hex')}`;
    config = {
      firstAdmin: { email: EMAIL, password },
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 12,
      loginRateLimitPerMinute: 1000,
    } as unknown as AppConfig;
    fresh();
    await auth.ensureFirstAdmin();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // Each test stands alone (Stryker runs only the tests that reach a mutant): the ensureFirstAdmin
  // tests start from an empty admin_users table and put the suite's admin back when done.
  describe('ensureFirstAdmin', () => {
    const withNoAdmin = async (firstAdmin: AppConfig['firstAdmin'], body: () => Promise<void>) => {
      await ds.query(`DELETE FROM admin_users`);
      config.firstAdmin = firstAdmin;
      try {
        await body();
      } finally {
        await ds.query(`DELETE FROM admin_users`);
        config.firstAdmin = { email: EMAIL, password };
        await auth.ensureFirstAdmin();
      }
    };

    it('creates the first admin with a generated 16-character password when none is configured, and audits it', async () => {
      await withNoAdmin({ email: EMAIL, password: null }, async () => {
        const before = (await audit('admin-user.bootstrap')).length;
        const r = await auth.ensureFirstAdmin();
        expect(r).toEqual({
          email: EMAIL,
          generatedPassword: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/),
          created: true,
        });
        const user = ((await ds.query(`SELECT email, name, role FROM admin_users`)) as unknown[])[0];
        expect(user).toEqual({ email: EMAIL, name: 'Administrator', role: 'admin' });
        // A row of the API itself: no user, session, request, address or browser behind it.
        expect((await audit('admin-user.bootstrap')).slice(before)).toEqual([
          {
            target: EMAIL,
            outcome: 'success',
            actor_email: 'system',
            actor_id: null,
            session_id: null,
            request_id: null,
            ip: null,
            user_agent: null,
            diff: null,
          },
        ]);
        expect((await auth.login(EMAIL, r.generatedPassword!, ctx())).view.user.email).toBe(EMAIL);
      });
    });

    it('creates the first admin with the configured password and returns no password; creates nothing once one exists', async () => {
      const configured = `pw-${randomBytes(6).toString('hex')}`;
      await withNoAdmin({ email: EMAIL, password: configured }, async () => {
        expect(await auth.ensureFirstAdmin()).toEqual({
          email: EMAIL,
          generatedPassword: null,
          created: true,
        });
        expect((await auth.login(EMAIL, configured, ctx())).view.user.email).toBe(EMAIL);
        config.firstAdmin = { email: 'second@example.test', password: null };
        expect(await auth.ensureFirstAdmin()).toEqual({
          email: 'second@example.test',
          generatedPassword: null,
          created: false,
        });
        expect(await ds.query(`SELECT email FROM admin_users`)).toEqual([{ email: EMAIL }]);
      });
    });

    it('leaves the admin alone on a later start without a configured password (nothing to reset it to)', async () => {
      await withNoAdmin({ email: EMAIL, password }, async () => {
        await auth.ensureFirstAdmin();
        const hashBefore = await ds.query(`SELECT password_hash, updated_at FROM admin_users`);
        const before = (await audit('admin-user.password-reset-from-env')).length;
        config.firstAdmin = { email: EMAIL, password: null };
        expect(await auth.ensureFirstAdmin()).toEqual({
          email: EMAIL,
          generatedPassword: null,
          created: false,
        });
        expect(await ds.query(`SELECT password_hash, updated_at FROM admin_users`)).toEqual(hashBefore);
        expect(await audit('admin-user.password-reset-from-env')).toHaveLength(before);
        expect((await auth.login(EMAIL, password, ctx())).view.user.email).toBe(EMAIL);
      });
    });

    it('creates one first admin when two instances start at once', async () => {
      await withNoAdmin({ email: EMAIL, password }, async () => {
        const other = instance();
        const results = await Promise.all([
          auth.ensureFirstAdmin(),
          other.ensureFirstAdmin(),
          auth.ensureFirstAdmin(),
        ]);
        expect(results.map((r) => r.created).sort()).toEqual([false, false, true]);
        expect(await ds.query(`SELECT count(*)::int AS n FROM admin_users`)).toEqual([{ n: 1 }]);
      });
    });

    it('resets the admin password from the configuration (email in any case), audited, once', async () => {
      await withNoAdmin({ email: EMAIL, password }, async () => {
        await auth.ensureFirstAdmin();
        const next = `pw-${randomBytes(6).toString('hex')}`;
        const before = (await audit('admin-user.password-reset-from-env')).length;
        config.firstAdmin = { email: EMAIL.toUpperCase(), password: next };
        expect(await auth.ensureFirstAdmin()).toEqual({
          email: EMAIL.toUpperCase(),
          generatedPassword: null,
          created: false,
        });
        await expect(auth.login(EMAIL, password, ctx())).rejects.toMatchObject({
          code: 'AUTH_INVALID_CREDENTIALS',
        });
        expect((await auth.login(EMAIL, next, ctx())).view.user.email).toBe(EMAIL);
        expect((await audit('admin-user.password-reset-from-env')).slice(before)).toMatchObject([
          {
            target: EMAIL.toUpperCase(),
            outcome: 'success',
            actor_email: 'system',
            actor_id: null,
            session_id: null,
            request_id: null,
          },
        ]);
        // The same password on the next start changes nothing and audits nothing.
        const hash = (
          (await ds.query(`SELECT password_hash FROM admin_users`)) as Array<{ password_hash: string }>
        )[0]!.password_hash;
        await auth.ensureFirstAdmin();
        expect(await ds.query(`SELECT password_hash FROM admin_users`)).toEqual([{ password_hash: hash }]);
        expect(await audit('admin-user.password-reset-from-env')).toHaveLength(before + 1);
      });
    });
  });

  describe('login', () => {
    it('opens a session: idle expiry ahead, absolute expiry 12 h ahead, IP and user agent (300 characters) kept, last sign-in stamped, audited', async () => {
      const before = Date.now();
      const { token, view } = await auth.login(
        EMAIL.toUpperCase(),
        password,
        ctx({ userAgent: 'u'.repeat(400) }),
      );
      const after = Date.now();
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(Buffer.from(view.csrfToken, 'base64url')).toHaveLength(24);
      expect(Object.keys(view.user).sort()).toEqual(['email', 'id', 'name', 'role']);
      expect(view.user).toMatchObject({ email: EMAIL, name: 'Administrator', role: 'admin' });
      const s = await session(token);
      const idle = (s.expires_at as Date).getTime();
      expect(idle).toBeGreaterThanOrEqual(before + 30 * 60_000);
      expect(idle).toBeLessThanOrEqual(after + 30 * 60_000);
      expect(new Date(view.sessionExpiresAt).getTime()).toBe(idle);
      const absolute = (s.absolute_expires_at as Date).getTime();
      expect(absolute).toBeGreaterThanOrEqual(before + 12 * 3_600_000);
      expect(absolute).toBeLessThanOrEqual(after + 12 * 3_600_000);
      expect(s).toMatchObject({
        admin_user_id: view.user.id,
        csrf_token: view.csrfToken,
        ip: '192.0.2.1',
        user_agent: 'u'.repeat(300),
        revoked_at: null,
      });
      const last_login_at = (
        (await ds.query(`SELECT last_login_at FROM admin_users`)) as Array<{ last_login_at: Date }>
      )[0]!.last_login_at;
      expect(last_login_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
      const rows = await audit('auth.login');
      expect(rows.at(-1)).toMatchObject({
        actor_id: view.user.id,
        actor_email: EMAIL,
        session_id: s.id,
        target: EMAIL,
        outcome: 'success',
        diff: null,
      });
    });

    it('keeps a null user agent null', async () => {
      const { token } = await auth.login(EMAIL, password, ctx({ userAgent: null }));
      expect((await session(token)).user_agent).toBeNull();
    });

    it('caps the idle expiry at the absolute one', async () => {
      config.sessionIdleMinutes = 3 * 60;
      config.sessionAbsoluteHours = 1;
      try {
        const { token, view } = await auth.login(EMAIL, password, ctx());
        const s = await session(token);
        expect(s.expires_at).toEqual(s.absolute_expires_at);
        expect(new Date(view.sessionExpiresAt)).toEqual(s.absolute_expires_at);
      } finally {
        config.sessionIdleMinutes = 30;
        config.sessionAbsoluteHours = 12;
      }
    });

    it('refuses a wrong password and an unknown email alike with AUTH_INVALID_CREDENTIALS, audited as failures', async () => {
      const before = (await audit('auth.login')).length;
      await expect(auth.login(EMAIL, 'wrong', ctx())).rejects.toMatchObject({
        status: 401,
        code: 'AUTH_INVALID_CREDENTIALS',
        message: 'Wrong email or password.',
      });
      await expect(auth.login('nobody@example.test', password, ctx())).rejects.toMatchObject({
        status: 401,
        code: 'AUTH_INVALID_CREDENTIALS',
      });
      const rows = (await audit('auth.login')).slice(before);
      expect(rows).toMatchObject([
        { target: EMAIL, outcome: 'failure', actor_email: EMAIL, diff: null },
        { target: 'nobody@example.test', outcome: 'failure', actor_email: 'nobody@example.test' },
      ]);
    });

    it('rate-limits per IP and email with 429 AUTH_RATE_LIMITED and the wait, audited; a success clears the user window', async () => {
      config.loginRateLimitPerMinute = 2;
      fresh();
      try {
        const c = ctx({ ip: '198.51.100.7' });
        await expect(auth.login(EMAIL, 'wrong', c)).rejects.toMatchObject({
          code: 'AUTH_INVALID_CREDENTIALS',
        });
        // A success resets the user's window: two more wrong attempts are still judged on the password.
        await auth.login(EMAIL, password, c);
        await expect(auth.login(EMAIL, 'wrong', c)).rejects.toMatchObject({
          code: 'AUTH_INVALID_CREDENTIALS',
        });
        await expect(auth.login(EMAIL, 'wrong', c)).rejects.toMatchObject({
          code: 'AUTH_INVALID_CREDENTIALS',
        });
        const err = (await auth.login(EMAIL, password, c).catch((e: unknown) => e)) as {
          details: { retryAfterSec: number };
        };
        const wait = err.details.retryAfterSec;
        expect(wait).toBeGreaterThan(50);
        expect(wait).toBeLessThanOrEqual(60);
        expect(err).toMatchObject({
          status: 429,
          code: 'AUTH_RATE_LIMITED',
          message: `Too many sign-in attempts. Try again in ${wait} s.`,
        });
        expect((await audit('auth.login')).at(-1)).toMatchObject({
          outcome: 'failure',
          diff: { reason: 'rate-limited' },
          actor_email: EMAIL,
          ip: '198.51.100.7',
        });
      } finally {
        config.loginRateLimitPerMinute = 1000;
        fresh();
      }
    });
  });

  describe('the sign-in rate limit on Postgres (login_rate_limits)', () => {
    const hashKey = (s: string) => createHash('sha256').update(s).digest('base64url');

    it('is shared by every instance on the database, and the table holds only hashed keys, one per window', async () => {
      const limited = { ...config, loginRateLimitPerMinute: 2 } as AppConfig;
      const a = instance(limited);
      const b = instance(limited);
      const c = ctx({ ip: '203.0.113.77' });
      const email = 'Shared@Example.test';
      await expect(a.login(email, 'wrong', c)).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
      await expect(b.login(email, 'wrong', c)).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
      // The third attempt in the minute, the first instance's second: refused on the count of both.
      await expect(a.login(email, 'wrong', c)).rejects.toMatchObject({
        status: 429,
        code: 'AUTH_RATE_LIMITED',
      });

      const user = `login-user:${hashKey('203.0.113.77|shared@example.test')}`;
      const ip = `login-ip:${hashKey('203.0.113.77')}`;
      const rows = (await ds.query(
        `SELECT key, points FROM login_rate_limits WHERE key = ANY($1) ORDER BY key`,
        [[user, ip]],
      )) as Array<{ key: string; points: number }>;
      expect(rows).toEqual([
        { key: ip, points: 3 },
        { key: user, points: 3 },
      ]);
      const all = (await ds.query(`SELECT key FROM login_rate_limits`)) as Array<{ key: string }>;
      for (const { key } of all) expect(key).not.toMatch(/203\.0\.113|example\.test/i);
    });

    it("purges counters that expired over an hour ago, every 5 minutes (an unref'd timer)", async () => {
      const now = Date.now();
      await ds.query(`INSERT INTO login_rate_limits (key, points, expire) VALUES ($1, 1, $2), ($3, 1, $4)`, [
        'login-user:purge-probe-old',
        now - 2 * 3_600_000,
        'login-user:purge-probe-recent',
        now - 10 * 60_000,
      ]);
      const timers = vi.spyOn(globalThis, 'setTimeout');
      instance();
      const purges = timers.mock.calls.filter(([, ms]) => ms === 300_000).map(([run]) => run as () => void);
      expect(purges).toHaveLength(2); // the user window's store and the IP window's
      purges[0]!();
      const probes = async () =>
        (
          (await ds.query(
            `SELECT key FROM login_rate_limits WHERE key LIKE 'login-user:purge-probe-%'`,
          )) as Array<{
            key: string;
          }>
        ).map((r) => r.key);
      for (let i = 0; i < 100 && (await probes()).length > 1; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await probes()).toEqual(['login-user:purge-probe-recent']);
    });
  });

  describe('resolveSession', () => {
    const open = async () => (await auth.login(EMAIL, password, ctx())).token;
    const set = (token: string, sql: string, ...params: unknown[]) =>
      ds.query(`UPDATE sessions SET ${sql} WHERE token_hash = $1`, [sha256(token), ...params]);

    it('resolves a live session to its user, CSRF token and expiry', async () => {
      const token = await open();
      const s = await session(token);
      const r = await auth.resolveSession(token);
      expect(r).toEqual({
        principal: {
          kind: 'session',
          userId: s.admin_user_id,
          email: EMAIL,
          name: 'Administrator',
          role: 'admin',
          sessionId: s.id,
          apiKeyId: null,
        },
        csrfToken: s.csrf_token,
        expiresAt: s.expires_at,
      });
      expect(await auth.view(r)).toEqual({
        user: { id: s.admin_user_id, email: EMAIL, name: 'Administrator', role: 'admin' },
        csrfToken: s.csrf_token,
        sessionExpiresAt: (s.expires_at as Date).toISOString(),
      });
    });

    it('answers AUTH_REQUIRED for an unknown or revoked token', async () => {
      await expect(auth.resolveSession('no-such-token')).rejects.toMatchObject({
        status: 401,
        code: 'AUTH_REQUIRED',
        message: 'Sign in to continue.',
      });
      const token = await open();
      await set(token, 'revoked_at = now()');
      await expect(auth.resolveSession(token)).rejects.toMatchObject({ status: 401, code: 'AUTH_REQUIRED' });
    });

    it('answers AUTH_SESSION_EXPIRED once the idle or the absolute expiry is reached (the instant itself included)', async () => {
      const idle = await open();
      const absolute = await open();
      const at = new Date(Date.now() + 5 * 60_000);
      // Last seen 30 s before: no sliding write in between.
      const seen = new Date(at.getTime() - 30_000);
      await set(idle, 'expires_at = $2, last_seen_at = $3', at, seen);
      await set(absolute, 'absolute_expires_at = $2, last_seen_at = $3', at, seen);
      vi.spyOn(Date, 'now').mockReturnValue(at.getTime() - 1);
      await expect(auth.resolveSession(idle)).resolves.toBeDefined();
      await expect(auth.resolveSession(absolute)).resolves.toBeDefined();
      vi.spyOn(Date, 'now').mockReturnValue(at.getTime());
      await expect(auth.resolveSession(idle)).rejects.toMatchObject({
        status: 401,
        code: 'AUTH_SESSION_EXPIRED',
        message: 'Your session expired. Sign in again.',
      });
      await expect(auth.resolveSession(absolute)).rejects.toMatchObject({
        status: 401,
        code: 'AUTH_SESSION_EXPIRED',
      });
    });

    it('slides the idle expiry when last seen over a minute ago, capped at the absolute expiry; not within the minute', async () => {
      const token = await open();
      const seen = new Date(Date.now() - 10 * 60_000);
      const stored = new Date(Date.now() + 20 * 60_000);
      await set(token, 'last_seen_at = $2, expires_at = $3', seen, stored);
      // Exactly a minute after last seen: no write.
      vi.spyOn(Date, 'now').mockReturnValue(seen.getTime() + 60_000);
      expect((await auth.resolveSession(token)).expiresAt).toEqual(stored);
      expect((await session(token)).expires_at).toEqual(stored);
      // A minute and a millisecond: the window slides to now + 30 min, and last seen moves to now.
      const now = seen.getTime() + 60_001;
      vi.spyOn(Date, 'now').mockReturnValue(now);
      expect((await auth.resolveSession(token)).expiresAt).toEqual(new Date(now + 30 * 60_000));
      expect(await session(token)).toMatchObject({
        expires_at: new Date(now + 30 * 60_000),
        last_seen_at: new Date(now),
      });
      // Near the absolute expiry the idle one stops there.
      const absolute = new Date(now + 5 * 60_000);
      await set(token, 'absolute_expires_at = $2, last_seen_at = $3', absolute, new Date(now - 120_000));
      expect((await auth.resolveSession(token)).expiresAt).toEqual(absolute);
      expect((await session(token)).expires_at).toEqual(absolute);
    });
  });

  describe('resolveApiKey', () => {
    const createKey = async (name: string, lastUsedAt: Date | null = null) => {
      const key = `obk_${randomBytes(32).toString('base64url')}`;
      const rows = (await ds.query(
        `INSERT INTO api_keys (name, key_hash, prefix, last_used_at, scopes, org_ids) VALUES ($1, $2, $3, $4, '{admin}', '{}') RETURNING id`,
        [name, sha256(key), key.slice(0, 12), lastUsedAt],
      )) as Array<{ id: string }>;
      return { key, id: rows[0]!.id };
    };
    const lastUsed = async (id: string) =>
      (
        (await ds.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [id])) as Array<{
          last_used_at: Date | null;
        }>
      )[0]!.last_used_at;
    const waitFor = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
    };

    it('resolves a key to a principal named after it, with its scopes and orgs, and stamps its first use', async () => {
      const { key, id } = await createKey('ERP sync');
      const before = Date.now();
      expect(await auth.resolveApiKey(key)).toEqual({
        kind: 'api-key',
        userId: null,
        email: 'api-key:ERP sync',
        name: 'ERP sync',
        role: 'admin',
        sessionId: null,
        apiKeyId: id,
        grant: { scopes: ['admin'], orgIds: [] },
      });
      await waitFor(async () => (await lastUsed(id)) !== null);
      expect((await lastUsed(id))!.getTime()).toBeGreaterThanOrEqual(before);
    });

    it('refuses an unknown or revoked key with 401 AUTH_INVALID_API_KEY', async () => {
      await expect(auth.resolveApiKey('obk_unknown')).rejects.toMatchObject({
        status: 401,
        code: 'AUTH_INVALID_API_KEY',
        message: 'The API key is unknown or revoked.',
      });
      const { key, id } = await createKey('revoked');
      await ds.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [id]);
      await expect(auth.resolveApiKey(key)).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
    });

    it('re-stamps last use only when the stamp is over a minute old', async () => {
      const recent = new Date(Date.now() - 30_000);
      const old = new Date(Date.now() - 61_000);
      const a = await createKey('recent', recent);
      const b = await createKey('old', old);
      await auth.resolveApiKey(a.key);
      await auth.resolveApiKey(b.key);
      await waitFor(async () => (await lastUsed(b.id))!.getTime() !== old.getTime());
      expect((await lastUsed(b.id))!.getTime()).toBeGreaterThan(old.getTime());
      expect(await lastUsed(a.id)).toEqual(recent);
    });

    it('keeps a resolved key for 10 s: a revocation elsewhere shows after that, forgetApiKey drops it at once', async () => {
      const { key, id } = await createKey('cached');
      await auth.resolveApiKey(key);
      await ds.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [id]);
      await advance(9_900);
      expect((await auth.resolveApiKey(key)).apiKeyId).toBe(id);
      await advance(200);
      await expect(auth.resolveApiKey(key)).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });

      const other = await createKey('forgotten');
      const kept = await createKey('kept');
      await auth.resolveApiKey(other.key);
      await auth.resolveApiKey(kept.key);
      await ds.query(`UPDATE api_keys SET revoked_at = now() WHERE id = ANY($1)`, [[other.id, kept.id]]);
      auth.forgetApiKey(other.id);
      await expect(auth.resolveApiKey(other.key)).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
      expect((await auth.resolveApiKey(kept.key)).apiKeyId).toBe(kept.id);
    });

    it('forgets a refused key, so a key that was cached and then failed is looked up again', async () => {
      const { key, id } = await createKey('flapping');
      await auth.resolveApiKey(key);
      await ds.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [id]);
      await advance(10_100);
      await expect(auth.resolveApiKey(key)).rejects.toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
      const cache = (auth as unknown as { apiKeys: LRUCache<string, Principal> }).apiKeys;
      expect(cache.has(sha256(key).toString('base64'))).toBe(false);
    });

    it('keeps at most 10,000 keys, dropping the least recently used one rather than all', async () => {
      const cache = (auth as unknown as { apiKeys: LRUCache<string, Principal> }).apiKeys;
      cache.clear();
      for (let i = 0; i < 10_000; i++) cache.set(`filler-${i}`, {} as Principal);
      const a = await createKey('over-bound');
      await auth.resolveApiKey(a.key);
      expect(cache.size).toBe(10_000);
      expect(cache.has('filler-0')).toBe(false);
      expect(cache.has('filler-1')).toBe(true);
      expect(cache.has(sha256(a.key).toString('base64'))).toBe(true);
    });
  });

  describe('logout', () => {
    it('revokes the session and audits the sign-out', async () => {
      const { token } = await auth.login(EMAIL, password, ctx());
      const r = await auth.resolveSession(token);
      await auth.logout(ctx({ principal: r.principal }));
      expect((await session(token)).revoked_at).toBeInstanceOf(Date);
      expect((await audit('auth.logout')).at(-1)).toMatchObject({
        session_id: r.principal.sessionId,
        actor_email: EMAIL,
      });
      await expect(auth.resolveSession(token)).rejects.toMatchObject({ code: 'AUTH_REQUIRED' });
    });

    it('does nothing without a session (an API key signs nothing out)', async () => {
      const before = (await audit('auth.logout')).length;
      await auth.logout(ctx());
      await auth.logout(
        ctx({
          principal: {
            kind: 'api-key',
            userId: null,
            email: 'api-key:x',
            name: 'x',
            role: 'admin',
            sessionId: null,
            apiKeyId: 'k',
          },
        }),
      );
      expect(await audit('auth.logout')).toHaveLength(before);
    });
  });
});
