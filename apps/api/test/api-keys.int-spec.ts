import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, startTestApi, type TestApi } from './harness';

interface KeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

describe('API keys (real Postgres)', () => {
  let t: TestApi;
  let admin: ConsoleClient;
  let auditor: ConsoleClient;

  const bearer = (key: string, path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
    });

  beforeAll(async () => {
    t = await startTestApi({ ONBEHALF_LOGIN_RATE_LIMIT: '1000' });
    admin = new ConsoleClient(t.url);
    expect((await admin.login(t.adminEmail, t.adminPassword)).status).toBe(200);
    const password = `pw-${randomBytes(8).toString('hex')}`;
    expect(
      (
        await admin.post('/api/admin-users', {
          email: 'auditor@example.test',
          name: 'Auditor',
          role: 'auditor',
          password,
        })
      ).status,
    ).toBe(201);
    auditor = new ConsoleClient(t.url);
    expect((await auditor.login('auditor@example.test', password)).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a key shown once (obk_ + 32 random bytes), stores only its SHA-256, lists it without secrets', async () => {
    const res = await admin.post('/api/api-keys', { name: '  ERP nightly sync ' });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; name: string; key: string; prefix: string };
    expect(created.name).toBe('ERP nightly sync');
    expect(created.key).toMatch(/^obk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.key.slice(4), 'base64url')).toHaveLength(32);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.prefix).toHaveLength(12);

    const [row] = (await t.api.dataSource.query(`SELECT key_hash, created_by FROM api_keys WHERE id = $1`, [
      created.id,
    ])) as {
      key_hash: Buffer;
      created_by: string;
    }[];
    expect(row!.key_hash.equals(createHash('sha256').update(created.key).digest())).toBe(true);
    expect(row!.created_by).toBeTruthy();

    const list = await admin.get('/api/api-keys');
    const text = await list.text();
    expect(text).not.toContain(created.key);
    expect(text).not.toMatch(/hash/i);
    const item = (JSON.parse(text) as { items: KeyView[] }).items.find((k) => k.id === created.id)!;
    expect(item).toEqual({
      id: created.id,
      name: 'ERP nightly sync',
      prefix: created.prefix,
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
    });
    const audit = (await t.api.dataSource.query(
      `SELECT target, diff FROM admin_audit_log WHERE action = 'api-key.create'`,
    )) as unknown[];
    expect(JSON.stringify(audit)).not.toContain(created.key);
    expect(audit).toHaveLength(1);
  });

  it('works as a Bearer token for a GET, and stops working once revoked', async () => {
    const { id, key } = (await (await admin.post('/api/api-keys', { name: 'scraper' })).json()) as {
      id: string;
      key: string;
    };
    const ok = await bearer(key, '/api/admin-users');
    expect(ok.status).toBe(200);
    // An API key needs no CSRF token: browsers never send it on their own.
    const write = await bearer(key, '/api/api-keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'made by a key' }),
    });
    expect(write.status).toBe(201);
    await expect
      .poll(
        async () =>
          ((await (await admin.get('/api/api-keys')).json()) as { items: KeyView[] }).items.find(
            (k) => k.id === id,
          )?.lastUsedAt,
      )
      .toBeTruthy();

    const revoke = await admin.request('DELETE', `/api/api-keys/${id}`);
    expect(revoke.status).toBe(204);
    const after = await bearer(key, '/api/admin-users');
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
    const listed = ((await (await admin.get('/api/api-keys')).json()) as { items: KeyView[] }).items.find(
      (k) => k.id === id,
    )!;
    expect(listed.revokedAt).not.toBeNull();
    // Revoking again is harmless and logs nothing new.
    expect((await admin.request('DELETE', `/api/api-keys/${id}`)).status).toBe(204);
    const revokes = (await t.api.dataSource.query(
      `SELECT diff FROM admin_audit_log WHERE action = 'api-key.revoke'`,
    )) as { diff: { id: string } }[];
    expect(revokes.filter((r) => r.diff.id === id)).toHaveLength(1);
  });

  it('refuses unknown keys, malformed ids and blank names with codes', async () => {
    expect(await (await bearer('obk_nope', '/api/api-keys')).json()).toMatchObject({
      code: 'AUTH_INVALID_API_KEY',
    });
    const missing = await admin.request('DELETE', '/api/api-keys/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'API_KEY_NOT_FOUND' });
    const bad = await admin.request('DELETE', '/api/api-keys/1');
    expect(await bad.json()).toMatchObject({ code: 'INVALID_ID' });
    for (const body of [
      { name: '' },
      { name: '   ' },
      {},
      { name: 'x'.repeat(101) },
      { name: 'ok', key: 'chosen' },
    ]) {
      const res = await admin.post('/api/api-keys', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('refuses every API-key request from an auditor with 403 FORBIDDEN_ROLE, even a list', async () => {
    const { id } = (await (await admin.post('/api/api-keys', { name: 'target' })).json()) as { id: string };
    for (const res of await Promise.all([
      auditor.get('/api/api-keys'),
      auditor.post('/api/api-keys', { name: 'mine' }),
      auditor.request('DELETE', `/api/api-keys/${id}`),
    ])) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    }
    const [row] = (await t.api.dataSource.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [id])) as {
      revoked_at: Date | null;
    }[];
    expect(row!.revoked_at).toBeNull();
  });

  it('refuses API-key requests without a session (401 AUTH_REQUIRED)', async () => {
    const res = await fetch(`${t.url}/api/api-keys`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
  });
});
