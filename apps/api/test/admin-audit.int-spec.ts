import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminAuditItem as Item } from '../src/audit/audit.service';
import { ConsoleClient, startTestApi, type TestApi } from './harness';

interface Page {
  items: Item[];
  nextCursor: string | null;
}

/** GET /api/admin-audit with its filters, over real HTTP and a real Postgres. */
describe('admin audit filters (real Postgres)', () => {
  let t: TestApi;
  let admin: ConsoleClient;
  const orgA = randomUUID();
  const orgB = randomUUID();

  const get = async (c: ConsoleClient, query: Record<string, string>) => {
    const res = await c.get(`/api/admin-audit?${new URLSearchParams(query).toString()}`);
    return { status: res.status, body: (await res.json()) as Page & { code?: string; message?: string } };
  };
  const page = async (query: Record<string, string>) => {
    const r = await get(admin, query);
    expect(r.status).toBe(200);
    return r.body;
  };
  /** Every entry matching `query`, following the cursor page by page. */
  const all = async (query: Record<string, string>, limit = '2') => {
    const out: Item[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const p: Page = await page({ ...query, limit, ...(cursor ? { cursor } : {}) });
      out.push(...p.items);
      cursor = p.nextCursor;
      pages++;
    }
    return { items: out, pages };
  };

  beforeAll(async () => {
    t = await startTestApi({ ONBEHALF_LOGIN_RATE_LIMIT: '1000' });
    admin = new ConsoleClient(t.url);
    expect((await admin.login(t.adminEmail, t.adminPassword)).status).toBe(200);
    // Seeded entries: actor, org, action, outcome and time vary independently.
    const seed: [string, string | null, string, 'success' | 'failure', string][] = [
      ['Ann@Example.test', orgA, 'cert.upload', 'success', '2025-01-10T10:00:00Z'],
      ['ann@example.test', orgA, 'cert.upload', 'failure', '2025-01-15T10:00:00Z'],
      ['bob@example.test', orgB, 'cert.upload', 'success', '2025-01-20T10:00:00Z'],
      ['bob@example.test', null, 'seed.other', 'success', '2025-01-31T23:59:59Z'],
      ['ann@example.test', orgB, 'seed.other', 'failure', '2025-02-01T00:00:00Z'],
      ['ann@example.test', orgA, 'cert.upload', 'success', '2025-02-05T00:00:00Z'],
    ];
    for (const [email, org, action, outcome, at] of seed) {
      await t.api.dataSource.query(
        `INSERT INTO admin_audit_log (actor_email, org_id, action, outcome, at, ip) VALUES ($1, $2, $3, $4, $5, '192.0.2.9')`,
        [email, org, action, outcome, at],
      );
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('filters by action, exactly', async () => {
    const { items } = await all({ action: 'cert.upload' });
    expect(items.map((i) => i.at)).toEqual([
      '2025-02-05T00:00:00.000Z',
      '2025-01-20T10:00:00.000Z',
      '2025-01-15T10:00:00.000Z',
      '2025-01-10T10:00:00.000Z',
    ]);
    expect((await page({ action: 'cert' })).items).toEqual([]);
  });

  it('filters by actor email, case-insensitively and exactly', async () => {
    const { items } = await all({ actor: 'ANN@example.TEST' });
    expect(items.map((i) => i.actor.email)).toEqual([
      'ann@example.test',
      'ann@example.test',
      'ann@example.test',
      'Ann@Example.test',
    ]);
    expect((await page({ actor: 'ann@example' })).items).toEqual([]);
  });

  it('filters by org (any letter case of the UUID)', async () => {
    const { items } = await all({ orgId: orgB.toUpperCase() });
    expect(items.map((i) => [i.orgId, i.action])).toEqual([
      [orgB, 'seed.other'],
      [orgB, 'cert.upload'],
    ]);
  });

  it('filters by outcome', async () => {
    const { items } = await all({ outcome: 'failure' });
    expect(items.map((i) => i.at)).toEqual(['2025-02-01T00:00:00.000Z', '2025-01-15T10:00:00.000Z']);
    expect(items.every((i) => i.outcome === 'failure')).toBe(true);
  });

  it('filters by date range: from inclusive, a bare "to" date includes that whole day', async () => {
    const { items } = await all({ from: '2025-01-15T10:00:00Z', to: '2025-01-31' });
    expect(items.map((i) => i.at)).toEqual([
      '2025-01-31T23:59:59.000Z',
      '2025-01-20T10:00:00.000Z',
      '2025-01-15T10:00:00.000Z',
    ]);
    const exclusive = await all({ from: '2025-01-15T10:00:00Z', to: '2025-01-31T23:59:59Z' });
    expect(exclusive.items.map((i) => i.at)).toEqual([
      '2025-01-20T10:00:00.000Z',
      '2025-01-15T10:00:00.000Z',
    ]);
  });

  it('combines filters and pages across filtered pages without repeats or gaps', async () => {
    const { items, pages } = await all(
      { actor: 'ann@example.test', action: 'cert.upload', orgId: orgA },
      '1',
    );
    expect(items.map((i) => i.at)).toEqual([
      '2025-02-05T00:00:00.000Z',
      '2025-01-15T10:00:00.000Z',
      '2025-01-10T10:00:00.000Z',
    ]);
    expect(new Set(items.map((i) => i.id)).size).toBe(3);
    expect(pages).toBe(3);
    const first = await page({ action: 'cert.upload', outcome: 'success', limit: '2' });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await page({
      action: 'cert.upload',
      outcome: 'success',
      limit: '2',
      cursor: first.nextCursor!,
    });
    expect(second.items.map((i) => i.at)).toEqual(['2025-01-10T10:00:00.000Z']);
    expect(second.nextCursor).toBeNull();
  });

  it('treats blank filters as absent, as a form sends them', async () => {
    const blank = await page({ action: '', actor: '', orgId: '', outcome: '', from: '', to: '' });
    const none = await page({});
    expect(blank.items.map((i) => i.id)).toEqual(none.items.map((i) => i.id));
  });

  it.each([
    [{ action: 'has space' }, 'VALIDATION_FAILED'],
    [{ action: 'x'.repeat(81) }, 'VALIDATION_FAILED'],
    [{ actor: `${'a'.repeat(320)}@x` }, 'VALIDATION_FAILED'],
    [{ orgId: 'not-a-uuid' }, 'VALIDATION_FAILED'],
    [{ outcome: 'maybe' }, 'VALIDATION_FAILED'],
    [{ from: '2025-02-30' }, 'INVALID_DATE'],
    [{ to: 'yesterday' }, 'INVALID_DATE'],
    [{ from: '2025-02-01', to: '2025-01-31' }, 'INVALID_RANGE'],
    [{ cursor: 'bm9wZQ' }, 'INVALID_CURSOR'],
  ])('refuses %j with 400 %s', async (query, code) => {
    const r = await get(admin, query);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(code);
    expect(r.body.message).toEqual(expect.any(String));
  });

  it('lets an auditor read and filter it, and shows the admin action that created the auditor', async () => {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const created = await admin.post('/api/admin-users', {
      email: 'auditor1@example.test',
      name: 'Auditor',
      role: 'auditor',
      password,
    });
    expect(created.status).toBe(201);
    const auditor = new ConsoleClient(t.url);
    expect((await auditor.login('auditor1@example.test', password)).status).toBe(200);
    const r = await get(auditor, { action: 'admin-user.create', actor: t.adminEmail, outcome: 'success' });
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      expect.objectContaining({
        action: 'admin-user.create',
        target: 'auditor1@example.test',
        actor: expect.objectContaining({ email: t.adminEmail }),
        outcome: 'success',
      }),
    ]);
  });
});
