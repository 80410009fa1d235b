import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
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

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AdminAuditService,
  ) {
    this.limiter = new LoginRateLimiter(config.loginRateLimitPerMinute);
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
          const existing = await m.getRepository(AdminUserEntity).createQueryBuilder('u').addSelect('u.passwordHash')
            .where('lower(u.email) = lower(:email)', { email }).getOne();
          if (existing && !(await verifyPassword(existing.passwordHash, password))) {
            await m.update(AdminUserEntity, { id: existing.id }, { passwordHash: await hashPassword(password), updatedAt: new Date() });
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
    const wait = this.limiter.attempt(ip, email);
    if (wait > 0) {
      await this.audit.record(ctx, { action: 'auth.login', target: email, outcome: 'failure', diff: { reason: 'rate-limited' }, actorEmail: email });
      throw new DomainException(429, 'AUTH_RATE_LIMITED', `Too many sign-in attempts. Try again in ${wait} s.`, {
        retryAfterSec: wait,
      });
    }
    const user = await this.db
      .getRepository(AdminUserEntity)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
    if (!user || !ok) {
      await this.audit.record(ctx, { action: 'auth.login', target: email, outcome: 'failure', actorEmail: email });
      throw new DomainException(401, 'AUTH_INVALID_CREDENTIALS', 'Wrong email or password.');
    }
    this.limiter.reset(ip, email);
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
        { ...ctx, principal: { kind: 'session', userId: user.id, email: user.email, name: user.name, role: user.role, sessionId: s.id, apiKeyId: null } },
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
    const session = await this.db.getRepository(SessionEntity).findOne({ where: { tokenHash: sha256(token) } });
    if (!session || session.revokedAt) {
      throw new DomainException(401, 'AUTH_REQUIRED', 'Sign in to continue.');
    }
    const now = Date.now();
    if (session.expiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now) {
      throw new DomainException(401, 'AUTH_SESSION_EXPIRED', 'Your session expired. Sign in again.');
    }
    const user = await this.db.getRepository(AdminUserEntity).findOne({ where: { id: session.adminUserId } });
    if (!user) throw new DomainException(401, 'AUTH_REQUIRED', 'Sign in to continue.');
    let expiresAt = session.expiresAt;
    // Slide the idle window, but write at most once a minute per session.
    if (now - session.lastSeenAt.getTime() > 60_000) {
      expiresAt = new Date(Math.min(now + this.config.sessionIdleMinutes * 60_000, session.absoluteExpiresAt.getTime()));
      await this.db.getRepository(SessionEntity).update({ id: session.id }, { lastSeenAt: new Date(now), expiresAt });
    }
    return {
      principal: { kind: 'session', userId: user.id, email: user.email, name: user.name, role: user.role, sessionId: session.id, apiKeyId: null },
      csrfToken: session.csrfToken,
      expiresAt,
    };
  }

  async resolveApiKey(key: string): Promise<Principal> {
    const row = await this.db.getRepository(ApiKeyEntity).findOne({ where: { keyHash: sha256(key), revokedAt: IsNull() } });
    if (!row) throw new DomainException(401, 'AUTH_INVALID_API_KEY', 'The API key is unknown or revoked.');
    void this.db.getRepository(ApiKeyEntity).update({ id: row.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    return { kind: 'api-key', userId: null, email: `api-key:${row.name}`, name: row.name, role: 'admin', sessionId: null, apiKeyId: row.id };
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
