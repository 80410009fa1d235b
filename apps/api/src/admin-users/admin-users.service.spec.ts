import { QueryFailedError, type EntityManager } from 'typeorm';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdminAuditEntry, AdminAuditService } from '../admin-audit/admin-audit.service';
import type { AdminAccountsRepository } from '../auth/admin-accounts.repository';
import { verifyPassword } from '../auth/password-hasher';
import { DomainException } from '../common/domain-exception';
import type { Principal, RequestContext, Role } from '../common/principal';
import { AdminUsersService } from './admin-users.service';

/** Every step the service takes, in order: hashing, the transaction's bounds and the repository calls. */
const events = vi.hoisted(() => [] as string[]);

vi.mock('../auth/password-hasher', async (importOriginal) => {
  const real = await importOriginal<typeof import('../auth/password-hasher')>();
  return {
    ...real,
    hashPassword: async (password: string) => {
      events.push('hash');
      return real.hashPassword(password);
    },
  };
});

const ADA = 'a0000000-0000-4000-8000-000000000001';
const BOB = 'b0000000-0000-4000-8000-000000000002';
const CY = 'c0000000-0000-4000-8000-000000000003';
const CREATED = new Date('2026-01-02T03:04:05.006Z');
const LOGIN = new Date('2026-02-03T04:05:06.007Z');
const NEW_PASSWORD = 'a brand new passphrase';

interface Row {
  id: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
}
interface Session {
  id: string;
  userId: string;
  revoked: boolean;
}
interface Audited {
  ctx: RequestContext;
  entry: AdminAuditEntry;
  manager: EntityManager | undefined;
  inTransaction: boolean;
}

const row = (id: string, email: string, role: Role, extra: Partial<Row> = {}): Row => ({
  id,
  email,
  name: email.split('@')[0]!,
  role,
  passwordHash: `stored-hash-of-${id}`,
  createdAt: CREATED,
  updatedAt: CREATED,
  lastLoginAt: null,
  ...extra,
});

/** A signed-in console user as the request context carries them. */
const as = (
  userId: string | null,
  sessionId: string | null,
  kind: Principal['kind'] = 'session',
): RequestContext => ({
  principal: {
    kind,
    userId,
    email: 'caller@example.test',
    name: 'Caller',
    role: 'admin',
    sessionId,
    apiKeyId: kind === 'api-key' ? 'key-1' : null,
  },
  requestId: 'req-1',
  ip: '127.0.0.1',
  userAgent: 'vitest',
});

/**
 * AdminUsersService over an in-memory AdminAccountsRepository (admin_users and sessions rows in maps; its
 * `transaction` calls the work with itself and a fake manager, and puts the rows back if the work throws) and an
 * AdminAuditService that records each entry with the manager it was given and whether a transaction was open.
 */
