import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainException } from '../common/domain-exception';
import type { Principal, RequestContext, Role } from '../common/principal';
import { type AdminAccount, AdminAccountsRepository } from './admin-accounts.repository';
import { ApiKeysRepository } from './api-keys.repository';
import { LoginRateLimiter } from './login-rate-limiter';
import { dummyHash, hashPassword, verifyPassword } from './password-hasher';

export const SESSION_COOKIE = 'onbehalf_sid';
const API_KEY_CACHE_MS = 10_000;
const API_KEY_CACHE_MAX = 10_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface SessionView {
  user: PublicUser;
  csrfToken: string;
  sessionExpiresAt: string;
}

export interface ResolvedSession {
  principal: Principal;
  csrfToken: string;
  expiresAt: Date;
}

/** The audit context of what the API does on its own at start (no request, no user). */
const SYSTEM: RequestContext = { principal: null, requestId: '', ip: null, userAgent: null };

@Injectable()
export class AuthService {
  /** sha256(key) in base64 → its principal and expiry, for API_KEY_CACHE_MS after it was read from Postgres. */
  /**
   * Ids of keys revoked on this instance within API_KEY_CACHE_MS: a lookup that read the row just before the
   * revocation committed must not cache (or use) it afterwards.
   */
  private readonly revokedApiKeys = new LRUCache<string, true>({
    max: API_KEY_CACHE_MAX,
    ttl: API_KEY_CACHE_MS,
  });
  private readonly apiKeys = new LRUCache<string, { principal: Principal; expiresAt: Date | null }>({
    max: API_KEY_CACHE_MAX,
    ttl: API_KEY_CACHE_MS,
  });

  constructor(
    private readonly accounts: AdminAccountsRepository,
    private readonly keys: ApiKeysRepository,
    private readonly limiter: LoginRateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AdminAuditService,
  ) {}

  /** Creates the first admin when there is none. Returns the password only when it was generated here. */
  async ensureFirstAdmin(): Promise<{ email: string; generatedPassword: string | null; created: boolean }> {
    const { email, password } = this.config.firstAdmin;
    return this.accounts.transaction(async (tx, m) => {
      // Two instances starting at once must not both create a first admin.
      await tx.lockFirstAdmin();
      const count = await tx.count();
      if (count > 0) {
        // ONBEHALF_ADMIN_PASSWORD on a later start resets that admin's password (the way back from a lost one).
        if (password) {
          const existing = await tx.findByEmailWithHash(email);
          if (existing && !(await verifyPassword(existing.passwordHash, password))) {
            await tx.update(existing.id, { passwordHash: await hashPassword(password) });
            await this.audit.record(
              SYSTEM,
              { action: 'admin-user.password-reset-from-env', target: email, actorEmail: 'system' },
              m,
            );
          }
        }
        return { email, generatedPassword: null, created: false };
      }
      const generated = password ? null : randomBytes(12).toString('base64url');
      await tx.insert({
        email,
        name: 'Administrator',
        role: 'admin',
        passwordHash: await hashPassword(password ?? generated!),
      });
      await this.audit.record(
        SYSTEM,
        { action: 'admin-user.bootstrap', target: email, actorEmail: 'system' },
        m,
      );
      return { email, generatedPassword: generated, created: true };
    });
  }

  async login(
    email: string,
    password: string,
    ctx: RequestContext,
  ): Promise<{ token: string; view: SessionView }> {
    const ip = ctx.ip ?? 'unknown';
    const wait = await this.limiter.attempt(ip, email);
    if (wait > 0) {
      await this.audit.record(ctx, {
        action: 'auth.login',
        target: email,
        outcome: 'failure',
        diff: { reason: 'rate-limited' },
        actorEmail: email,
      });
      throw new DomainException(
        429,
        'AUTH_RATE_LIMITED',
        `Too many sign-in attempts. Try again in ${wait} s.`,
        {
          retryAfterSec: wait,
        },
      );
    }
    const user = await this.accounts.findByEmailWithHash(email);
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
    if (!user || !ok) {
      await this.audit.record(ctx, {
        action: 'auth.login',
        target: email,
        outcome: 'failure',
        actorEmail: email,
      });
      throw new DomainException(401, 'AUTH_INVALID_CREDENTIALS', 'Wrong email or password.');
    }
    await this.limiter.reset(ip, email);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = Date.now();
    const absolute = new Date(now + this.config.sessionAbsoluteHours * 3_600_000);
    const idle = new Date(Math.min(now + this.config.sessionIdleMinutes * 60_000, absolute.getTime()));
    const session = await this.accounts.transaction(async (tx, m) => {
      const s = await tx.openSession({
        tokenHash: sha256(token),
        adminUserId: user.id,
        csrfToken,
        expiresAt: idle,
        absoluteExpiresAt: absolute,
        ip: ctx.ip,
        userAgent: ctx.userAgent?.slice(0, 300) ?? null,
      });
      await tx.stampLogin(user.id);
      await this.audit.record(
        {
          ...ctx,
          principal: {
            kind: 'session',
            userId: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            sessionId: s.id,
            apiKeyId: null,
          },
        },
        { action: 'auth.login', target: user.email },
        m,
      );
      return s;
    });
    return {
      token,
      view: { user: toPublic(user), csrfToken, sessionExpiresAt: session.expiresAt.toISOString() },
    };
  }

