import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import {
  type AdminAccount,
  type AdminAccountPatch,
  AdminAccountsRepository,
} from '../auth/admin-accounts.repository';
import { hashPassword } from '../auth/password-hasher';
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

const view = (u: AdminAccount): AdminUserView => ({
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
    private readonly accounts: AdminAccountsRepository,
    private readonly audit: AdminAuditService,
  ) {}

  async list(): Promise<AdminUserView[]> {
    return (await this.accounts.list()).map(view);
  }

  async create(dto: CreateAdminUserDto, ctx: RequestContext): Promise<AdminUserView> {
    // Hash before the transaction: argon2 takes tens of milliseconds and must not hold the lock.
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.accounts.transaction(async (tx, m) => {
        await tx.lockChanges();
        if (await tx.emailTaken(dto.email)) throw exists();
        const id = await tx.insert({ email: dto.email, name: dto.name, role: dto.role, passwordHash });
        const user = await tx.get(id);
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
    return this.accounts.transaction(async (tx, m) => {
      await tx.lockChanges();
      const user = await findOrThrow(tx, id);
      const diff: Record<string, unknown> = {};
      const patch: AdminAccountPatch = {};
      if (dto.name != null && dto.name !== user.name) {
        diff.name = { from: user.name, to: dto.name };
        patch.name = dto.name;
      }
      const roleChanged = dto.role != null && dto.role !== user.role;
      if (roleChanged) {
        if (user.role === 'admin') await ensureAnotherAdmin(tx, user.id);
        diff.role = { from: user.role, to: dto.role };
        patch.role = dto.role!;
      }
      if (passwordHash) {
        diff.password = 'changed';
        patch.passwordHash = passwordHash;
      }
      if (Object.keys(patch).length === 0) return view(user);
      await tx.update(id, patch);

      // A new role or password ends the sessions opened under the old one. A user who changes
      // their own password keeps the session they did it from; a role change ends every session.
      let sessionsRevoked = 0;
      if (roleChanged || passwordHash) {
        const keep = !roleChanged && ctx.principal?.userId === id ? ctx.principal.sessionId : null;
        sessionsRevoked = await tx.revokeSessionsOf(id, keep);
      }
      await this.audit.record(
        ctx,
        { action: 'admin-user.update', target: user.email, diff: { id, ...diff, sessionsRevoked } },
        m,
      );
      return view(await tx.get(id));
    });
  }

  async remove(id: string, ctx: RequestContext): Promise<void> {
    if (ctx.principal?.userId === id) {
      throw conflict('CANNOT_DELETE_SELF', 'You cannot delete your own account. Ask another administrator.');
    }
    await this.accounts.transaction(async (tx, m) => {
      await tx.lockChanges();
      const user = await findOrThrow(tx, id);
      if (user.role === 'admin') await ensureAnotherAdmin(tx, id);
      // Sessions go with the user (ON DELETE CASCADE); API keys it created stay, with created_by cleared.
      await tx.delete(id);
      await this.audit.record(
        ctx,
        { action: 'admin-user.delete', target: user.email, diff: { id, role: user.role } },
        m,
      );
    });
  }
}

async function findOrThrow(accounts: AdminAccountsRepository, id: string): Promise<AdminAccount> {
  const user = await accounts.findById(id);
  if (!user) throw notFound('ADMIN_USER_NOT_FOUND', 'No admin user has this id.');
  return user;
}

/** The console must always keep one administrator, or nobody could manage it again. */
async function ensureAnotherAdmin(accounts: AdminAccountsRepository, exceptId: string): Promise<void> {
  if ((await accounts.countAdminsExcept(exceptId)) === 0)
    throw conflict('LAST_ADMIN', 'This is the last administrator; make another user an admin first.');
}