function world(users: Row[], sessions: Session[] = []) {
  const rows = new Map(users.map((u) => [u.id, { ...u }]));
  const live = sessions.map((s) => ({ ...s }));
  const manager = { fake: 'entity manager' } as unknown as EntityManager;
  const audits: Audited[] = [];
  let inTransaction = false;
  /** The next insert fails with this error (a racing writer, a lost connection). */
  const fail: { insert: Error | null } = { insert: null };
  let nextId = 1;
  const strip = ({ passwordHash: _hash, ...account }: Row) => ({ ...account });
  const step = (s: string) => events.push(s);

  const repo = {
    transaction: async <T>(work: (tx: AdminAccountsRepository, m: EntityManager) => Promise<T>) => {
      step('begin');
      const before = new Map([...rows].map(([k, v]) => [k, { ...v }]));
      inTransaction = true;
      try {
        const result = await work(repo, manager);
        step('commit');
        return result;
      } catch (e) {
        step('rollback');
        rows.clear();
        for (const [k, v] of before) rows.set(k, v);
        throw e;
      } finally {
        inTransaction = false;
      }
    },
    lockChanges: async () => step('lock'),
    list: async () => [...rows.values()].map(strip),
    findById: async (id: string) => {
      step(`findById ${id}`);
      const r = rows.get(id);
      return r ? strip(r) : null;
    },
    get: async (id: string) => {
      const r = rows.get(id);
      if (!r) throw new Error(`EntityNotFoundError: ${id}`);
      return strip(r);
    },
    emailTaken: async (email: string) => {
      step(`emailTaken ${email}`);
      return [...rows.values()].some((r) => r.email.toLowerCase() === email.toLowerCase());
    },
    insert: async (r: Pick<Row, 'email' | 'name' | 'role' | 'passwordHash'>) => {
      step(`insert ${r.email}`);
      if (fail.insert) throw fail.insert;
      const id = `d0000000-0000-4000-8000-00000000000${nextId++}`;
      rows.set(id, { ...r, id, createdAt: CREATED, updatedAt: CREATED, lastLoginAt: null });
      return id;
    },
    update: async (id: string, patch: Partial<Row>) => {
      step(`update ${id} ${Object.keys(patch).sort().join(',')}`);
      rows.set(id, { ...rows.get(id)!, ...patch, updatedAt: new Date() });
    },
    delete: async (id: string) => {
      step(`delete ${id}`);
      rows.delete(id);
    },
    countAdminsExcept: async (id: string) =>
      [...rows.values()].filter((r) => r.role === 'admin' && r.id !== id).length,
    revokeSessionsOf: async (userId: string, keep: string | null) => {
      step(`revokeSessionsOf ${userId} keep=${keep}`);
      const hit = live.filter((s) => s.userId === userId && !s.revoked && s.id !== keep);
      for (const s of hit) s.revoked = true;
      return hit.length;
    },
  } as unknown as AdminAccountsRepository;

  const audit = {
    record: async (ctx: RequestContext, entry: AdminAuditEntry, m?: EntityManager) => {
      audits.push({ ctx, entry, manager: m, inTransaction });
    },
  } as unknown as AdminAuditService;

  return {
    svc: new AdminUsersService(repo, audit),
    rows,
    manager,
    audits,
    fail,
    /** The ids of the sessions still live. */
    liveSessions: () => live.filter((s) => !s.revoked).map((s) => s.id),
  };
}

/** A failure as a plain object, so that a test can compare it whole. */
async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainException) return { status: e.status, code: e.code };
    throw e;
  }
  throw new Error('expected a failure');
}

const uniqueViolation = () =>
  new QueryFailedError(
    'INSERT INTO admin_users ...',
    [],
    Object.assign(new Error('duplicate key'), { code: '23505' }),
  );

const ADMIN = row(ADA, 'ada@example.test', 'admin', { lastLoginAt: LOGIN });
const AUDITOR = row(BOB, 'bob@example.test', 'auditor');
const OTHER_ADMIN = row(CY, 'cy@example.test', 'admin');
/** Bob's three live sessions. */
const BOB_SESSIONS: Session[] = ['s-1', 's-2', 's-3'].map((id) => ({ id, userId: BOB, revoked: false }));

beforeEach(() => {
  events.length = 0;
});

describe('AdminUsersService.list', () => {
  it('shows every user without the password hash, with ISO dates and null for a user who never signed in', async () => {
    const w = world([ADMIN, AUDITOR]);
    expect(await w.svc.list()).toStrictEqual([
      {
        id: ADA,
        email: 'ada@example.test',
        name: 'ada',
        role: 'admin',
        createdAt: '2026-01-02T03:04:05.006Z',
        lastLoginAt: '2026-02-03T04:05:06.007Z',
      },
      {
        id: BOB,
        email: 'bob@example.test',
        name: 'bob',
        role: 'auditor',
        createdAt: '2026-01-02T03:04:05.006Z',
        lastLoginAt: null,
      },
    ]);
  });
});

