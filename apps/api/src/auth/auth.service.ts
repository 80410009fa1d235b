import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DataSource, IsNull } from 'typeorm';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainException } from '../common/domain-exception';
import type { Principal, RequestContext, Role } from '../common/principal';
import { AdminUserEntity } from './admin-user.entity';
import { ApiKeyEntity } from './api-key.entity';
import { LoginRateLimiter } from './login-rate-limiter';
import { dummyHash, hashPassword, verifyPassword } from './password-hasher';
import { SessionEntity } from './session.entity';

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

@Injectable()
export class AuthService {
  private readonly logger = new Logger('auth');
  private readonly limiter: LoginRateLimiter;
  /** sha256(key) in base64 → its principal, for API_KEY_CACHE_MS after it was read from Postgres. */
  private readonly apiKeys = new LRUCache<string, Principal>({
    max: API_KEY_CACHE_MAX,
    ttl: API_KEY_CACHE_MS,
  });

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AdminAuditService,
  ) {
    this.limiter = LoginRateLimiter.onPostgres(db, config.loginRateLimitPerMinute);
  }

  /** Creates the first admin when there is none. Returns the password only when it was generated here. */
  async ensureFirstAdmin(): Promise<{ email: string; generatedPassword: string | null; created: boolean }> {
    const { email, password } = this.config.firstAdmin;
    return this.db.transaction(async (m) => {
      // Two instances starting at once must not both create a first admin.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('onbehalf:first-admin'))`);
      const count = await m.count(AdminUserEntity);
      if (count > 0) {
        // ONBEHALF_ADMIN_PASSWORD on a later start resets that admin's password (the way back from a lost one).
        if (password) {
          const existing = await m
            .getRepository(AdminUserEntity)
            .createQueryBuilder('u')
            .addSelect('u.passwordHash')
            .where('lower(u.email) = lower(:email)', { email })
            .getOne();
          if (existing && !(await verifyPassword(existing.passwordHash, password))) {
            await m.update(
              AdminUserEntity,
              { id: existing.id },
              { passwordHash: await hashPassword(password), updatedAt: new Date() },
            );
            await m.query(
              `INSERT INTO admin_audit_log (action, target, outcome, actor_email) VALUES ('admin-user.password-reset-from-env', $1, 'success', 'system')`,
              [email],
            );
          }
        }
        return { email, generatedPassword: null, created: false };
      }
      const generated = password ? null : randomBytes(12).toString('base64url');
      await m.insert(AdminUserEntity, {
        email,
        name: 'Administrator',
        role: 'admin',
        passwordHash: await hashPassword(password ?? generated!),
      });
      await m.query(
        `INSERT INTO admin_audit_log (action, target, outcome, actor_email) VALUES ('admin-user.bootstrap', $1, 'success', 'system')`,
        [email],
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
    const user = await this.db
      .getRepository(AdminUserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
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
    const session = await this.db.transaction(async (m) => {
      const s = await m.save(SessionEntity, {
        tokenHash: sha256(token),
        adminUserId: user.id,
        csrfToken,
        expiresAt: idle,
        absoluteExpiresAt: absolute,
        ip: ctx.ip,
        userAgent: ctx.userAgent?.slice(0, 300) ?? null,
      });
      await m.update(AdminUserEntity, { id: user.id }, { lastLoginAt: new Date() });
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
    // One statement for the session and its user: this runs on every console request.
    const rows = (await this.db.query(
      `SELECT s.id, s.csrf_token, s.last_seen_at, s.expires_at, s.absolute_expires_at, s.revoked_at,
              u.id AS user_id, u.email, u.name, u.role
         FROM sessions s JOIN admin_users u ON u.id = s.admin_user_id
        WHERE s.token_hash = $1`,
      [sha256(token)],
    )) as Array<{
      id: string;
      csrf_token: string;
      last_seen_at: Date;
      expires_at: Date;
      absolute_expires_at: Date;
      revoked_at: Date | null;
      user_id: string;
      email: string;
      name: string;
      role: Role;
    }>;
    const session = rows[0];
    if (!session || session.revoked_at) {
      throw new DomainException(401, 'AUTH_REQUIRED', 'Sign in to continue.');
    }
    const now = Date.now();
    if (session.expires_at.getTime() <= now || session.absolute_expires_at.getTime() <= now) {
      throw new DomainException(401, 'AUTH_SESSION_EXPIRED', 'Your session expired. Sign in again.');
    }
    let expiresAt = session.expires_at;
    // Slide the idle window, but write at most once a minute per session.
    if (now - session.last_seen_at.getTime() > 60_000) {
      expiresAt = new Date(
        Math.min(now + this.config.sessionIdleMinutes * 60_000, session.absolute_expires_at.getTime()),
      );
      await this.db
        .getRepository(SessionEntity)
        .update({ id: session.id }, { lastSeenAt: new Date(now), expiresAt });
    }
    return {
      principal: {
        kind: 'session',
        userId: session.user_id,
        email: session.email,
        name: session.name,
        role: session.role,
        sessionId: session.id,
        apiKeyId: null,
      },
      csrfToken: session.csrf_token,
      expiresAt,
    };
  }

  /**
   * Resolves an API key. Machine callers send one on every request, so a resolved key is kept
   * in memory for a few seconds (the API_KEY_CACHE_MAX most recently used ones) and `last_used_at`
   * is written at most once a minute; a revoked key stops working on this instance at once and on
   * others within API_KEY_CACHE_MS.
   */
  async resolveApiKey(key: string): Promise<Principal> {
    const hash = sha256(key);
    const cacheKey = hash.toString('base64');
    const now = Date.now();
    const hit = this.apiKeys.get(cacheKey);
    if (hit) return hit;
    const row = await this.db
      .getRepository(ApiKeyEntity)
      .findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
    if (!row) {
      this.apiKeys.delete(cacheKey);
      throw new DomainException(401, 'AUTH_INVALID_API_KEY', 'The API key is unknown or revoked.');
    }
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > 60_000) {
      void this.db
        .getRepository(ApiKeyEntity)
        .update({ id: row.id }, { lastUsedAt: new Date(now) })
        .catch(() => undefined);
    }
    const principal: Principal = {
      kind: 'api-key',
      userId: null,
      email: `api-key:${row.name}`,
      name: row.name,
      role: 'admin',
      sessionId: null,
      apiKeyId: row.id,
    };
    this.apiKeys.set(cacheKey, principal);
    return principal;
  }

  /** Drops a revoked key from this instance's cache. */
  forgetApiKey(apiKeyId: string): void {
    const keys = [...this.apiKeys.entries()].filter(([, p]) => p.apiKeyId === apiKeyId).map(([k]) => k);
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
    await this.db.transaction(async (m) => {
      await m.update(SessionEntity, { id: sid }, { revokedAt: new Date() });
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

  logFailure(message: string): void {
    this.logger.warn(message);
  }
}

export function toPublic(u: AdminUserEntity): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}
