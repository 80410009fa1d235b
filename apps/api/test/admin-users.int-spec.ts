import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, startTestApi, type TestApi } from './harness';

interface User {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'auditor';
  createdAt: string;
  lastLoginAt: string | null;
}

describe('admin users (real Postgres)', () => {
  let t: TestApi;
  let admin: ConsoleClient;
  let seq = 0;

  /** Creates a user through the API and returns it with its password. */
  async function createUser(role: 'admin' | 'auditor', by = admin): Promise<User & { password: string }> {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const res = await by.post('/api/admin-users', {
      email: `user${++seq}@example.test`,
      name: `User ${seq}`,
      role,
      password,
    });
    expect(res.status).toBe(201);
    return { ...((await res.json()) as User), password };
  }

  async function signIn(email: string, password: string): Promise<ConsoleClient> {
    const c = new ConsoleClient(t.url);
    expect((await c.login(email, password)).status).toBe(200);
    return c;
  }

  const auditRows = async (action: string) =>
    (await t.api.dataSource.query(`SELECT * FROM admin_audit_log WHERE action = $1 ORDER BY id`, [
      action,
    ])) as {
      target: string;
      actor_email: string;
      diff: Record<string, unknown>;
    }[];

  beforeAll(async () => {
    t = await startTestApi({ ONBEHALF_LOGIN_RATE_LIMIT: '1000' });
    admin = await signIn(t.adminEmail, t.adminPassword);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a user with an argon2id hash and never returns the hash', async () => {
    const res = await admin.post('/api/admin-users', {
      email: '  Ada@Example.test ',
      name: 'Ada',
      role: 'auditor',
      password: 'correct horse battery',
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toMatch(/hash|password/i);
    const user = JSON.parse(text) as User;
    expect(user).toMatchObject({
      email: 'Ada@Example.test',
      name: 'Ada',
      role: 'auditor',
      lastLoginAt: null,
    });
    expect(Object.keys(user).sort()).toEqual(['createdAt', 'email', 'id', 'lastLoginAt', 'name', 'role']);
    const [row] = (await t.api.dataSource.query(`SELECT password_hash FROM admin_users WHERE id = $1`, [
      user.id,
    ])) as { password_hash: string }[];
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);

    const list = await admin.get('/api/admin-users');
    expect(list.status).toBe(200);
    const listText = await list.text();
    expect(listText).not.toMatch(/hash|password/i);
    expect((JSON.parse(listText) as { items: User[] }).items.map((u) => u.email)).toEqual([
      t.adminEmail,
      'Ada@Example.test',
    ]);
    // The new user can sign in with the password given.
    await signIn('ada@example.test', 'correct horse battery');
  });

  it('refuses a second user with the same email in any case with 409 ADMIN_USER_EXISTS', async () => {
    const res = await admin.post('/api/admin-users', {
      email: 'ADA@example.TEST',
      name: 'Other Ada',
      role: 'admin',
      password: 'another long password',
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'ADMIN_USER_EXISTS' });
  });

  it('validates the body: short password, unknown role, bad email, unknown field', async () => {
    const base = {
      email: 'valid@example.test',
      name: 'Valid',
      role: 'auditor',
      password: 'long enough password',
    };
    for (const body of [
      { ...base, password: 'short' },
      { ...base, role: 'root' },
      { ...base, email: 'not-an-email' },
      { ...base, name: '   ' },
      { ...base, passwordHash: 'x' },
    ]) {
      const res = await admin.post('/api/admin-users', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const patch = await admin.request('PATCH', `/api/admin-users/${(await createUser('auditor')).id}`, {
      role: 'owner',
    });
    expect(patch.status).toBe(400);
  });

  it('answers 400 INVALID_ID for a malformed id and 404 ADMIN_USER_NOT_FOUND for an unknown one', async () => {
    const bad = await admin.request('DELETE', '/api/admin-users/not-a-uuid');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_ID' });
    const missing = await admin.request('PATCH', '/api/admin-users/00000000-0000-4000-8000-000000000000', {
      name: 'x',
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ADMIN_USER_NOT_FOUND' });
  });

  it('refuses every admin-user request from an auditor with 403 FORBIDDEN_ROLE, even a list', async () => {
    const a = await createUser('auditor');
    const auditor = await signIn(a.email, a.password);
    const target = await createUser('auditor');
    const attempts = [
      auditor.get('/api/admin-users'),
      auditor.post('/api/admin-users', {
        email: 'x@example.test',
        name: 'X',
        role: 'admin',
        password: 'long enough password',
      }),
      auditor.request('PATCH', `/api/admin-users/${target.id}`, { role: 'admin' }),
      auditor.request('PATCH', `/api/admin-users/${a.id}`, { role: 'admin' }),
      auditor.request('DELETE', `/api/admin-users/${target.id}`),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    }
    const [row] = (await t.api.dataSource.query(`SELECT role FROM admin_users WHERE id = $1`, [a.id])) as {
      role: string;
    }[];
    expect(row!.role).toBe('auditor');
  });

  it("changes name and role; a role change ends the user's sessions and is audited", async () => {
    const u = await createUser('auditor');
    const session = await signIn(u.email, u.password);
    expect((await session.get('/api/auth/me')).status).toBe(200);

    const renamed = await admin.request('PATCH', `/api/admin-users/${u.id}`, { name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ id: u.id, name: 'Renamed', role: 'auditor' });
    // A name change leaves sessions alone.
    expect((await session.get('/api/auth/me')).status).toBe(200);

    const promoted = await admin.request('PATCH', `/api/admin-users/${u.id}`, { role: 'admin' });
    expect(promoted.status).toBe(200);
    expect(await promoted.json()).toMatchObject({ role: 'admin' });
    const after = await session.get('/api/auth/me');
    expect(after.status).toBe(401);
    const open = (await t.api.dataSource.query(
      `SELECT count(*)::int AS n FROM sessions WHERE admin_user_id = $1 AND revoked_at IS NULL`,
      [u.id],
    )) as {
      n: number;
    }[];
    expect(open[0]!.n).toBe(0);

    const entries = (await auditRows('admin-user.update')).filter((r) => r.target === u.email);
    expect(entries.map((e) => e.diff)).toEqual([
      { id: u.id, name: { from: u.name, to: 'Renamed' }, sessionsRevoked: 0 },
      { id: u.id, role: { from: 'auditor', to: 'admin' }, sessionsRevoked: 1 },
    ]);
    expect(entries[0]!.actor_email).toBe(t.adminEmail);
  });

  it("a password change ends the user's sessions; the new password works and is never logged", async () => {
    const u = await createUser('auditor');
    const session = await signIn(u.email, u.password);
    const res = await admin.request('PATCH', `/api/admin-users/${u.id}`, {
      password: 'a brand new password',
    });
    expect(res.status).toBe(200);
    expect((await session.get('/api/auth/me')).status).toBe(401);
    expect((await new ConsoleClient(t.url).login(u.email, u.password)).status).toBe(401);
    await signIn(u.email, 'a brand new password');
    const log = JSON.stringify(await t.api.dataSource.query(`SELECT * FROM admin_audit_log`));
    expect(log).not.toContain('a brand new password');
    expect(log).not.toContain(u.password);
    expect(log).not.toContain('argon2');
  });

  it('an admin who changes their own password keeps that session and loses the others', async () => {
    const me = await createUser('admin');
    const here = await signIn(me.email, me.password);
    const elsewhere = await signIn(me.email, me.password);
    const res = await here.request('PATCH', `/api/admin-users/${me.id}`, {
      password: 'my new long password',
    });
    expect(res.status).toBe(200);
    expect((await here.get('/api/auth/me')).status).toBe(200);
    expect((await elsewhere.get('/api/auth/me')).status).toBe(401);
  });

  it('deletes a user (with their sessions) and refuses to delete yourself with 409 CANNOT_DELETE_SELF', async () => {
    const u = await createUser('auditor');
    const session = await signIn(u.email, u.password);
    const del = await admin.request('DELETE', `/api/admin-users/${u.id}`);
    expect(del.status).toBe(204);
    expect((await session.get('/api/auth/me')).status).toBe(401);
    expect((await admin.request('DELETE', `/api/admin-users/${u.id}`)).status).toBe(404);
    expect((await auditRows('admin-user.delete')).map((r) => r.target)).toContain(u.email);

    const me = (await (await admin.get('/api/auth/me')).json()) as { user: { id: string } };
    const self = await admin.request('DELETE', `/api/admin-users/${me.user.id}`);
    expect(self.status).toBe(409);
    expect(await self.json()).toMatchObject({ code: 'CANNOT_DELETE_SELF' });
  });

  it('lists users oldest first, whatever order the table holds them in', async () => {
    // One statement inserts the newer user first, so the table's own order (what a query without
    // ORDER BY returns) is the reverse of the order the console asks for.
    const [newer, older] = [`newer${++seq}@example.test`, `older${++seq}@example.test`];
    await t.api.dataSource.query(
      `INSERT INTO admin_users (email, name, role, password_hash, created_at)
       VALUES ($1, 'Newer', 'auditor', 'x', '2024-01-02T00:00:00Z'), ($2, 'Older', 'auditor', 'x', '2024-01-01T00:00:00Z')`,
      [newer, older],
    );
    const { items } = (await (await admin.get('/api/admin-users')).json()) as { items: User[] };
    expect(items.filter((u) => [newer, older].includes(u.email)).map((u) => u.email)).toEqual([older, newer]);
  });

  it('two admins demoting each other at once: one wins, the other gets 409 LAST_ADMIN', async () => {
    const p = await createUser('admin');
    const q = await createUser('admin');
    const [asP, asQ] = [await signIn(p.email, p.password), await signIn(q.email, q.password)];
    // For this test p and q are the only admins; the others are put back at the end.
    const others = (
      (await t.api.dataSource.query(
        `UPDATE admin_users SET role = 'auditor' WHERE role = 'admin' AND id <> ALL($1) RETURNING id`,
        [[p.id, q.id]],
      )) as [{ id: string }[], number]
    )[0].map((r) => r.id);
    // Another transaction holds the admin-users lock and both rows, so both changes start and wait together.
    const holder = t.api.dataSource.createQueryRunner();
    try {
      await holder.startTransaction();
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('onbehalf:admin-users'))`);
      await holder.query(`SELECT 1 FROM admin_users WHERE id = ANY($1) FOR UPDATE`, [[p.id, q.id]]);
      const demotions = Promise.all([
        asP.request('PATCH', `/api/admin-users/${q.id}`, { role: 'auditor' }),
        asQ.request('PATCH', `/api/admin-users/${p.id}`, { role: 'auditor' }),
      ]);
      const waiting = async () =>
        (
          (await t.api.dataSource.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )) as { n: number }[]
        )[0]!.n;
      await expect.poll(waiting, { timeout: 10_000 }).toBe(2);
      await holder.commitTransaction();
      const replies = await demotions;
      expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await replies.find((r) => r.status === 409)!.json()).toMatchObject({ code: 'LAST_ADMIN' });
      const roles = (await t.api.dataSource.query(
        `SELECT role FROM admin_users WHERE id = ANY($1) ORDER BY role`,
        [[p.id, q.id]],
      )) as { role: string }[];
      expect(roles.map((r) => r.role)).toEqual(['admin', 'auditor']);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
      await t.api.dataSource.query(`UPDATE admin_users SET role = 'admin' WHERE id = ANY($1)`, [others]);
    }
  });

  it('always keeps one admin: the last one can be neither demoted nor deleted (409 LAST_ADMIN)', async () => {
    // Leave exactly one admin: `last`, signed in; everyone else becomes an auditor or goes.
    const last = await createUser('admin');
    const lastSession = await signIn(last.email, last.password);
    const { items } = (await (await lastSession.get('/api/admin-users')).json()) as { items: User[] };
    for (const u of items.filter((x) => x.id !== last.id && x.role === 'admin')) {
      expect((await lastSession.request('DELETE', `/api/admin-users/${u.id}`)).status).toBe(204);
    }
    const demote = await lastSession.request('PATCH', `/api/admin-users/${last.id}`, { role: 'auditor' });
    expect(demote.status).toBe(409);
    expect(await demote.json()).toMatchObject({ code: 'LAST_ADMIN' });
    // An API key has no user of its own, so only the last-admin rule stands in its way.
    const key = (await (
      await lastSession.post('/api/api-keys', { name: 'ops', scopes: ['admin'] })
    ).json()) as { key: string };
    const byKey = await fetch(`${t.url}/api/admin-users/${last.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(byKey.status).toBe(409);
    expect(await byKey.json()).toMatchObject({ code: 'LAST_ADMIN' });
    // With a second admin, the first may step down.
    const second = await createUser('admin', lastSession);
    expect(
      (await lastSession.request('PATCH', `/api/admin-users/${last.id}`, { role: 'auditor' })).status,
    ).toBe(200);
    expect(second.role).toBe('admin');
  });
});
