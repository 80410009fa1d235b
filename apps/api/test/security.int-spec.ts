import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrmServiceClient, DiscoveryClient, WlidClient } from '@onbehalf/crm-auth';
import { type RunningEmulator, startEmulator } from '@onbehalf/emulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../src/auth/password-hasher';
import { loadConfig } from '../src/config/app-config';
import { type ApiRoute, startApi, type RunningApi } from '../src/server';
import { TicketStoreService } from '../src/tickets/ticket-store.service';
import { ConsoleClient, freshDatabase, json } from './harness';
import { JON_PUID, NORA_PUID, addNorthwind, onboard } from './support/orgs';
import { RawClient } from './support/raw-client';

/** Routes that answer without a session, and why. */
const PUBLIC = new Set(['POST /api/auth/login', 'GET /api/health', 'GET /api/rps/callback']);
/** The OpenAPI document and its UI: behind a session too, but they answer HTML or JSON documents, not API replies. */
const PUBLIC_DOCS = /^GET \/api\/docs/;
/** Unsafe routes an auditor may call: they end the auditor's own session and change nothing else. */
const AUDITOR_MAY = new Set(['POST /api/auth/logout', 'POST /api/rps/logout']);

describe('security: deny by default, roles, CSRF, rate limits, secrets at rest and in logs, tenancy', () => {
  let dir: string;
  let emulator: RunningEmulator;
  let db: { url: string; drop(): Promise<void> };
  let api: RunningApi;
  let admin: ConsoleClient;
  let routes: ApiRoute[];
  let contosoId: string;
  let northwindId: string;
  const adminPassword = `admin-pw-${randomBytes(12).toString('hex')}`;
  const auditorPassword = `auditor-pw-${randomBytes(12).toString('hex')}`;
  const newAdminPassword = `new-admin-pw-${randomBytes(12).toString('hex')}`;
  const changedPassword = `changed-pw-${randomBytes(12).toString('hex')}`;
  const wrongPassword = `wrong-pw-${randomBytes(12).toString('hex')}`;
  const kek = randomBytes(32).toString('base64');
  const secrets = new Map<string, string>();
  const crmTickets = new Map<string, Set<string>>(); // org unique name → CRM tickets sent with it
  const issuedCrmTickets = new Set<string>();
  const passportTickets = new Set<string>();
  let output = '';
  const realStdout = process.stdout.write.bind(process.stdout);
  const realStderr = process.stderr.write.bind(process.stderr);

  const fill = (path: string) =>
    path
      .replace(':id', contosoId)
      .replace(':entity', 'account')
      .replace(':recordId', randomUUID())
      .replace(':puid', JON_PUID);

  beforeAll(async () => {
    // Everything the API prints (Nest's ConsoleLogger at debug level, any console.*) is kept for the secrets check.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = process.stdout.write;

    // Every ticket that crosses the wire, seen from inside crm-auth's clients.
    for (const name of ['create', 'update', 'retrieve', 'retrieveMultiple', 'whoAmI', 'delete'] as const) {
      const original = CrmServiceClient.prototype[name] as (...a: unknown[]) => unknown;
      vi.spyOn(CrmServiceClient.prototype, name).mockImplementation(function (
        this: CrmServiceClient,
        ...args: unknown[]
      ) {
        const token = args[0] as { crmTicket: string; organizationName: string };
        const set = crmTickets.get(token.organizationName) ?? new Set<string>();
        set.add(token.crmTicket);
        crmTickets.set(token.organizationName, set);
        return original.apply(this, args);
      } as never);
    }
    const retrieveCrmTicket = DiscoveryClient.prototype.retrieveCrmTicket;
    vi.spyOn(DiscoveryClient.prototype, 'retrieveCrmTicket').mockImplementation(async function (
      this: DiscoveryClient,
      ...args: Parameters<typeof retrieveCrmTicket>
    ) {
      passportTickets.add(args[1]);
      const r = await retrieveCrmTicket.apply(this, args);
      issuedCrmTickets.add(r.crmTicket);
      return r;
    });
    const requestTicket = WlidClient.prototype.requestTicket;
    vi.spyOn(WlidClient.prototype, 'requestTicket').mockImplementation(async function (
      this: WlidClient,
      ...args: Parameters<typeof requestTicket>
    ) {
      const r = await requestTicket.apply(this, args);
      passportTickets.add(r.ticket);
      return r;
    });

    dir = mkdtempSync(join(tmpdir(), 'onbehalf-security-'));
    emulator = await startEmulator({ port: 0, dataDir: join(dir, 'emulator') });
    db = await freshDatabase();
    const config = loadConfig({
      DATABASE_URL: db.url,
      ONBEHALF_API_PORT: '0',
      ONBEHALF_KEK_sec: kek,
      ONBEHALF_ADMIN_EMAIL: 'admin@example.test',
      ONBEHALF_ADMIN_PASSWORD: adminPassword,
      ONBEHALF_LOG_LEVEL: 'debug',
      ONBEHALF_JOBS: 'off',
      ONBEHALF_STS_URL: emulator.stsUrl,
      ONBEHALF_TRUSTED_CA_FILES: emulator.caCertPath,
      ONBEHALF_SUPPORTED_ROOT_FILES: emulator.caCertPath,
      ONBEHALF_RPS_LOGIN_URL: emulator.rpsLoginUrl,
      ONBEHALF_RPS_SIGNING_CERT_FILE: emulator.demo.rpsSigningCertPath,
    });
    // The logger production uses (ConsoleLogger at the configured level), not the tests' silent one.
    api = await startApi(config);
    routes = [...api.routes];
    admin = new ConsoleClient(api.url);
    expect((await admin.login('admin@example.test', adminPassword)).status).toBe(200);

    // A day's work, so that secrets have had every chance to leak: wrong passwords, uploads, onboarding,
    // impersonated calls, a ticket expiry and a forced refresh, failures, API keys, admin users.
    expect((await new ConsoleClient(api.url).login('admin@example.test', wrongPassword)).status).toBe(401);
    const pfx = readFileSync(emulator.demo.pfxPath).toString('base64');
    expect(
      (
        await admin.post('/api/certificates', {
          serviceAccountLiveId: emulator.demo.serviceAccountLiveId,
          format: 'pkcs12',
          pkcs12Base64: pfx,
          password: wrongPassword,
        })
      ).status,
    ).toBe(400);
    const up = await admin.post('/api/certificates', {
      serviceAccountLiveId: emulator.demo.serviceAccountLiveId,
      format: 'pkcs12',
      pkcs12Base64: pfx,
      password: emulator.demo.pfxPassword,
    });
    expect(up.status).toBe(201);
    const certId = (await json<{ id: string }>(up)).id;
    const other = await emulator.control.issueCertificate({
      commonName: 'second',
      account: emulator.demo.serviceAccountLiveId,
    });
    expect(
      (
        await admin.post('/api/certificates', {
          serviceAccountLiveId: emulator.demo.serviceAccountLiveId,
          format: 'pem',
          certificatePem: other.certPem,
          privateKeyPem: other.keyPem,
          chainPem: other.chainPem,
        })
      ).status,
    ).toBe(201);
    addNorthwind(emulator);
    contosoId = await onboard(admin, emulator, 'Contoso Ltd', certId);
    northwindId = await onboard(admin, emulator, 'Northwind Traders', certId);
    expect(
      (
        await admin.post('/api/orgs', {
          discoveryUrl: emulator.discoveryUrl,
          friendlyName: 'Fabrikam Inc',
          certificateId: certId,
        })
      ).status,
    ).toBe(201);
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await admin.post(`/api/orgs/${contosoId}/records/account`, {
            attributes: { name: `c${i}` },
            onBehalfOf: { puid: JON_PUID },
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await admin.post(`/api/orgs/${northwindId}/records/account`, {
            attributes: { name: `n${i}` },
            onBehalfOf: { puid: NORA_PUID },
          })
        ).status,
      ).toBe(201);
    }
    emulator.control.expireTickets();
    expect(
      (
        await admin.post(`/api/orgs/${contosoId}/records/account`, {
          attributes: { name: 'after expiry' },
          onBehalfOf: { puid: JON_PUID },
        })
      ).status,
    ).toBe(201);
    expect((await admin.post(`/api/orgs/${northwindId}/tickets/refresh`)).status).toBe(200);
    emulator.control.addScenario({ name: 'HTTP_500', org: 'contoso', endpoint: 'crm', params: { count: 2 } });
    expect(
      (
        await admin.post(`/api/orgs/${contosoId}/records/account`, {
          attributes: { name: 'fails' },
          onBehalfOf: { puid: JON_PUID },
        })
      ).status,
    ).toBe(502);
    expect((await admin.post(`/api/orgs/${contosoId}/whoami`, {})).status).toBe(502);
    expect((await admin.post(`/api/orgs/${contosoId}/reconcile`)).status).toBe(200);
    const key = await json<{ key: string }>(
      await admin.post('/api/api-keys', { name: 'ERP nightly sync', scopes: ['admin'] }),
    );
    expect(
      (await fetch(`${api.url}/api/orgs`, { headers: { authorization: `Bearer ${key.key}` } })).status,
    ).toBe(200);
    const created = await json<{ id: string }>(
      await admin.post('/api/admin-users', {
        email: 'ada@example.test',
        name: 'Ada',
        role: 'admin',
        password: newAdminPassword,
      }),
    );
    expect(
      (await admin.request('PATCH', `/api/admin-users/${created.id}`, { password: changedPassword })).status,
    ).toBe(200);
    await api.dataSource.query(
      `INSERT INTO admin_users (email, name, role, password_hash) VALUES ('auditor@example.test', 'Auditor', 'auditor', $1)`,
      [await hashPassword(auditorPassword)],
    );

    const demoKeyBody = readFileSync(emulator.demo.keyPath, 'utf8')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, '');
    const otherKeyBody = other.keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const store = api.app.get(TicketStoreService);
    for (const [name, id] of [
      ['contoso', contosoId],
      ['northwind', northwindId],
    ] as const) {
      const t = (await store.load(id))!;
      secrets.set(`${name} CRM ticket (current)`, t.crmTicket!);
      secrets.set(`${name} Passport ticket (current)`, t.passportTicket!);
    }
    [...issuedCrmTickets].forEach((t, i) => secrets.set(`CRM ticket #${i + 1} issued`, t));
    [...passportTickets].forEach((t, i) => secrets.set(`Passport ticket #${i + 1}`, t));
    const publicParts = [readFileSync(emulator.demo.certPath, 'utf8'), other.certPem]
      .join('')
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, '');
    for (const [label, body, pem] of [
      ['demo private key', demoKeyBody, readFileSync(emulator.demo.keyPath, 'utf8')],
      ['second private key', otherKeyBody, other.keyPem],
    ] as const) {
      // Any 48-character stretch of the key's base64 body would give it away, except those that hold the
      // modulus: it is public, and the certificate carries it too.
      for (let at = 0; at + 48 <= body.length; at += 96) {
        const slice = body.slice(at, at + 48);
        if (!publicParts.includes(slice)) secrets.set(`${label} [${at}..${at + 48}]`, slice);
      }
      // The private exponent and primes in other encodings (JWK base64url, hex).
      const jwk = createPrivateKey(pem).export({ format: 'jwk' }) as { d: string; p: string; q: string };
      for (const part of ['d', 'p', 'q'] as const) {
        secrets.set(`${label} ${part} (base64url)`, jwk[part].slice(0, 48));
        secrets.set(
          `${label} ${part} (hex)`,
          Buffer.from(jwk[part], 'base64url').toString('hex').slice(0, 48),
        );
      }
    }
    secrets.set('admin password', adminPassword);
    secrets.set('auditor password', auditorPassword);
    secrets.set('new admin password', newAdminPassword);
    secrets.set('changed password', changedPassword);
    secrets.set('wrong password', wrongPassword);
    secrets.set('PKCS#12 password', emulator.demo.pfxPassword);
    secrets.set('API key', key.key);
    secrets.set('session cookie', admin['cookie' as keyof ConsoleClient] as unknown as string);
    secrets.set('key-encryption key', kek);
  }, 120_000);

  afterAll(async () => {
    process.stdout.write = realStdout;
    process.stderr.write = realStderr;
    vi.restoreAllMocks();
    await api?.close();
    await emulator?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('enumerates the routes the HTTP server registered', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContainEqual({ method: 'POST', path: '/api/orgs/:id/records/:entity' });
  });

  it('answers 401 AUTH_REQUIRED on every route without a session, except login, health and the RPS callback', async () => {
    const problems: string[] = [];
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      const res = await fetch(`${api.url}${fill(r.path)}`, {
        method: r.method,
        redirect: 'manual',
        ...(r.method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      const text = await res.text();
      if (PUBLIC.has(key)) {
        if (res.status === 401) problems.push(`${key} should be public, got 401`);
        continue;
      }
      if (res.status !== 401 || !/"code":"AUTH_REQUIRED"/.test(text))
        problems.push(`${key}: ${res.status} ${text.slice(0, 120)}`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses every unsafe route to an auditor with 403 FORBIDDEN_ROLE, and nothing changes', async () => {
    const auditor = await RawClient.login(api.url, 'auditor@example.test', auditorPassword);
    const before = await rowCounts(api);
    const problems: string[] = [];
    for (const r of routes.filter((x) => x.method !== 'GET' && !PUBLIC.has(`${x.method} ${x.path}`))) {
      const key = `${r.method} ${r.path}`;
      if (AUDITOR_MAY.has(key)) continue;
      const res = await auditor.send(
        r.method,
        fill(r.path),
        JSON.stringify({ attributes: { name: 'x' }, name: 'x', puid: JON_PUID, certificateId: randomUUID() }),
      );
      const text = (await res?.text()) ?? '';
      if (res?.status !== 403 || !/"code":"FORBIDDEN_ROLE"/.test(text))
        problems.push(`${key}: ${res?.status} ${text.slice(0, 120)}`);
    }
    expect(problems).toEqual([]);
    expect(await rowCounts(api)).toEqual(before);
    // Reads are allowed, admin-only reads are not.
    expect((await auditor.send('GET', `/api/orgs/${contosoId}`))?.status).toBe(200);
    expect((await auditor.send('GET', '/api/admin-users'))?.status).toBe(403);
    expect((await auditor.send('GET', '/api/api-keys'))?.status).toBe(403);
  });

  it('refuses cross-site requests: Origin https://evil.example on any unsafe route gets 403 CSRF_INVALID, and CORS grants nothing', async () => {
    const raw = await RawClient.login(api.url, 'admin@example.test', adminPassword);
    const before = await rowCounts(api);
    const problems: string[] = [];
    for (const r of routes.filter((x) => x.method !== 'GET')) {
      const key = `${r.method} ${r.path}`;
      const res = await raw.send(
        r.method,
        fill(r.path),
        JSON.stringify({ email: 'admin@example.test', password: adminPassword }),
        { origin: 'https://evil.example' },
      );
      const text = (await res?.text()) ?? '';
      if (res?.status !== 403 || !/"code":"CSRF_INVALID"/.test(text))
        problems.push(`${key}: ${res?.status} ${text.slice(0, 120)}`);
    }
    expect(problems).toEqual([]);
    expect(await rowCounts(api)).toEqual(before);
    // Without the CSRF token, even from our own origin.
    const noToken = await fetch(`${api.url}/api/orgs/${contosoId}/records/account`, {
      method: 'POST',
      headers: { cookie: raw.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ attributes: { name: 'x' } }),
    });
    expect(noToken.status).toBe(403);
    const preflight = await fetch(`${api.url}/api/orgs`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it("never uses one org's ticket for another, and never returns one org's user mapping for another", async () => {
    for (const [id, puid] of [
      [contosoId, JON_PUID],
      [northwindId, NORA_PUID],
    ] as const) {
      expect(
        (
          await admin.post(`/api/orgs/${id}/records/account`, {
            attributes: { name: 'tenancy' },
            onBehalfOf: { puid },
          })
        ).status,
      ).toBe(201);
    }
    expect([...crmTickets.keys()]).toEqual(expect.arrayContaining(['contoso', 'northwind']));
    const orgs = [...crmTickets.keys()];
    for (const a of orgs)
      for (const b of orgs)
        if (a !== b)
          expect(
            [...crmTickets.get(a)!].filter((t) => crmTickets.get(b)!.has(t)),
            `${a} / ${b}`,
          ).toEqual([]);
    const contoso = crmTickets.get('contoso')!;
    const northwind = crmTickets.get('northwind')!;
    // Each ticket sent was one the org's own RetrieveCrmTicket returned.
    const store = api.app.get(TicketStoreService);
    expect(contoso.has((await store.load(contosoId))!.crmTicket!)).toBe(true);
    expect(northwind.has((await store.load(northwindId))!.crmTicket!)).toBe(true);
    expect(northwind.has((await store.load(contosoId))!.crmTicket!)).toBe(false);

    // Jon is mapped in Contoso; the same PUID in Northwind is nobody.
    const jonInContoso = await json<{ status: string; systemUserId: string }>(
      await admin.post(`/api/orgs/${contosoId}/user-mappings/resolve`, { puid: JON_PUID }),
    );
    expect(jonInContoso.status).toBe('found');
    const jonInNorthwind = await json<{ status: string; systemUserId: string | null }>(
      await admin.post(`/api/orgs/${northwindId}/user-mappings/resolve`, { puid: JON_PUID }),
    );
    expect(jonInNorthwind.status).toBe('not-found');
    const list = await json<{ items: { puid: string }[] }>(
      await admin.get(`/api/orgs/${northwindId}/user-mappings`),
    );
    expect(
      list.items.find((i) => i.puid === JON_PUID && (i as { status?: string }).status === 'found'),
    ).toBeUndefined();
    const asJon = await admin.post(`/api/orgs/${northwindId}/records/account`, {
      attributes: { name: 'as Jon in Northwind' },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(asJon.status).toBe(404);
    expect((await asJon.json()) as { code: string }).toMatchObject({ code: 'USER_NOT_MAPPED' });
    // Contoso's systemuserid for Jon, used in Northwind, is not a user there: CRM refuses, nothing is created as him.
    const byId = await admin.post(`/api/orgs/${northwindId}/records/account`, {
      attributes: { name: 'by id' },
      onBehalfOf: { userId: jonInContoso.systemUserId },
    });
    expect(byId.status).toBe(404);
    expect(
      emulator.control
        .records({ org: 'northwind', entity: 'account' })
        .some((r) => JSON.stringify(r).includes(jonInContoso.systemUserId)),
    ).toBe(false);
    // Ledger rows of one org are not served under another.
    const calls = await json<{ items: { id: string }[] }>(
      await admin.get(`/api/orgs/${northwindId}/calls?limit=200`),
    );
    const contosoRows = (await api.dataSource.query(`SELECT id FROM crm_calls WHERE org_id = $1`, [
      contosoId,
    ])) as { id: string }[];
    expect(calls.items.filter((c) => contosoRows.some((r) => r.id === c.id))).toEqual([]);
  });

  it('keeps secrets out of every API reply', async () => {
    const found: string[] = [];
    for (const r of routes.filter(
      (x) =>
        x.method === 'GET' &&
        !x.path.includes(':recordId') &&
        !x.path.startsWith('/api/rps') &&
        !PUBLIC_DOCS.test(`GET ${x.path}`),
    )) {
      for (const orgId of [contosoId, northwindId]) {
        const res = await admin.get(fill(r.path).replace(contosoId, orgId));
        const text = await res.text();
        for (const [label, value] of secrets) if (text.includes(value)) found.push(`${r.path}: ${label}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('keeps secrets out of the database: every text, bytea and json column of every table', async () => {
    expect(secrets.size).toBeGreaterThan(20);
    const columns = (await api.dataSource.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'bytea', 'jsonb', 'json', 'character', 'ARRAY')`,
    )) as { table_name: string; column_name: string; data_type: string }[];
    expect(columns.length).toBeGreaterThan(20);
    const found: string[] = [];
    let cells = 0;
    for (const c of columns) {
      const rows = (await api.dataSource.query(
        `SELECT "${c.column_name}" AS v FROM "${c.table_name}" WHERE "${c.column_name}" IS NOT NULL`,
      )) as { v: unknown }[];
      for (const { v } of rows) {
        cells++;
        const text = Buffer.isBuffer(v)
          ? `${v.toString('latin1')}\n${v.toString('base64')}`
          : typeof v === 'string'
            ? v
            : JSON.stringify(v);
        for (const [label, value] of secrets)
          if (text.includes(value)) found.push(`${c.table_name}.${c.column_name}: ${label}`);
      }
    }
    expect(cells).toBeGreaterThan(100);
    expect(found).toEqual([]);
  });

  it('keeps secrets out of the logs (Nest logger at debug level, stdout and stderr)', () => {
    expect(output.length).toBeGreaterThan(0);
    const found = [...secrets].filter(([, value]) => output.includes(value)).map(([label]) => label);
    expect(found).toEqual([]);
    expect(output).not.toMatch(/PRIVATE KEY/);
  });

  it('rate-limits sign-in: the 6th attempt in a minute gets 429 AUTH_RATE_LIMITED, even with the right password', async () => {
    const attempt = (password: string, email = 'ada@example.test') =>
      fetch(`${api.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(`guess-${i}-long-enough`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const limited = await attempt(changedPassword);
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { code: string; details: { retryAfterSec: number } };
    expect(body.code).toBe('AUTH_RATE_LIMITED');
    expect(body.details.retryAfterSec).toBeGreaterThan(0);
    // Spraying other accounts from the same address is bounded too.
    const spray: number[] = [];
    for (let i = 0; i < 25; i++)
      spray.push((await attempt('guess-long-enough', `user${i}@example.test`)).status);
    expect(spray).toContain(429);
  });
});

/** Row counts of every table in the public schema. */
async function rowCounts(api: RunningApi): Promise<Record<string, number>> {
  const tables = (await api.dataSource.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  )) as { tablename: string }[];
  const out: Record<string, number> = {};
  for (const { tablename } of tables)
    out[tablename] = Number(
      (await api.dataSource.query(`SELECT count(*)::int AS n FROM "${tablename}"`))[0].n,
    );
  return out;
}
