import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull, Not, QueryFailedError } from 'typeorm';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { AdminUserEntity } from '../auth/admin-user.entity';
import { hashPassword } from '../auth/password-hasher';
import { SessionEntity } from '../auth/session.entity';
import { conflict, notFound } from '../common/domain-exception';
import type { RequestContext, Role } from '../common/principal';
import type { CreateAdminUserDto } from './dto/create-admin-user.dto';
import type { UpdateAdminUserDto } from './dto/update-admin-user.dto';

/** An admin user as the API shows it: never the password hash. */
export interface AdminUserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
}

const view = (u: AdminUserEntity): AdminUserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
});

const exists = () => conflict('ADMIN_USER_EXISTS', 'An admin user with this email already exists.');

@Injectable()
export class AdminUsersService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly audit: AdminAuditService,
  ) {}

  async list(): Promise<AdminUserView[]> {
    const rows = await this.db
      .getRepository(AdminUserEntity)
      .find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(view);
  }

  async create(dto: CreateAdminUserDto, ctx: RequestContext): Promise<AdminUserView> {
    // Hash before the transaction: argon2 takes tens of milliseconds and must not hold the lock.
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.db.transaction(async (m) => {
        await lockAdminUsers(m);
        const taken = await m
          .getRepository(AdminUserEntity)
          .createQueryBuilder('u')
          .where('lower(u.email) = lower(:email)', { email: dto.email })
          .getExists();
        if (taken) throw exists();
        const { identifiers } = await m.insert(AdminUserEntity, {
          email: dto.email,
          name: dto.name,
          role: dto.role,
          passwordHash,
        });
        const user = await m.findOneByOrFail(AdminUserEntity, { id: (identifiers[0] as { id: string }).id });
        await this.audit.record(
          ctx,
          {
            action: 'admin-user.create',
            target: user.email,
            diff: { id: user.id, name: user.name, role: user.role },
          },
          m,
        );
        return view(user);
      });
    } catch (err) {
      // The unique index on lower(email) is the last word if another writer got in first.
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505')
        throw exists();
      throw err;
    }
  }

  async update(id: string, dto: UpdateAdminUserDto, ctx: RequestContext): Promise<AdminUserView> {
    const passwordHash = dto.password ? await hashPassword(dto.password) : null;
    return this.db.transaction(async (m) => {
      await lockAdminUsers(m);
      const user = await this.findOrThrow(m, id);
      const diff: Record<string, unknown> = {};
      const patch: Partial<AdminUserEntity> = {};
      if (dto.name != null && dto.name !== user.name) {
        diff.name = { from: user.name, to: dto.name };
        patch.name = dto.name;
      }
      const roleChanged = dto.role != null && dto.role !== user.role;
      if (roleChanged) {
        if (user.role === 'admin') await this.ensureAnotherAdmin(m, user.id);
        diff.role = { from: user.role, to: dto.role };
        patch.role = dto.role!;
      }
      if (passwordHash) {
        diff.password = 'changed';
        patch.passwordHash = passwordHash;
      }
      if (Object.keys(patch).length === 0) return view(user);
      await m.update(AdminUserEntity, { id }, { ...patch, updatedAt: new Date() });

      // A new role or password ends the sessions opened under the old one. A user who changes
      // their own password keeps the session they did it from; a role change ends every session.
      let sessionsRevoked = 0;
      if (roleChanged || passwordHash) {
        const keep = !roleChanged && ctx.principal?.userId === id ? ctx.principal.sessionId : null;
        const r = await m.update(
          SessionEntity,
          { adminUserId: id, revokedAt: IsNull(), ...(keep ? { id: Not(keep) } : {}) },
          { revokedAt: new Date() },
        );
        sessionsRevoked = r.affected ?? 0;
      }
      await this.audit.record(
        ctx,
        { action: 'admin-user.update', target: user.email, diff: { id, ...diff, sessionsRevoked } },
        m,
      );
      return view(await m.findOneByOrFail(AdminUserEntity, { id }));
    });
  }

  async remove(id: string, ctx: RequestContext): Promise<void> {
    if (ctx.principal?.userId === id) {
      throw conflict('CANNOT_DELETE_SELF', 'You cannot delete your own account. Ask another administrator.');
    }
    await this.db.transaction(async (m) => {
      await lockAdminUsers(m);
      const user = await this.findOrThrow(m, id);
      if (user.role === 'admin') await this.ensureAnotherAdmin(m, id);
      // Sessions go with the user (ON DELETE CASCADE); API keys it created stay, with created_by cleared.
      await m.delete(AdminUserEntity, { id });
      await this.audit.record(
        ctx,
        { action: 'admin-user.delete', target: user.email, diff: { id, role: user.role } },
        m,
      );
    });
  }

  private async findOrThrow(m: EntityManager, id: string): Promise<AdminUserEntity> {
    const user = await m.findOneBy(AdminUserEntity, { id });
    if (!user) throw notFound('ADMIN_USER_NOT_FOUND', 'No admin user has this id.');
    return user;
  }

  /** The console must always keep one administrator, or nobody could manage it again. */
  private async ensureAnotherAdmin(m: EntityManager, exceptId: string): Promise<void> {
    const others = await m.count(AdminUserEntity, { where: { role: 'admin', id: Not(exceptId) } });
    if (others === 0)
      throw conflict('LAST_ADMIN', 'This is the last administrator; make another user an admin first.');
  }
}

/** Serialises admin-user changes, so two requests cannot each remove "one of the two" last admins. */
async function lockAdminUsers(m: EntityManager): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtext('onbehalf:admin-users'))`);
}
