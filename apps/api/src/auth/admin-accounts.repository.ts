import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, Not, type Repository } from 'typeorm';
import type { Role } from '../common/principal';
import { AdminUserEntity } from './admin-user.entity';
import { SessionEntity } from './session.entity';

/** An admin user's row without its password hash (no read but `findByEmailWithHash` selects it). */
export type AdminAccount = Omit<AdminUserEntity, 'passwordHash'>;

/** What a new admin user's row holds; the database fills in the id and the timestamps. */
export type NewAdminAccount = Pick<AdminUserEntity, 'email' | 'name' | 'role' | 'passwordHash'>;

/** The fields of an admin user that may change; `updatedAt` is stamped with them. */
export type AdminAccountPatch = Partial<Pick<AdminUserEntity, 'name' | 'role' | 'passwordHash'>>;

/** What a new console session's row holds. */
export type NewSession = Pick<
  SessionEntity,
  'tokenHash' | 'adminUserId' | 'csrfToken' | 'expiresAt' | 'absoluteExpiresAt' | 'ip' | 'userAgent'
>;

/** A session with its user, as one read on every console request returns it. */
export interface SessionWithUser {
  id: string;
  csrfToken: string;
  lastSeenAt: Date;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
  user: { id: string; email: string; name: string; role: Role };
}

/**
 * Every query on the admin users and their console sessions (`admin_users`, `sessions`). The auth context
 * owns both tables: it signs users in and resolves their sessions, and the admin-users context manages the
 * accounts through this repository (AuthModule exports it), never through the entities. Services hold the
 * rules; this holds the SQL. `transaction` hands the callback a copy bound to the transaction, and its manager
 * (the audit row goes in the same transaction).
 */
@Injectable()
export class AdminAccountsRepository {
  constructor(
    @InjectRepository(AdminUserEntity) private readonly users: Repository<AdminUserEntity>,
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
  ) {}

  transaction<T>(work: (tx: AdminAccountsRepository, manager: EntityManager) => Promise<T>): Promise<T> {
    return this.users.manager.transaction((m) =>
      work(new AdminAccountsRepository(m.getRepository(AdminUserEntity), m.getRepository(SessionEntity)), m),
    );
  }

  /**
   * Takes a transaction-scoped advisory lock (inside `transaction` only): changes to admin users run one at a
   * time, so two of them cannot each remove "one of the two" last admins.
   */
  async lockChanges(): Promise<void> {
    await this.users.query(`SELECT pg_advisory_xact_lock(hashtext('onbehalf:admin-users'))`);
  }

  /** Likewise for the first start: two instances starting at once must not both create a first admin. */
  async lockFirstAdmin(): Promise<void> {
    await this.users.query(`SELECT pg_advisory_xact_lock(hashtext('onbehalf:first-admin'))`);
  }

  count(): Promise<number> {
    return this.users.count();
  }

  /** Oldest first, as the console lists them. */
  list(): Promise<AdminAccount[]> {
    return this.users.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findById(id: string): Promise<AdminAccount | null> {
    return this.users.findOneBy({ id });
  }

  /** The user with this id, which the caller knows exists (it fails otherwise). */
  get(id: string): Promise<AdminAccount> {
    return this.users.findOneByOrFail({ id });
  }

  /** The user with this email in any case, with the password hash no other read selects. */
  findByEmailWithHash(email: string): Promise<AdminUserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
  }

  /** Whether a user has this email in any case. */
  emailTaken(email: string): Promise<boolean> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getExists();
  }

  /** Inserts a user and returns its id. */
  async insert(row: NewAdminAccount): Promise<string> {
    const { identifiers } = await this.users.insert(row);
    return (identifiers[0] as { id: string }).id;
  }

  async update(id: string, patch: AdminAccountPatch): Promise<void> {
    await this.users.update({ id }, { ...patch, updatedAt: new Date() });
  }

  async stampLogin(id: string): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: new Date() });
  }

  /** Deletes a user; its sessions go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<void> {
    await this.users.delete({ id });
  }

  /** How many admins there are besides this user. */
  countAdminsExcept(id: string): Promise<number> {
    return this.users.count({ where: { role: 'admin', id: Not(id) } });
  }

  openSession(row: NewSession): Promise<SessionEntity> {
    return this.sessions.save(row);
  }

  /** The session with this token hash and its user, in one statement (this runs on every console request). */
  async findSession(tokenHash: Buffer): Promise<SessionWithUser | null> {
    const rows = (await this.sessions.query(
      `SELECT s.id, s.csrf_token, s.last_seen_at, s.expires_at, s.absolute_expires_at, s.revoked_at,
              u.id AS user_id, u.email, u.name, u.role
         FROM sessions s JOIN admin_users u ON u.id = s.admin_user_id
        WHERE s.token_hash = $1`,
      [tokenHash],
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
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      csrfToken: r.csrf_token,
      lastSeenAt: r.last_seen_at,
      expiresAt: r.expires_at,
      absoluteExpiresAt: r.absolute_expires_at,
      revokedAt: r.revoked_at,
      user: { id: r.user_id, email: r.email, name: r.name, role: r.role },
    };
  }

  /** Moves a session's idle expiry, noting when it was last seen. */
  async slideSession(id: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
    await this.sessions.update({ id }, { lastSeenAt, expiresAt });
  }

  async revokeSession(id: string): Promise<void> {
    await this.sessions.update({ id }, { revokedAt: new Date() });
  }

  /** Revokes a user's live sessions, but `keep` when given; returns how many were revoked. */
  async revokeSessionsOf(adminUserId: string, keep: string | null): Promise<number> {
    const r = await this.sessions.update(
      { adminUserId, revokedAt: IsNull(), ...(keep ? { id: Not(keep) } : {}) },
      { revokedAt: new Date() },
    );
    return r.affected ?? 0;
  }
}