  /** Resolves a cookie value to a live session, sliding its idle expiry. */
  async resolveSession(token: string): Promise<ResolvedSession> {
    const session = await this.accounts.findSession(sha256(token));
    if (!session || session.revokedAt) {
      throw new DomainException(401, 'AUTH_REQUIRED', 'Sign in to continue.');
    }
    const now = Date.now();
    if (session.expiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now) {
      throw new DomainException(401, 'AUTH_SESSION_EXPIRED', 'Your session expired. Sign in again.');
    }
    let expiresAt = session.expiresAt;
    // Slide the idle window, but write at most once a minute per session.
    if (now - session.lastSeenAt.getTime() > 60_000) {
      expiresAt = new Date(
        Math.min(now + this.config.sessionIdleMinutes * 60_000, session.absoluteExpiresAt.getTime()),
      );
      await this.accounts.slideSession(session.id, new Date(now), expiresAt);
    }
    const { user } = session;
    return {
      principal: {
        kind: 'session',
        userId: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        sessionId: session.id,
        apiKeyId: null,
      },
      csrfToken: session.csrfToken,
      expiresAt,
    };
  }

  /**
   * Resolves an API key. Machine callers send one on every request, so a resolved key is kept
   * in memory for a few seconds (the API_KEY_CACHE_MAX most recently used ones) and `last_used_at`
   * is written at most once a minute; a revoked key stops working on this instance at once and on
   * others within API_KEY_CACHE_MS. `last_used_at` and `last_used_ip` record the caller's address.
   * An expired key is refused with its own code (401 API_KEY_EXPIRED), so that its owner knows to
   * rotate it rather than hunt for a typo.
   */
  async resolveApiKey(key: string, ip: string | null = null): Promise<Principal> {
    const hash = sha256(key);
    const cacheKey = hash.toString('base64');
    const now = Date.now();
    const hit = this.apiKeys.get(cacheKey) ?? (await this.loadApiKey(hash, cacheKey, now, ip));
    if (hit.expiresAt && hit.expiresAt.getTime() <= now) {
      throw new DomainException(401, 'API_KEY_EXPIRED', 'The API key has expired. Create a new one.', {
        expiredAt: hit.expiresAt.toISOString(),
      });
    }
    return hit.principal;
  }

  private async loadApiKey(
    hash: Buffer,
    cacheKey: string,
    now: number,
    ip: string | null,
  ): Promise<{ principal: Principal; expiresAt: Date | null }> {
    const row = await this.keys.findLive(hash);
    // No await between this check and the cache write below: a revocation cannot slip in between.
    if (!row || this.revokedApiKeys.has(row.id)) {
      this.apiKeys.delete(cacheKey);
      throw new DomainException(401, 'AUTH_INVALID_API_KEY', 'The API key is unknown or revoked.');
    }
    // A refused (expired) key is not "used": its last use stays the last time it worked.
    const expired = row.expiresAt !== null && row.expiresAt.getTime() <= now;
    if (!expired && (!row.lastUsedAt || now - row.lastUsedAt.getTime() > 60_000)) {
      void this.keys.stampUse(row.id, new Date(now), ip).catch(() => undefined);
    }
    const entry = {
      principal: {
        kind: 'api-key',
        userId: null,
        email: `api-key:${row.name}`,
        name: row.name,
        role: 'admin',
        sessionId: null,
        apiKeyId: row.id,
        grant: { scopes: row.scopes, orgIds: row.orgIds },
      } satisfies Principal,
      expiresAt: row.expiresAt,
    };
    this.apiKeys.set(cacheKey, entry);
    return entry;
  }

  /** Drops a revoked key from this instance's cache, and refuses it here even if a lookup in flight read it live. */
  forgetApiKey(apiKeyId: string): void {
    this.revokedApiKeys.set(apiKeyId, true);
    const keys = [...this.apiKeys.entries()]
      .filter(([, e]) => e.principal.apiKeyId === apiKeyId)
      .map(([k]) => k);
    for (const k of keys) this.apiKeys.delete(k);
  }

  async view(s: ResolvedSession): Promise<SessionView> {
    const p = s.principal;
    return {
      user: { id: p.userId!, email: p.email, name: p.name, role: p.role },
      csrfToken: s.csrfToken,
      sessionExpiresAt: s.expiresAt.toISOString(),
    };
  }

  async logout(ctx: RequestContext): Promise<void> {
    const sid = ctx.principal?.sessionId;
    if (!sid) return;
    await this.accounts.transaction(async (tx, m) => {
      await tx.revokeSession(sid);
      await this.audit.record(ctx, { action: 'auth.logout' }, m);
    });
  }

  /** Constant-time comparison of the CSRF header with the session's token. */
  static csrfMatches(expected: string, given: string | undefined): boolean {
    if (!given) return false;
    const a = Buffer.from(expected);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

export function toPublic(u: AdminAccount): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}