describe('AdminUsersService.create', () => {
  const dto = {
    email: 'dee@example.test',
    name: 'Dee',
    role: 'auditor' as Role,
    password: 'correct horse battery',
  };

  it('stores a hash that verifies against the password, never the password itself', async () => {
    const w = world([ADMIN]);
    const view = await w.svc.create(dto, as(ADA, 's-a'));
    const stored = w.rows.get(view.id)!;
    expect(stored.passwordHash).not.toContain(dto.password);
    expect(await verifyPassword(stored.passwordHash, dto.password)).toBe(true);
    expect(await verifyPassword(stored.passwordHash, 'another password')).toBe(false);
  });

  it('hashes before the transaction, then takes the change lock before checking the email', async () => {
    const w = world([ADMIN]);
    await w.svc.create(dto, as(ADA, 's-a'));
    expect(events).toEqual([
      'hash',
      'begin',
      'lock',
      'emailTaken dee@example.test',
      'insert dee@example.test',
      'commit',
    ]);
  });

  it('answers the view of the created user: no password hash, ISO dates', async () => {
    const w = world([ADMIN]);
    const view = await w.svc.create(dto, as(ADA, 's-a'));
    expect(view).toStrictEqual({
      id: expect.any(String),
      email: 'dee@example.test',
      name: 'Dee',
      role: 'auditor',
      createdAt: '2026-01-02T03:04:05.006Z',
      lastLoginAt: null,
    });
    expect(w.rows.get(view.id)).toMatchObject({ email: 'dee@example.test', name: 'Dee', role: 'auditor' });
  });

  it('writes one admin-user.create audit entry in the same transaction, with the id, name and role', async () => {
    const w = world([ADMIN]);
    const ctx = as(ADA, 's-a');
    const view = await w.svc.create(dto, ctx);
    expect(w.audits).toStrictEqual([
      {
        ctx,
        entry: {
          action: 'admin-user.create',
          target: 'dee@example.test',
          diff: { id: view.id, name: 'Dee', role: 'auditor' },
        },
        manager: w.manager,
        inTransaction: true,
      },
    ]);
    expect(JSON.stringify(w.audits)).not.toContain(dto.password);
  });

  it('refuses an email that is taken with 409 ADMIN_USER_EXISTS, inserting and auditing nothing', async () => {
    const w = world([ADMIN]);
    expect(await failure(w.svc.create({ ...dto, email: 'ADA@example.test' }, as(ADA, 's-a')))).toEqual({
      status: 409,
      code: 'ADMIN_USER_EXISTS',
    });
    expect(events.filter((e) => e.startsWith('insert'))).toEqual([]);
    expect(w.audits).toEqual([]);
    expect(w.rows.size).toBe(1);
  });

  it('answers 409 ADMIN_USER_EXISTS when a racing writer took the email first (a unique violation, 23505)', async () => {
    const w = world([ADMIN]);
    w.fail.insert = uniqueViolation();
    expect(await failure(w.svc.create(dto, as(ADA, 's-a')))).toEqual({
      status: 409,
      code: 'ADMIN_USER_EXISTS',
    });
    expect(w.audits).toEqual([]);
  });

  it('rethrows a database error other than a unique violation as it is', async () => {
    const w = world([ADMIN]);
    const fk = new QueryFailedError('INSERT ...', [], Object.assign(new Error('fk'), { code: '23503' }));
    w.fail.insert = fk;
    await expect(w.svc.create(dto, as(ADA, 's-a'))).rejects.toBe(fk);
  });

  it('rethrows an error that is not a QueryFailedError even if it carries the 23505 code', async () => {
    const w = world([ADMIN]);
    const lookalike = Object.assign(new Error('not from TypeORM'), { driverError: { code: '23505' } });
    w.fail.insert = lookalike;
    await expect(w.svc.create(dto, as(ADA, 's-a'))).rejects.toBe(lookalike);
  });
});

