import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from './harness';
import { JON_PUID, twoOrgs } from './support/orgs';
import { RawClient } from './support/raw-client';

/** Tables a rejected request must leave as they were. */
const TABLES = [
  'crm_calls',
  'orgs',
  'certificates',
  'admin_users',
  'user_mappings',
  'api_keys',
  'onboarding_runs',
  'sessions',
  'tickets',
];

interface Case {
  kind: string;
  method: string;
  path: string | ((ids: Ids) => string);
  /** A JSON value, or raw text sent as is. */
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  status: number | number[];
  code?: string | RegExp;
}
interface Ids {
  org: string;
}

function deep(levels: number): string {
  return `{"attributes":${'{"a":'.repeat(levels)}"x"${'}'.repeat(levels)}}`;
}

const ORG_RECORDS = (ids: Ids) => `/api/orgs/${ids.org}/records/account`;

/** At least 20 kinds of bad payloads, each with the status and code it must get. */
const CASES: Case[] = [
  {
    kind: 'wrong type: attributes is a string',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: 'name=x' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'wrong type: friendlyName is a number',
    method: 'POST',
    path: '/api/orgs',
    body: {
      discoveryUrl: 'https://localhost/x.asmx',
      friendlyName: 42,
      certificateId: '00000000-0000-4000-8000-000000000000',
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'missing field: attributes',
    method: 'POST',
    path: ORG_RECORDS,
    body: { onBehalfOf: { puid: JON_PUID } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'missing fields: an empty org',
    method: 'POST',
    path: '/api/orgs',
    body: {},
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'extra field',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: { name: 'x' }, isAdmin: true },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'extra nested field',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: { name: 'x' }, onBehalfOf: { puid: JON_PUID, role: 'admin' } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'body over 1 MB',
    method: 'POST',
    path: ORG_RECORDS,
    raw: JSON.stringify({ attributes: { name: 'x'.repeat(1_100_000) } }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    kind: 'deeply nested JSON (5,000 levels) in attributes',
    method: 'POST',
    path: ORG_RECORDS,
    raw: deep(5_000),
    status: 400,
    code: 'BODY_TOO_DEEP',
  },
  {
    kind: 'deeply nested JSON (100,000 levels)',
    method: 'POST',
    path: ORG_RECORDS,
    raw: deep(100_000),
    status: 400,
    code: 'BODY_TOO_DEEP',
  },
  {
    kind: 'malformed JSON',
    method: 'POST',
    path: ORG_RECORDS,
    raw: '{"attributes": {"name": "x"',
    status: 400,
    code: 'MALFORMED_JSON',
  },
  { kind: 'JSON null body', method: 'POST', path: ORG_RECORDS, raw: 'null', status: 400 },
  {
    kind: 'array where an object is expected (body)',
    method: 'POST',
    path: ORG_RECORDS,
    body: [{ attributes: { name: 'x' } }],
    status: 400,
  },
  {
    kind: 'array where an object is expected (attributes)',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: [['name', 'x']] },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'array where an object is expected (onBehalfOf)',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: { name: 'x' }, onBehalfOf: [JON_PUID] },
    status: 400,
  },
  {
    kind: 'NUL byte in an org name',
    method: 'POST',
    path: '/api/orgs',
    body: {
      discoveryUrl: 'https://localhost/x.asmx',
      friendlyName: 'Contoso\u0000Ltd',
      certificateId: '00000000-0000-4000-8000-000000000000',
    },
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    kind: 'NUL byte in a record attribute',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: { name: 'Fourth\u0000Coffee' } },
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    kind: 'C0 control (ESC) in a record attribute',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: { name: 'Fourth\u001b[2JCoffee' } },
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    kind: 'lone surrogate in a record attribute',
    method: 'POST',
    path: ORG_RECORDS,
    raw: '{"attributes":{"name":"Fourth \\ud800 Coffee"}}',
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    kind: 'NUL byte in an admin name',
    method: 'POST',
    path: '/api/admin-users',
    body: { email: 'nul@example.test', name: 'Eve\u0000', role: 'admin', password: 'long-enough-password' },
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    kind: 'RTL override in an API key name',
    method: 'POST',
    path: '/api/api-keys',
    body: { name: 'erp\u202Egnp.exe', scopes: ['admin'] },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'RTL override in an org name',
    method: 'POST',
    path: '/api/orgs',
    body: {
      discoveryUrl: 'https://localhost/x.asmx',
      friendlyName: 'Contoso \u202Edtl',
      certificateId: '00000000-0000-4000-8000-000000000000',
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'NUL byte in a query filter',
    method: 'GET',
    path: (i) => `/api/orgs/${i.org}/records/account?name=Fourth%00Coffee`,
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    kind: 'tab and newline in an org name',
    method: 'POST',
    path: '/api/orgs',
    body: {
      discoveryUrl: 'https://localhost/x.asmx',
      friendlyName: 'Contoso\n\tLtd',
      certificateId: '00000000-0000-4000-8000-000000000000',
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'SQL in an org id',
    method: 'GET',
    path: "/api/orgs/1'%20OR%20'1'='1",
    status: 400,
    code: 'INVALID_ID',
  },
  {
    kind: 'SQL in an entity name',
    method: 'POST',
    path: (i) => `/api/orgs/${i.org}/records/account;DROP%20TABLE%20crm_calls`,
    body: { attributes: { name: 'x' } },
    status: 400,
    code: 'INVALID_ENTITY',
  },
  {
    kind: 'SQL in a filter name',
    method: 'GET',
    path: (i) => `/api/orgs/${i.org}/records/account?name'%20OR%201=1--=x`,
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    kind: 'SQL in an attribute name',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: { "name') --": 'x' } },
    status: 400,
    code: 'INVALID_ATTRIBUTE',
  },
  {
    kind: 'SQL in an audit filter',
    method: 'GET',
    path: "/api/audit?outcome=completed'%20OR%201=1--",
    status: 400,
  },
  {
    kind: 'path traversal in an org id',
    method: 'GET',
    path: '/api/orgs/..%2F..%2Fetc%2Fpasswd',
    status: [400, 404],
  },
  {
    kind: 'encoded path traversal %2e%2e%2f in an org id',
    method: 'GET',
    path: '/api/orgs/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    status: [400, 404],
  },
  {
    kind: 'path traversal in an entity',
    method: 'POST',
    path: (i) => `/api/orgs/${i.org}/records/..%2F..%2Fetc%2Fpasswd`,
    body: { attributes: { name: 'x' } },
    status: [400, 404],
  },
  {
    kind: 'path traversal in a PUID',
    method: 'DELETE',
    path: (i) => `/api/orgs/${i.org}/user-mappings/..%2F..%2Fetc%2Fpasswd`,
    status: 400,
  },
  {
    kind: 'path traversal in a certificate id',
    method: 'GET',
    path: '/api/certificates/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    status: [400, 404],
  },
  {
    kind: 'unknown org id',
    method: 'POST',
    path: '/api/orgs/6f1c7a8e-0d1b-4c3a-9e2f-5a6b7c8d9e0f/records/account',
    body: { attributes: { name: 'x' } },
    status: 404,
    code: 'ORG_NOT_FOUND',
  },
  {
    kind: 'malformed UUID',
    method: 'GET',
    path: '/api/orgs/6f1c7a8e-0d1b-4c3a-9e2f-5a6b7c8d9e0',
    status: 400,
    code: 'INVALID_ID',
  },
  {
    kind: 'malformed record id',
    method: 'PATCH',
    path: (i) => `/api/orgs/${i.org}/records/account/not-a-guid`,
    body: { attributes: { name: 'x' } },
    status: 400,
    code: 'INVALID_ID',
  },
  {
    kind: 'huge limit',
    method: 'GET',
    path: (i) => `/api/orgs/${i.org}/calls?limit=100000000000000000000`,
    status: 400,
    code: 'INVALID_QUERY',
  },
  { kind: 'huge audit limit', method: 'GET', path: '/api/audit?limit=1e309', status: 400 },
  {
    kind: 'negative limit',
    method: 'GET',
    path: (i) => `/api/orgs/${i.org}/calls?limit=-5`,
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    kind: 'negative page size',
    method: 'GET',
    path: (i) => `/api/orgs/${i.org}/records/account?pageSize=-1`,
    status: 400,
    code: 'INVALID_QUERY',
  },
  {
    kind: 'prototype pollution: __proto__ at the top',
    method: 'POST',
    path: ORG_RECORDS,
    raw: '{"attributes":{"name":"x"},"__proto__":{"polluted":true}}',
    status: 400,
    code: 'FORBIDDEN_KEY',
  },
  {
    kind: 'prototype pollution: __proto__ in attributes',
    method: 'POST',
    path: ORG_RECORDS,
    raw: '{"attributes":{"__proto__":{"polluted":true}}}',
    status: 400,
    code: 'FORBIDDEN_KEY',
  },
  {
    kind: 'prototype pollution: constructor.prototype',
    method: 'POST',
    path: ORG_RECORDS,
    raw: '{"attributes":{"name":"x"},"constructor":{"prototype":{"polluted":true}}}',
    status: 400,
    code: 'FORBIDDEN_KEY',
  },
  {
    kind: 'prototype pollution: constructor in attributes',
    method: 'POST',
    path: ORG_RECORDS,
    raw: '{"attributes":{"constructor":{"prototype":{"polluted":true}}}}',
    status: 400,
    code: 'FORBIDDEN_KEY',
  },
  {
    kind: 'text/plain instead of JSON',
    method: 'POST',
    path: ORG_RECORDS,
    raw: 'attributes[name]=x',
    contentType: 'text/plain',
    status: [400, 415],
  },
  {
    kind: 'invalid UTF-8 in JSON',
    method: 'POST',
    path: ORG_RECORDS,
    raw: Buffer.concat([
      Buffer.from('{"attributes":{"name":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}}'),
    ]),
    status: 400,
    code: 'INVALID_ENCODING',
  },
  {
    kind: 'bad PUID',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: { name: 'x' }, onBehalfOf: { puid: "0003' OR 1=1" } },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'puid and userId both',
    method: 'POST',
    path: ORG_RECORDS,
    body: {
      attributes: { name: 'x' },
      onBehalfOf: { puid: JON_PUID, userId: 'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c' },
    },
    status: 400,
    code: 'INVALID_ON_BEHALF_OF',
  },
  {
    kind: 'too many attributes',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`a${i}`, 'x'])) },
    status: 400,
    code: 'TOO_MANY_ATTRIBUTES',
  },
  {
    kind: 'lookup with a bad GUID',
    method: 'POST',
    path: ORG_RECORDS,
    body: { attributes: { parentaccountid: { id: '../x', type: 'account' } } },
    status: 400,
    code: 'INVALID_ATTRIBUTE',
  },
  {
    kind: 'javascript: discovery URL',
    method: 'POST',
    path: '/api/orgs',
    body: {
      discoveryUrl: 'javascript:alert(1)',
      friendlyName: 'x',
      certificateId: '00000000-0000-4000-8000-000000000000',
    },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'unknown role',
    method: 'POST',
    path: '/api/admin-users',
    body: { email: 'r@example.test', name: 'R', role: 'root', password: 'long-enough-password' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
  {
    kind: 'certificate upload with an unknown format',
    method: 'POST',
    path: '/api/certificates',
    body: { serviceAccountLiveId: 'a@example.test', format: 'der', certificatePem: 'x' },
    status: 400,
    code: 'VALIDATION_FAILED',
  },
];

describe('hostile API payloads: a 4xx with a code, nothing written, the process stays up', () => {
  let s: TestStack;
  let ids: Ids;
  let raw: RawClient;

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of TABLES)
      out[t] = Number((await s.api.dataSource.query(`SELECT count(*)::int AS n FROM ${t}`))[0].n);
    out['crm records'] = s.emulator.control.records({ org: 'contoso' }).length;
    return out;
  };

  beforeAll(async () => {
    s = await startTestStack();
    const { contosoId } = await twoOrgs(s.admin, s.emulator);
    ids = { org: contosoId };
    raw = await RawClient.login(s.url, s.adminEmail, s.adminPassword);
    const warm = await s.admin.post(`/api/orgs/${contosoId}/records/account`, {
      attributes: { name: 'warm-up' },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(warm.status).toBe(201);
  });
  afterAll(async () => {
    await s?.close();
  });

  it(`has at least 20 kinds of bad payloads (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of CASES) {
    it(`${c.kind} → ${Array.isArray(c.status) ? c.status.join('/') : c.status}${c.code ? ` ${String(c.code)}` : ''}`, async () => {
      const before = await counts();
      const path = typeof c.path === 'function' ? c.path(ids) : c.path;
      const body = c.raw !== undefined ? c.raw : c.body === undefined ? undefined : JSON.stringify(c.body);
      const r = await raw.send(c.method, path, body, c.contentType ? { 'content-type': c.contentType } : {});
      expect(r, 'a reply').not.toBeNull();
      const text = await r!.text();
      const statuses = Array.isArray(c.status) ? c.status : [c.status];
      expect(statuses, `${c.kind}: ${r!.status} ${text.slice(0, 300)}`).toContain(r!.status);
      const reply = JSON.parse(text) as { code?: string };
      expect(reply.code, text.slice(0, 300)).toMatch(/^[A-Z][A-Z_]+$/);
      expect(reply.code).not.toBe('INTERNAL_ERROR');
      if (typeof c.code === 'string') expect(reply.code).toBe(c.code);
      expect(await counts()).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('stays up: health answers 200 and a valid call still works after all of them', async () => {
    const health = await fetch(`${s.url}/api/health`);
    expect(health.status).toBe(200);
    const ok = await s.admin.post(`/api/orgs/${ids.org}/records/account`, {
      attributes: { name: "O'Brien & Sons'; DROP TABLE crm_calls; --" },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(ok.status).toBe(201);
    const { ledgerId } = await json<{ ledgerId: string }>(ok);
    expect(
      (await s.api.dataSource.query(`SELECT outcome FROM crm_calls WHERE id = $1`, [ledgerId]))[0].outcome,
    ).toBe('completed');
    // A name that looks like SQL is data: stored and sent as written.
    expect(
      s.emulator.control
        .records({ org: 'contoso', entity: 'account' })
        .some((r) => r.attributes.name === "O'Brien & Sons'; DROP TABLE crm_calls; --"),
    ).toBe(true);
  });
});
