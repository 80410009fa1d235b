import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyScopes1732501400000 } from '../src/database/migrations/1732501400000-api-key-scopes';
import { ApiKeyMetricsScope1732501700000 } from '../src/database/migrations/1732501700000-api-key-metrics-scope';
import { ConsoleClient, startTestStack, type TestStack } from './harness';
import { JON_PUID, onboard, uploadDemoCertificate } from './support/orgs';

interface KeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  orgIds: string[];
  deletedOrgIds: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  revokedAt: string | null;
  legacy: boolean;
}

describe('API keys (real Postgres, real emulator)', () => {
  let t: TestStack;
  let admin: ConsoleClient;
  let auditor: ConsoleClient;
  let certId: string;
  /** Org A: onboarded. Org B: any other org id (the scope check comes before the org is looked up). */
  let orgA: string;
  const orgB = randomUUID();

  /** Creates a key through the console API; returns the reply. */
  async function createKey(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const res = await admin.post('/api/api-keys', body);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; key: string };
  }

  const listed = async (id: string) =>
    ((await (await admin.get('/api/api-keys')).json()) as { items: KeyView[] }).items.find(
      (k) => k.id === id,
    );

  const createRecord = (key: string, org: string, name: string) =>
    bearer(key, `/api/orgs/${org}/records/account`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: { name }, onBehalfOf: { puid: JON_PUID } }),
    });

  async function expectScopeRefusal(res: Response, details: Record<string, string>): Promise<void> {
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'API_KEY_SCOPE', details });
  }

  const bearer = (key: string, path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
    });

  beforeAll(async () => {
    t = await startTestStack({ ONBEHALF_LOGIN_RATE_LIMIT: '1000' });
    admin = t.admin;
    certId = await uploadDemoCertificate(admin, t.emulator);
    orgA = await onboard(admin, t.emulator, 'Contoso Ltd', certId);
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
    const res = await admin.post('/api/api-keys', { name: '  ERP nightly sync ', scopes: ['admin'] });
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
    // A key made with scopes is not legacy.
    expect(item).toEqual({
      id: created.id,
      name: 'ERP nightly sync',
      prefix: created.prefix,
      scopes: ['admin'],
      orgIds: [],
      deletedOrgIds: [],
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
      lastUsedIp: null,
      revokedAt: null,
      legacy: false,
    });
    const audit = (await t.api.dataSource.query(
      `SELECT target, diff FROM admin_audit_log WHERE action = 'api-key.create'`,
    )) as unknown[];
    expect(JSON.stringify(audit)).not.toContain(created.key);
    expect(audit).toHaveLength(1);
  });

  it('works as a Bearer token for a GET, and stops working once revoked', async () => {
    const { id, key } = (await (
      await admin.post('/api/api-keys', { name: 'scraper', scopes: ['admin'] })
    ).json()) as {
      id: string;
      key: string;
    };
    const ok = await bearer(key, '/api/admin-users');
    expect(ok.status).toBe(200);
    // An API key needs no CSRF token: browsers never send it on their own.
    const write = await bearer(key, '/api/api-keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'made by a key', scopes: ['admin'] }),
    });
    expect(write.status).toBe(201);
    // The first use is stamped with its time and the caller's address (this test calls from loopback).
    await expect.poll(async () => (await listed(id))?.lastUsedAt).toBeTruthy();
    expect((await listed(id))?.lastUsedIp).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);

    const revoke = await admin.request('DELETE', `/api/api-keys/${id}`);
    expect(revoke.status).toBe(204);
    const after = await bearer(key, '/api/admin-users');
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 'AUTH_INVALID_API_KEY' });
    expect((await listed(id))!.revokedAt).not.toBeNull();
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
      { name: 'ok', scopes: ['admin'], key: 'chosen' },
      // No key is an admin by default: the scopes are required.
      { name: 'no scopes' },
      { name: 'null scopes', scopes: null },
    ]) {
      const res = await admin.post('/api/api-keys', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('refuses every API-key request from an auditor with 403 FORBIDDEN_ROLE, even a list', async () => {
    const { id } = (await (
      await admin.post('/api/api-keys', { name: 'target', scopes: ['admin'] })
    ).json()) as { id: string };
    for (const res of await Promise.all([
      auditor.get('/api/api-keys'),
      auditor.post('/api/api-keys', { name: 'mine', scopes: ['admin'] }),
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
  it('a calls key for org A makes calls on A, and gets 403 API_KEY_SCOPE on org B, certificates and admins', async () => {
    const { key } = await createKey({ name: 'ISV link', scopes: ['calls'], orgIds: [orgA] });
    expect((await createRecord(key, orgA, 'Made by a calls key')).status).toBe(201);
    const resolve = await bearer(key, `/api/orgs/${orgA}/user-mappings/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ puid: JON_PUID }),
    });
    expect(resolve.status).toBe(200);

    await expectScopeRefusal(await createRecord(key, orgB, 'Elsewhere'), {
      missingScope: 'calls',
      orgId: orgB,
    });
    await expectScopeRefusal(await bearer(key, `/api/certificates/${certId}`, { method: 'DELETE' }), {
      missingScope: 'admin',
    });
    await expectScopeRefusal(
      await bearer(key, '/api/admin-users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'mallory@example.test',
          name: 'M',
          role: 'admin',
          password: 'pw-123456789',
        }),
      }),
      { missingScope: 'admin' },
    );
    await expectScopeRefusal(await bearer(key, '/api/audit'), { missingScope: 'audit:read' });
    await expectScopeRefusal(await bearer(key, '/api/api-keys'), { missingScope: 'admin' });
    // Nothing was done by the refused requests.
    expect((await admin.get(`/api/certificates/${certId}`)).status).toBe(200);
    const [admins] = (await t.api.dataSource.query(
      `SELECT count(*)::int AS n FROM admin_users WHERE email = 'mallory@example.test'`,
    )) as { n: number }[];
    expect(admins!.n).toBe(0);
  });

  it("an audit:read key reads the ledger, its CSV, an org's calls and the admin log, but cannot call CRM", async () => {
    const { key } = await createKey({ name: 'SIEM export', scopes: ['audit:read'] });
    for (const path of [
      '/api/audit',
      '/api/audit/export.csv',
      '/api/admin-audit',
      `/api/orgs/${orgA}/calls`,
    ]) {
      expect((await bearer(key, path)).status, path).toBe(200);
    }
    await expectScopeRefusal(await createRecord(key, orgA, 'Not allowed'), { missingScope: 'calls' });
    await expectScopeRefusal(await bearer(key, `/api/orgs/${orgA}/user-mappings`), { missingScope: 'admin' });
  });

  it('a metrics:read key scrapes GET /api/metrics and nothing else', async () => {
    const { key } = await createKey({ name: 'prometheus', scopes: ['metrics:read'] });
    const res = await bearer(key, '/api/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('# TYPE onbehalf_');
    await expectScopeRefusal(await bearer(key, '/api/audit'), { missingScope: 'audit:read' });
    await expectScopeRefusal(await bearer(key, '/api/admin-users'), { missingScope: 'admin' });
    await expectScopeRefusal(await createRecord(key, orgA, 'Not allowed'), { missingScope: 'calls' });
  });

  it('refuses the metrics to a calls or an audit:read key with 403 API_KEY_SCOPE naming metrics:read; an admin key still reads them', async () => {
    for (const body of [
      { name: 'calls only', scopes: ['calls'], orgIds: [orgA] },
      { name: 'audit only', scopes: ['audit:read'] },
    ]) {
      const { key } = await createKey(body);
      await expectScopeRefusal(await bearer(key, '/api/metrics'), { missingScope: 'metrics:read' });
    }
    const { key } = await createKey({ name: 'old scraper', scopes: ['admin'] });
    expect((await bearer(key, '/api/metrics')).status).toBe(200);
  });

  it('stores metrics:read (the table check accepts it and still refuses unknown scopes); the migration will not revert over such a key', async () => {
    await createKey({ name: 'stored scraper', scopes: ['metrics:read'] });
    const insert = (scopes: string[]) =>
      t.api.dataSource.query(
        `INSERT INTO api_keys (name, key_hash, prefix, scopes, org_ids) VALUES ('raw', $1, 'obk_raw', $2, '{}')`,
        [randomBytes(32), scopes],
      );
    await expect(insert(['metrics:write'])).rejects.toThrow(/api_keys_scopes_known/);
    const qr = t.api.dataSource.createQueryRunner();
    try {
      await expect(new ApiKeyMetricsScope1732501700000().down(qr)).rejects.toThrow(
        /API key\(s\) hold the metrics:read scope/,
      );
    } finally {
      await qr.release();
    }
    // The refused revert changed nothing: the scope is still accepted.
    await createKey({ name: 'after the refused revert', scopes: ['metrics:read'] });
  });

  it('refuses an expired key with 401 API_KEY_EXPIRED, and an expiry in the past at creation', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const { id, key } = await createKey({ name: 'short-lived', scopes: ['audit:read'], expiresAt });
    expect((await listed(id))?.expiresAt).toBe(expiresAt);
    // Expire it in the table, before its first use (so no instance holds it in memory).
    await t.api.dataSource.query(
      `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    const res = await bearer(key, '/api/audit');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'API_KEY_EXPIRED' });

    const past = await admin.post('/api/api-keys', {
      name: 'born dead',
      scopes: ['audit:read'],
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(await past.json()).toMatchObject({ code: 'API_KEY_EXPIRY_PAST' });
  });

  it('refuses unknown scopes, calls without orgs and orgs without calls with 400 and a code', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'k', scopes: ['superuser'] }, 'VALIDATION_FAILED'],
      [{ name: 'k', scopes: [] }, 'VALIDATION_FAILED'],
      [{ name: 'k', scopes: ['calls', 'calls'], orgIds: [orgA] }, 'VALIDATION_FAILED'],
      [{ name: 'k', scopes: ['calls'], orgIds: ['not-a-uuid'] }, 'VALIDATION_FAILED'],
      [{ name: 'k', scopes: ['calls'] }, 'API_KEY_ORGS_REQUIRED'],
      [{ name: 'k', scopes: ['calls'], orgIds: [] }, 'API_KEY_ORGS_REQUIRED'],
      [{ name: 'k', scopes: ['audit:read'], orgIds: [orgA] }, 'API_KEY_ORGS_WITHOUT_CALLS'],
      [{ name: 'k', scopes: ['admin'], expiresAt: 'tomorrow' }, 'VALIDATION_FAILED'],
    ];
    for (const [body, code] of cases) {
      const res = await admin.post('/api/api-keys', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json(), JSON.stringify(body)).toMatchObject({ code });
    }
    const [row] = (await t.api.dataSource.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE name = 'k'`,
    )) as {
      n: number;
    }[];
    expect(row!.n).toBe(0);
  });

  it('refuses a calls key naming orgs that do not exist with 400 API_KEY_UNKNOWN_ORG naming them, and stores nothing', async () => {
    const ghost = randomUUID();
    const res = await admin.post('/api/api-keys', {
      name: 'typo',
      scopes: ['calls'],
      orgIds: [orgA, orgB, ghost.toUpperCase()],
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'API_KEY_UNKNOWN_ORG',
      details: { orgIds: [orgB, ghost] },
    });
    const [row] = (await t.api.dataSource.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE name = 'typo'`,
    )) as { n: number }[];
    expect(row!.n).toBe(0);
  });

  it('collapses an org given twice (in any case) into one', async () => {
    const res = await admin.post('/api/api-keys', {
      name: 'twice',
      scopes: ['calls'],
      orgIds: [orgA, orgA.toUpperCase(), orgA],
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; orgIds: string[] };
    expect(created.orgIds).toEqual([orgA]);
    expect(await listed(created.id)).toMatchObject({ orgIds: [orgA], deletedOrgIds: [] });
  });

  it('lists an org deleted after the key was made as deleted; the key gains no other org', async () => {
    // An org row of its own (a failed onboarding), so that deleting it leaves org A alone.
    const [org] = (await t.api.dataSource.query(
      `INSERT INTO orgs (discovery_url, friendly_name, certificate_id, status)
       VALUES ('https://gone.example/', 'Gone Ltd', $1, 'failed') RETURNING id`,
      [certId],
    )) as { id: string }[];
    const gone = org!.id;
    const { id, key } = await createKey({ name: 'orphan', scopes: ['calls'], orgIds: [gone, orgA] });
    expect(await listed(id)).toMatchObject({ orgIds: [gone, orgA], deletedOrgIds: [] });

    await t.api.dataSource.query(`DELETE FROM orgs WHERE id = $1`, [gone]);
    expect(await listed(id)).toMatchObject({ orgIds: [gone, orgA], deletedOrgIds: [gone] });
    // Still a calls key for org A only: another org is refused as before.
    await expectScopeRefusal(await createRecord(key, orgB, 'Elsewhere'), {
      missingScope: 'calls',
      orgId: orgB,
    });
    const onGone = await createRecord(key, gone, 'Nowhere');
    expect(onGone.status).toBe(404);
    expect(await onGone.json()).toMatchObject({ code: 'ORG_NOT_FOUND' });
  });

  it('lists keys newest first, and keys made at the same instant by id, highest first', async () => {
    // Inserted oldest first, so the table's own order (what a query without ORDER BY returns) is the
    // reverse of the order the console asks for.
    const [low, high] = [randomUUID(), randomUUID()].sort();
    const rows: [string, string][] = [
      [low!, '2024-01-01T00:00:00Z'],
      [high!, '2024-01-01T00:00:00Z'],
      [randomUUID(), '2024-01-02T00:00:00Z'],
      [randomUUID(), '2024-01-03T00:00:00Z'],
    ];
    for (const [i, [id, at]] of rows.entries()) {
      await t.api.dataSource.query(
        `INSERT INTO api_keys (id, name, key_hash, prefix, scopes, org_ids, created_at)
         VALUES ($1, $2, $3, $4, '{admin}', '{}', $5)`,
        [id, `order ${i}`, randomBytes(32), `obk_order${i}`, at],
      );
    }
    const ids = new Set(rows.map(([id]) => id));
    const { items } = (await (await admin.get('/api/api-keys')).json()) as { items: KeyView[] };
    expect(items.filter((k) => ids.has(k.id)).map((k) => k.id)).toEqual([
      rows[3]![0],
      rows[2]![0],
      high,
      low,
    ]);
  });

  it('two revocations of one key at once record one revocation: the second sees the key revoked', async () => {
    const { id } = await createKey({ name: 'revoked twice', scopes: ['admin'] });
    // Another transaction holds the key's row, so both revocations start and wait on it together.
    const holder = t.api.dataSource.createQueryRunner();
    let revokes: Promise<Response[]>;
    try {
      await holder.startTransaction();
      await holder.query(`SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE`, [id]);
      revokes = Promise.all([
        admin.request('DELETE', `/api/api-keys/${id}`),
        admin.request('DELETE', `/api/api-keys/${id}`),
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
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    expect((await revokes).map((r) => r.status)).toEqual([204, 204]);
    const audits = (await t.api.dataSource.query(
      `SELECT 1 FROM admin_audit_log WHERE action = 'api-key.revoke' AND diff->>'id' = $1`,
      [id],
    )) as unknown[];
    expect(audits).toHaveLength(1);
  });

  // Last: it takes the table back to the schema before scopes, so every key made above becomes legacy too.
  it('turns a key made before scopes into an admin key flagged legacy (the migration path)', async () => {
    const migration = new ApiKeyScopes1732501400000();
    const qr = t.api.dataSource.createQueryRunner();
    const key = `obk_${randomBytes(32).toString('base64url')}`;
    try {
      await migration.down(qr);
      await qr.query(`INSERT INTO api_keys (name, key_hash, prefix) VALUES ('old cron', $1, $2)`, [
        createHash('sha256').update(key).digest(),
        key.slice(0, 12),
      ]);
      await migration.up(qr);
    } finally {
      await qr.release();
    }
    const old = (await t.api.dataSource.query(`SELECT id FROM api_keys WHERE name = 'old cron'`)) as {
      id: string;
    }[];
    const id = old[0]!.id;
    expect(await listed(id)).toMatchObject({ scopes: ['admin'], orgIds: [], legacy: true, expiresAt: null });
    // It keeps working as it did: as an admin.
    expect((await bearer(key, '/api/admin-users')).status).toBe(200);
    // Keys made after the migration are not legacy.
    const fresh = await createKey({ name: 'after', scopes: ['admin'] });
    expect(await listed(fresh.id)).toMatchObject({ scopes: ['admin'], legacy: false });
  });
});