describe('AdminUsersService.update', () => {
  it('changes nothing and audits nothing when the name and role are as they are and no password is given', async () => {
    const w = world([ADMIN, AUDITOR], BOB_SESSIONS);
    const view = await w.svc.update(BOB, { name: 'bob', role: 'auditor' }, as(ADA, 's-a'));
    expect(view).toMatchObject({ id: BOB, name: 'bob', role: 'auditor' });
    expect(events.filter((e) => e.startsWith('update') || e.startsWith('revoke'))).toEqual([]);
    expect(w.audits).toEqual([]);
    expect(w.liveSessions()).toEqual(['s-1', 's-2', 's-3']);
  });

  it('takes the change lock before reading the user', async () => {
    const w = world([ADMIN, AUDITOR]);
    await w.svc.update(BOB, { name: 'Bob Ray' }, as(ADA, 's-a'));
    expect(events.slice(0, 3)).toEqual(['begin', 'lock', `findById ${BOB}`]);
  });

  it('answers 404 ADMIN_USER_NOT_FOUND for an unknown id', async () => {
    const w = world([ADMIN]);
    expect(await failure(w.svc.update(BOB, { name: 'Bob Ray' }, as(ADA, 's-a')))).toEqual({
      status: 404,
      code: 'ADMIN_USER_NOT_FOUND',
    });
  });

  it('renames without revoking sessions, audits the change from/to in the transaction and answers the stored user', async () => {
    const w = world([ADMIN, AUDITOR], BOB_SESSIONS);
    const ctx = as(ADA, 's-a');
    const view = await w.svc.update(BOB, { name: 'Bob Ray' }, ctx);
    expect(view).toStrictEqual({
      id: BOB,
      email: 'bob@example.test',
      name: 'Bob Ray',
      role: 'auditor',
      createdAt: '2026-01-02T03:04:05.006Z',
      lastLoginAt: null,
    });
    expect(events).toContain(`update ${BOB} name`);
    expect(events.filter((e) => e.startsWith('revoke'))).toEqual([]);
    expect(w.liveSessions()).toEqual(['s-1', 's-2', 's-3']);
    expect(w.audits).toStrictEqual([
      {
        ctx,
        entry: {
          action: 'admin-user.update',
          target: 'bob@example.test',
          diff: { id: BOB, name: { from: 'bob', to: 'Bob Ray' }, sessionsRevoked: 0 },
        },
        manager: w.manager,
        inTransaction: true,
      },
    ]);
  });

  it('refuses to take the admin role from the last admin with 409 LAST_ADMIN, changing and auditing nothing', async () => {
    const w = world([ADMIN, AUDITOR]);
    expect(await failure(w.svc.update(ADA, { role: 'auditor' }, as(BOB, 's-b')))).toEqual({
      status: 409,
      code: 'LAST_ADMIN',
    });
    expect(w.rows.get(ADA)!.role).toBe('admin');
    expect(events.filter((e) => e.startsWith('update'))).toEqual([]);
    expect(w.audits).toEqual([]);
  });

  it('takes the admin role from an admin when another admin remains', async () => {
    const w = world([ADMIN, OTHER_ADMIN]);
    const view = await w.svc.update(ADA, { role: 'auditor' }, as(CY, 's-c'));
    expect(view.role).toBe('auditor');
    expect(w.audits[0]!.entry.diff).toEqual({
      id: ADA,
      role: { from: 'admin', to: 'auditor' },
      sessionsRevoked: 0,
    });
  });

  it('promotes an auditor to admin without needing another admin', async () => {
    // No admin at all besides the one being made: only demoting an admin counts the others.
    const w = world([AUDITOR]);
    const view = await w.svc.update(BOB, { role: 'admin' }, as(null, null, 'api-key'));
    expect(view.role).toBe('admin');
  });

  it('revokes every session of the user on a role change, even the one the change came from', async () => {
    const w = world(
      [ADMIN, OTHER_ADMIN, AUDITOR],
      [...BOB_SESSIONS, { id: 's-a', userId: ADA, revoked: false }],
    );
    await w.svc.update(ADA, { role: 'auditor' }, as(ADA, 's-a'));
    expect(events).toContain(`revokeSessionsOf ${ADA} keep=null`);
    expect(w.liveSessions()).toEqual(['s-1', 's-2', 's-3']);
    expect(w.audits[0]!.entry.diff).toEqual({
      id: ADA,
      role: { from: 'admin', to: 'auditor' },
      sessionsRevoked: 1,
    });
  });

  it('revokes every session of the user on a role change and password change together, even their own', async () => {
    const w = world([ADMIN, OTHER_ADMIN], [{ id: 's-a', userId: ADA, revoked: false }]);
    await w.svc.update(ADA, { role: 'auditor', password: NEW_PASSWORD }, as(ADA, 's-a'));
    expect(w.liveSessions()).toEqual([]);
  });

  it('keeps the session a user changes their own password from and revokes their others', async () => {
    const w = world([ADMIN, AUDITOR], BOB_SESSIONS);
    await w.svc.update(BOB, { password: NEW_PASSWORD }, as(BOB, 's-2'));
    expect(w.liveSessions()).toEqual(['s-2']);
    expect(w.audits[0]!.entry.diff).toEqual({ id: BOB, password: 'changed', sessionsRevoked: 2 });
  });

  it("revokes every session when someone else changes a user's password", async () => {
    const w = world([ADMIN, AUDITOR], BOB_SESSIONS);
    // The caller's session id is one of Bob's: only Bob himself keeps a session.
    await w.svc.update(BOB, { password: NEW_PASSWORD }, as(ADA, 's-2'));
    expect(w.liveSessions()).toEqual([]);
    expect(w.audits[0]!.entry.diff).toEqual({ id: BOB, password: 'changed', sessionsRevoked: 3 });
  });

  it('revokes every session when a password changes in a context with no principal', async () => {
    const w = world([ADMIN, AUDITOR], BOB_SESSIONS);
    await w.svc.update(BOB, { password: NEW_PASSWORD }, { ...as(null, null), principal: null });
    expect(w.liveSessions()).toEqual([]);
  });

  it('revokes every session when an API key changes a password', async () => {
    const w = world([ADMIN, AUDITOR], BOB_SESSIONS);
    await w.svc.update(BOB, { password: NEW_PASSWORD }, as(null, null, 'api-key'));
    expect(w.liveSessions()).toEqual([]);
  });

  it("stores the new password's hash; the diff says 'changed' and holds neither the password nor a hash", async () => {
    const w = world([ADMIN, AUDITOR], BOB_SESSIONS);
    await w.svc.update(BOB, { password: NEW_PASSWORD }, as(ADA, 's-a'));
    const stored = w.rows.get(BOB)!.passwordHash;
    expect(await verifyPassword(stored, NEW_PASSWORD)).toBe(true);
    expect(events).toContain(`update ${BOB} passwordHash`);
    expect(events.indexOf('hash')).toBeLessThan(events.indexOf('begin'));
    const audited = JSON.stringify(w.audits.map((a) => a.entry));
    expect(audited).not.toContain(NEW_PASSWORD);
    expect(audited).not.toContain(stored);
    expect(audited).not.toContain('$argon2');
    expect(w.audits).toHaveLength(1);
    expect(w.audits[0]).toMatchObject({ manager: w.manager, inTransaction: true });
  });
});

