import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient, startTestApi, type TestApi } from './harness';
import { insertActiveOrg, insertPlaceholderCertificate } from './support/rows';
import { parseCsv } from './support/csv';

interface LedgerItem {
  id: string;
  at: string;
  completedAt: string | null;
  org: { id: string; friendlyName: string };
  operation: string;
  entity: string | null;
  recordId: string | null;
  outcome: string;
  errorCode: string | null;
  latencyMs: number | null;
  requestId: string | null;
  serviceAccount: { id: string | null; name: string | null };
  onBehalfOf: { id: string | null; name: string | null; puid: string | null } | null;
  crm: Record<string, { id: string | null; name: string | null } | null> | null;
  reconciliation: string;
}
interface Page {
  items: LedgerItem[];
  nextCursor: string | null;
}

const SVC = 'aaaaaaaa-0000-4000-8000-000000000001';
const OTHER_SVC = 'aaaaaaaa-0000-4000-8000-000000000002';
const JON = 'bbbbbbbb-0000-4000-8000-000000000001';
const ANN = 'bbbbbbbb-0000-4000-8000-000000000002';
const JON_PUID = '00037FFE8AD2C1E4';

describe('audit: ledger search, CSV export and admin audit log (real Postgres)', () => {
  let t: TestApi;
  let admin: ConsoleClient;
  let auditor: ConsoleClient;
  let orgA: string;
  let orgB: string;
  const ids: Record<string, string> = {};

  const q = (s: string) => t.api.dataSource.query(s) as Promise<unknown>;
  const sql = <T>(s: string, params: unknown[] = []) => t.api.dataSource.query(s, params) as Promise<T[]>;

  async function call(name: string, row: Record<string, unknown>): Promise<string> {
    const r = {
      org_id: orgA,
      at: '2025-03-10T12:00:00Z',
      operation: 'Create',
      entity: 'account',
      record_id: randomUUID(),
      service_account_id: SVC,
      service_account_name: 'ERP_Integration',
      on_behalf_of_id: JON,
      on_behalf_of_name: 'Jon Wilson',
      on_behalf_of_puid: JON_PUID,
      outcome: 'completed',
      latency_ms: 42,
      request_id: `req-${name}`,
      reconciliation: 'match',
      ...row,
    };
    const cols = Object.keys(r);
    const [{ id }] = (await sql<{ id: string }>(
      `INSERT INTO crm_calls (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(r),
    )) as [{ id: string }];
    ids[name] = id;
    return id;
  }

  const search = async (qs: string, c = admin): Promise<Page> => {
    const res = await c.get(`/api/audit${qs ? `?${qs}` : ''}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Page;
  };
  const names = (p: Page) =>
    p.items.map((i) => Object.entries(ids).find(([, id]) => id === i.id)?.[0] ?? i.id);

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

    const certId = await insertPlaceholderCertificate(t.api.dataSource);
    const org = (name: string) => insertActiveOrg(t.api.dataSource, certId, name);
    orgA = await org('Contoso Ltd');
    orgB = await org('Fabrikam, "Inc."');

    await call('a1', { at: '2025-03-01T08:00:00Z', reconciliation: 'match' });
    await call('a2', {
      at: '2025-03-02T09:30:00Z',
      on_behalf_of_id: ANN,
      on_behalf_of_name: 'Ann Lee',
      on_behalf_of_puid: '0003BFFD9F1A2B3C',
      entity: 'contact',
    });
    await call('a3', {
      at: '2025-03-03T23:59:59.999999Z',
      outcome: 'failed',
      error_code: 'CRM_PRIVILEGE_DENIED',
      reconciliation: 'unverified',
    });
    await call('a4', {
      at: '2025-03-04T10:00:00Z',
      reconciliation: 'mismatch',
      record_id: 'cccccccc-0000-4000-8000-000000000001',
    });
    await call('a5', {
      at: '2025-03-05T10:00:00Z',
      outcome: 'pending',
      latency_ms: null,
      completed_at: null,
      reconciliation: 'unverified',
    });
    await call('a6', {
      at: '2025-03-06T10:00:00Z',
      service_account_id: OTHER_SVC,
      service_account_name: 'Other_Account',
      on_behalf_of_id: null,
      on_behalf_of_name: null,
      on_behalf_of_puid: null,
      operation: 'WhoAmI',
      entity: null,
      record_id: null,
    });
    await call('b1', {
      org_id: orgB,
      at: '2025-03-04T11:00:00Z',
      reconciliation: 'mismatch',
      on_behalf_of_name: 'Jon Wilson (50%_off)',
    });
    await call('b2', { org_id: orgB, at: '2025-03-07T11:00:00Z', reconciliation: 'missing' });
    await q(`UPDATE crm_calls SET completed_at = at + interval '42 milliseconds' WHERE outcome <> 'pending'`);
    await sql(
      `INSERT INTO crm_stamps (org_id, entity, record_id, createdby, createdonbehalfby, modifiedby, modifiedonbehalfby, exists_in_crm)
       VALUES ($1, 'account', 'cccccccc-0000-4000-8000-000000000001', $2, $3, $2, NULL, true)`,
      [
        orgA,
        JSON.stringify({ id: ANN, name: 'Ann Lee' }),
        JSON.stringify({ id: SVC, name: 'ERP_Integration' }),
      ],
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('returns LedgerItems newest first, with the org name and the CRM stamps', async () => {
    const page = await search('');
    expect(names(page)).toEqual(['b2', 'a6', 'a5', 'b1', 'a4', 'a3', 'a2', 'a1']);
    expect(page.nextCursor).toBeNull();
    const a4 = page.items.find((i) => i.id === ids.a4)!;
    expect(a4).toEqual({
      id: ids.a4,
      at: '2025-03-04T10:00:00.000Z',
      completedAt: '2025-03-04T10:00:00.042Z',
      org: { id: orgA, friendlyName: 'Contoso Ltd' },
      operation: 'Create',
      entity: 'account',
      recordId: 'cccccccc-0000-4000-8000-000000000001',
      outcome: 'completed',
      errorCode: null,
      latencyMs: 42,
      requestId: 'req-a4',
      serviceAccount: { id: SVC, name: 'ERP_Integration' },
      onBehalfOf: { id: JON, name: 'Jon Wilson', puid: JON_PUID },
      crm: {
        createdby: { id: ANN, name: 'Ann Lee' },
        createdonbehalfby: { id: SVC, name: 'ERP_Integration' },
        modifiedby: { id: ANN, name: 'Ann Lee' },
        modifiedonbehalfby: null,
      },
      reconciliation: 'mismatch',
      reconciliationNote: null,
      linkedRecordId: null,
    });
    const a6 = page.items.find((i) => i.id === ids.a6)!;
    expect(a6.onBehalfOf).toBeNull();
    expect(a6.crm).toBeNull();
  });

  it('filters by org, actor, user, entity, outcome and reconciliation', async () => {
    expect(names(await search(`orgId=${orgB}`))).toEqual(['b2', 'b1']);
    expect(names(await search(`orgId=${orgA.toUpperCase()}&actor=${OTHER_SVC}`))).toEqual(['a6']);
    expect(names(await search('actor=other_ACCOUNT'))).toEqual(['a6']);
    // A user is found by systemuserid, by PUID (any case) or by part of the name.
    expect(names(await search(`onBehalfOf=${ANN}`))).toEqual(['a2']);
    expect(names(await search(`onBehalfOf=${'0003bffd9f1a2b3c'}`))).toEqual(['a2']);
    expect(names(await search('onBehalfOf=wilson'))).toEqual(['b2', 'a5', 'b1', 'a4', 'a3', 'a1']);
    // LIKE wildcards in the search text are literal characters.
    expect(names(await search(`onBehalfOf=${encodeURIComponent('50%_')}`))).toEqual(['b1']);
    expect(names(await search(`onBehalfOf=${encodeURIComponent('%')}`))).toEqual(['b1']);
    expect(names(await search('entity=Contact'))).toEqual(['a2']);
    expect(names(await search('outcome=failed'))).toEqual(['a3']);
    expect(names(await search('outcome=pending,failed'))).toEqual(['a5', 'a3']);
    expect(names(await search('reconciliation=mismatch'))).toEqual(['b1', 'a4']);
    expect(names(await search(`reconciliation=mismatch&orgId=${orgA}`))).toEqual(['a4']);
    expect(names(await search('reconciliation=mismatch,missing'))).toEqual(['b2', 'b1', 'a4']);
    // Blank parameters, as a form sends them, mean "no filter".
    expect(
      names(await search('orgId=&actor=&onBehalfOf=&entity=&from=&to=&outcome=&reconciliation=&cursor=')),
    ).toHaveLength(8);
    // An org without calls, and an unknown user, give an empty page, not an error.
    expect((await search(`orgId=${randomUUID()}`)).items).toEqual([]);
  });

  it('filters by time: from inclusive, to exclusive, and a bare "to" date includes that whole day', async () => {
    expect(names(await search('from=2025-03-04T10:00:00Z&to=2025-03-05T10:00:00Z'))).toEqual(['b1', 'a4']);
    expect(names(await search('from=2025-03-02&to=2025-03-03'))).toEqual(['a3', 'a2']);
    expect(names(await search('to=2025-03-03T23:59:59.999999Z'))).toEqual(['a2', 'a1']);
    // A time without a zone is UTC; an offset is honoured.
    expect(names(await search('from=2025-03-06T10:00&to=2025-03-06T10:00:01'))).toEqual(['a6']);
    expect(
      names(
        await search(
          `from=${encodeURIComponent('2025-03-06T11:00:00+01:00')}&to=${encodeURIComponent('2025-03-06T11:00:01+0100')}`,
        ),
      ),
    ).toEqual(['a6']);
  });

  it('pages with an opaque keyset cursor: no duplicates, no gaps, even across equal timestamps', async () => {
    // 45 calls in one org; groups of them share a timestamp to the microsecond, and some differ by one microsecond.
    const org = orgB;
    const base = Date.parse('2025-02-01T00:00:00Z');
    for (let i = 0; i < 45; i++) {
      const at = new Date(base + Math.floor(i / 4) * 1000)
        .toISOString()
        .replace('Z', `${i % 4 === 3 ? '001' : '000'}Z`);
      await call(`p${i}`, { org_id: org, at, on_behalf_of_id: ANN });
    }
    const expected = (
      await sql<{ id: string }>(
        `SELECT id FROM crm_calls WHERE org_id = $1 AND on_behalf_of_id = $2 ORDER BY at DESC, id DESC`,
        [org, ANN],
      )
    ).map((r) => r.id);
    expect(expected).toHaveLength(45);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await search(
        `orgId=${org}&onBehalfOf=${ANN}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      pages++;
    } while (cursor && pages < 20);
    expect(pages).toBe(7);
    expect(seen).toEqual(expected);
    // An exact multiple of the page size ends without an empty extra page.
    const exact = await search(`orgId=${org}&onBehalfOf=${ANN}&limit=45`);
    expect(exact.items).toHaveLength(45);
    expect(exact.nextCursor).toBeNull();
    // The default page size is 50.
    expect((await search('')).items).toHaveLength(50);
  });

  it('refuses bad parameters with 400 and a code', async () => {
    const cases: [string, string][] = [
      ['orgId=not-a-uuid', 'VALIDATION_FAILED'],
      ['orgId=1&orgId=2', 'VALIDATION_FAILED'],
      ['from=2025-02-30', 'INVALID_DATE'],
      ['from=yesterday', 'INVALID_DATE'],
      ['to=2025-W05', 'INVALID_DATE'],
      ['to=2025-01-01T25:00:00Z', 'INVALID_DATE'],
      ['from=2025-03-05&to=2025-03-01', 'INVALID_RANGE'],
      ['outcome=done', 'VALIDATION_FAILED'],
      ['reconciliation=mismatch,bogus', 'VALIDATION_FAILED'],
      ['entity=account;drop', 'VALIDATION_FAILED'],
      ['limit=0', 'VALIDATION_FAILED'],
      ['limit=501', 'VALIDATION_FAILED'],
      ['limit=ten', 'VALIDATION_FAILED'],
      ['cursor=garbage', 'INVALID_CURSOR'],
      [`cursor=${Buffer.from('2025-01-01T00:00:00.000000Z|nope').toString('base64url')}`, 'INVALID_CURSOR'],
      ['sort=at', 'VALIDATION_FAILED'],
    ];
    for (const [qs, code] of cases) {
      const res = await admin.get(`/api/audit?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(await res.json(), qs).toMatchObject({ code });
    }
    const res = await admin.get('/api/audit?orgId=nope');
    expect(
      ((await res.json()) as { details: { fields: { field: string }[] } }).details.fields[0]!.field,
    ).toBe('orgId');
  });

  it('lets an auditor read the ledger, the export and the admin audit log, and nobody without a session', async () => {
    expect((await auditor.get('/api/audit')).status).toBe(200);
    expect((await auditor.get('/api/audit/export.csv')).status).toBe(200);
    expect((await auditor.get('/api/admin-audit')).status).toBe(200);
    for (const path of ['/api/audit', '/api/audit/export.csv', '/api/admin-audit']) {
      expect((await fetch(`${t.url}${path}`)).status).toBe(401);
    }
  });

  it('exports the filtered ledger as RFC 4180 CSV with a header, guarded against formula injection', async () => {
    await call('evil', {
      org_id: orgB,
      at: '2025-03-08T00:00:00Z',
      on_behalf_of_name: '=HYPERLINK("http://evil.example","click")',
      request_id: '+1,2\r\nnext line',
      error_code: '@SUM(A1)',
      service_account_name: '-2+3',
      outcome: 'failed',
    });
    const res = await admin.get(`/api/audit/export.csv?orgId=${orgB}&from=2025-03-01`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="onbehalf-audit-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const text = await res.text();
    const rows = parseCsv(text);
    const [header, ...data] = rows;
    expect(header).toContain('on_behalf_of_name');
    expect(header![0]).toBe('id');
    const col = (name: string) => header!.indexOf(name);
    expect(data.map((r) => r[0])).toEqual([ids.evil, ids.b2, ids.b1]);
    const evil = data[0]!;
    expect(evil[col('on_behalf_of_name')]).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(evil[col('request_id')]).toBe(`'+1,2\r\nnext line`);
    expect(evil[col('error_code')]).toBe(`'@SUM(A1)`);
    expect(evil[col('service_account_name')]).toBe(`'-2+3`);
    expect(evil[col('org_name')]).toBe('Fabrikam, "Inc."');
    // Raw text: quotes doubled inside a quoted field.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).toContain('"Fabrikam, ""Inc."""');
    const b1 = data[2]!;
    expect(b1[col('at')]).toBe('2025-03-04T11:00:00.000Z');
    expect(b1[col('latency_ms')]).toBe('42');
    expect(b1[col('reconciliation')]).toBe('mismatch');
    expect(b1[col('crm_createdby_id')]).toBe('');
    for (const r of rows) expect(r).toHaveLength(header!.length);

    const logged = await sql<{ diff: { filters: Record<string, unknown> } }>(
      `SELECT diff FROM admin_audit_log WHERE action = 'audit.export' ORDER BY id DESC LIMIT 1`,
    );
    expect(logged[0]!.diff.filters).toMatchObject({ orgId: orgB, from: '2025-03-01T00:00:00.000Z' });
  });

  it('streams an export larger than one cursor batch, and refuses bad filters with a JSON error', async () => {
    await sql(
      `INSERT INTO crm_calls (org_id, at, operation, entity, record_id, outcome, reconciliation, request_id)
       SELECT $1, '2024-06-01'::timestamptz + g * interval '1 second', 'Create', 'lead', gen_random_uuid(), 'completed', 'match', 'bulk-' || g
       FROM generate_series(1, 1234) g`,
      [orgA],
    );
    const res = await admin.get('/api/audit/export.csv?entity=lead');
    const rows = parseCsv(await res.text());
    expect(rows).toHaveLength(1 + 1234);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(1234);
    expect(rows[1]![11]).toBe('bulk-1234');

    const bad = await admin.get('/api/audit/export.csv?from=nope');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/json/);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_DATE' });
  });

  it('closes the export cursor and frees its connection when the client goes away mid-download', async () => {
    await sql(
      `INSERT INTO crm_calls (org_id, at, operation, entity, record_id, outcome, reconciliation, on_behalf_of_name)
       SELECT $1, '2024-01-01'::timestamptz + g * interval '1 second', 'Create', 'bulk', gen_random_uuid(), 'completed', 'match', repeat('x', 400)
       FROM generate_series(1, 40000) g`,
      [orgA],
    );
    const exporting = async () =>
      (
        await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND (query LIKE '%ledger_export%' AND state <> 'idle' OR state LIKE 'idle in transaction%')`,
        )
      )[0]!.n;
    const res = await admin.get('/api/audit/export.csv?entity=bulk');
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(await exporting()).toBe(1);
    await reader.cancel();
    await expect.poll(exporting, { timeout: 5_000 }).toBe(0);
    // The API still answers, and the pool has its connection back.
    expect((await admin.get('/api/audit?limit=1')).status).toBe(200);
  });

  it('lists the admin audit log newest first with keyset pages', async () => {
    for (let i = 0; i < 5; i++) await admin.post('/api/api-keys', { name: `k${i}`, scopes: ['admin'] });
    const all = (await sql<{ id: string }>(`SELECT id FROM admin_audit_log ORDER BY id DESC`)).map((r) =>
      String(r.id),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await auditor.get(`/api/admin-audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    const first = ((await (await admin.get('/api/admin-audit?limit=1')).json()) as { items: unknown[] })
      .items[0];
    expect(first).toMatchObject({
      id: expect.any(String),
      at: expect.any(String),
      actor: { id: expect.any(String), email: t.adminEmail },
      action: 'api-key.create',
      target: 'k4',
      outcome: 'success',
      ip: expect.any(String),
    });
    for (const qs of ['cursor=xyz', 'limit=0', 'limit=9999', 'since=1']) {
      const res = await admin.get(`/api/admin-audit?${qs}`);
      expect(res.status, qs).toBe(400);
    }
    expect(await (await admin.get('/api/admin-audit?cursor=xyz')).json()).toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});