describe('AdminUsersService.remove', () => {
  it('refuses your own account with 409 CANNOT_DELETE_SELF before any transaction', async () => {
    const w = world([ADMIN, OTHER_ADMIN]);
    expect(await failure(w.svc.remove(ADA, as(ADA, 's-a')))).toEqual({
      status: 409,
      code: 'CANNOT_DELETE_SELF',
    });
    expect(events).toEqual([]);
    expect(w.rows.has(ADA)).toBe(true);
  });

  it('refuses the last admin with 409 LAST_ADMIN, deleting and auditing nothing', async () => {
    const w = world([ADMIN, AUDITOR]);
    expect(await failure(w.svc.remove(ADA, as(null, null, 'api-key')))).toEqual({
      status: 409,
      code: 'LAST_ADMIN',
    });
    expect(w.rows.has(ADA)).toBe(true);
    expect(events.filter((e) => e.startsWith('delete'))).toEqual([]);
    expect(w.audits).toEqual([]);
  });

  it('answers 404 ADMIN_USER_NOT_FOUND for an unknown id', async () => {
    const w = world([ADMIN]);
    expect(await failure(w.svc.remove(BOB, as(ADA, 's-a')))).toEqual({
      status: 404,
      code: 'ADMIN_USER_NOT_FOUND',
    });
  });

  it('deletes an admin while another remains, under the change lock, with one admin-user.delete entry in the transaction', async () => {
    const w = world([ADMIN, OTHER_ADMIN]);
    const ctx = as(CY, 's-c');
    await w.svc.remove(ADA, ctx);
    expect(events).toEqual(['begin', 'lock', `findById ${ADA}`, `delete ${ADA}`, 'commit']);
    expect(w.rows.has(ADA)).toBe(false);
    expect(w.audits).toStrictEqual([
      {
        ctx,
        entry: { action: 'admin-user.delete', target: 'ada@example.test', diff: { id: ADA, role: 'admin' } },
        manager: w.manager,
        inTransaction: true,
      },
    ]);
  });

  it('deletes a user in a context with no principal (nobody is deleting themself)', async () => {
    const w = world([ADMIN, AUDITOR]);
    await w.svc.remove(BOB, { ...as(null, null), principal: null });
    expect(w.rows.has(BOB)).toBe(false);
  });

  it('deletes an auditor without needing another admin', async () => {
    const w = world([AUDITOR]);
    await w.svc.remove(BOB, as(null, null, 'api-key'));
    expect(w.rows.has(BOB)).toBe(false);
    expect(w.audits[0]!.entry.diff).toEqual({ id: BOB, role: 'auditor' });
  });
});
