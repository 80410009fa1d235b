import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { inOrgScope } from '../src/database/org-scope';
import { LedgerChainService } from '../src/ledger-chain/ledger-chain.service';
import { startApi } from '../src/server';
import { createRuntimeRole, json, startTestStack, testConfig, type TestStack } from './harness';
import { JON_PUID, NORA_PUID, twoOrgs } from './support/orgs';

const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * The two-role setup on a real Postgres: the API migrates as the owner (DATABASE_OWNER_URL) and serves as a runtime
 * role (DATABASE_URL) that owns nothing. Every attempt below is made as that runtime role, with its own password,
 * the way a compromised API process or an injected statement would make it.
 */
describe('least-privilege Postgres: the runtime role of DATABASE_URL', () => {
  let s: TestStack;
  let contosoId: string;
  let northwindId: string;
  let sealedId: string;
  let runtime: Client;

  beforeAll(async () => {
    s = await startTestStack({}, {}, { runtimeRole: true });
    ({ contosoId, northwindId } = await twoOrgs(s.admin, s.emulator));
    for (const [orgId, puid] of [
      [contosoId, JON_PUID],
      [northwindId, NORA_PUID],
    ] as const) {
      const res = await s.admin.post(`/api/orgs/${orgId}/records/account`, {
        attributes: { name: `least privilege ${orgId}` },
        onBehalfOf: { puid },
      });
      expect(res.status).toBe(201);
      if (orgId === contosoId) sealedId = (await json<{ ledgerId: string }>(res)).ledgerId;
    }
    const chain = s.api.app.get(LedgerChainService);
    expect(await chain.sealOrg(contosoId)).toBeGreaterThanOrEqual(1);
    runtime = new Client({ connectionString: s.config.databaseUrl });
    await runtime.connect();
  }, 120_000);

  afterAll(async () => {
    await runtime?.end();
    await s?.close();
  });

  it('is what the API serves as: every API connection logs in as it, and it owns no table in public', async () => {
    const role = new URL(s.config.databaseUrl).username;
    expect(new URL(s.config.databaseOwnerUrl ?? '').username).not.toBe(role);
    // the API's pool and the jobs' pool; the owner's connection (onbehalf-migrate) was closed after migrating
    const users = (await runtime.query(
      `SELECT DISTINCT application_name AS app, usename FROM pg_stat_activity
        WHERE application_name LIKE 'onbehalf-%' AND datname = current_database() ORDER BY 1`,
    )) as { rows: { app: string; usename: string }[] };
    expect(users.rows).toEqual([
      { app: 'onbehalf-api', usename: role },
      { app: 'onbehalf-jobs', usename: role },
    ]);
    const owned = await runtime.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user`,
    );
    expect(owned.rows).toEqual([]);
    const me = await runtime.query(
      `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`,
    );
    expect(me.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
  });

  it.each([
    ['drop a table', 'DROP TABLE crm_calls'],
    ['alter a table', 'ALTER TABLE crm_calls ADD COLUMN forged text'],
    ['disable the sealed-row trigger', 'ALTER TABLE crm_calls DISABLE TRIGGER crm_calls_sealed_guard'],
    ['drop the sealed-row trigger', 'DROP TRIGGER crm_calls_sealed_guard ON crm_calls'],
    ['turn row-level security off', 'ALTER TABLE crm_calls DISABLE ROW LEVEL SECURITY'],
    ['create a table', 'CREATE TABLE forged (id int)'],
    ['truncate the ledger', 'TRUNCATE crm_calls CASCADE'],
    ['delete ledger rows', 'DELETE FROM crm_calls'],
    ['delete a chain head', 'DELETE FROM crm_call_chain_heads'],
    ['delete an org (its ledger would go with it)', 'DELETE FROM orgs'],
    ['rewrite the admin audit log', `UPDATE admin_audit_log SET action = 'forged'`],
    ['delete from the admin audit log', 'DELETE FROM admin_audit_log'],
    ['delete from the migrations table', 'DELETE FROM migrations'],
    ['add a migration', `INSERT INTO migrations (timestamp, name) VALUES (1, 'Forged1')`],
  ])('cannot %s (insufficient privilege)', async (_what, sql) => {
    await expect(runtime.query(sql)).rejects.toMatchObject({ code: INSUFFICIENT_PRIVILEGE });
  });

  it('cannot rewrite a completed, sealed ledger row: the trigger refuses what the grants allow', async () => {
    await expect(
      runtime.query(`UPDATE crm_calls SET on_behalf_of_name = 'Someone Else' WHERE id = $1`, [sealedId]),
    ).rejects.toThrow(/is sealed/);
    await expect(
      runtime.query(`UPDATE crm_call_chain_heads SET seq = 0 WHERE org_id = $1`, [contosoId]),
    ).rejects.toThrow(/only moves forward/);
    const [row] = (
      await runtime.query(`SELECT on_behalf_of_name, outcome FROM crm_calls WHERE id = $1`, [sealedId])
    ).rows as { on_behalf_of_name: string; outcome: string }[];
    expect(row).toEqual({ on_behalf_of_name: 'Jon Wilson', outcome: 'completed' });
  });

  it("scoped to one org, reads none of another org's rows and cannot write one (row-level security)", async () => {
    await runtime.query('BEGIN');
    try {
      await runtime.query(`SELECT set_config('onbehalf.org_id', $1, true)`, [contosoId]);
      for (const table of [
        'crm_calls',
        'user_mappings',
        'tickets',
        'onboarding_runs',
        'crm_call_chain_heads',
      ]) {
        const seen = await runtime.query(`SELECT DISTINCT org_id::text AS org FROM ${table}`);
        expect(seen.rows, table).toEqual([{ org: contosoId }]);
      }
      const other = await runtime.query(`SELECT count(*)::int AS n FROM crm_calls WHERE org_id = $1`, [
        northwindId,
      ]);
      expect(other.rows[0]).toEqual({ n: 0 });
      await runtime.query('SAVEPOINT write');
      await expect(
        runtime.query(
          `INSERT INTO ticket_events (org_id, type, instance) VALUES ($1, 'refreshed', 'forged')`,
          [northwindId],
        ),
      ).rejects.toThrow(/row-level security/);
      await runtime.query('ROLLBACK TO SAVEPOINT write');
      const moved = await runtime.query(`UPDATE user_mappings SET full_name = 'x' WHERE org_id = $1`, [
        northwindId,
      ]);
      expect(moved.rowCount).toBe(0);
    } finally {
      await runtime.query('ROLLBACK');
    }
    // The scope was SET LOCAL: the same connection, after the transaction, is unscoped again.
    const after = await runtime.query(`SELECT count(DISTINCT org_id)::int AS n FROM crm_calls`);
    expect(after.rows[0]).toEqual({ n: 2 });
  });

  it("inOrgScope on the API's own pool: the scope holds inside the transaction and leaves nothing on the pooled connection", async () => {
    const ds = s.api.dataSource;
    const inside = (await inOrgScope(ds.manager, northwindId, (m) =>
      m.query(`SELECT DISTINCT org_id::text AS org FROM crm_calls`),
    )) as { org: string }[];
    expect(inside).toEqual([{ org: northwindId }]);
    // The pool has few idle connections here; each of them must be unscoped again.
    const settings = await Promise.all(
      Array.from({ length: 4 }, () =>
        ds.query(`SELECT coalesce(current_setting('onbehalf.org_id', true), '') AS v`),
      ),
    );
    for (const [row] of settings as { v: string }[][]) expect(row?.v).toBe('');
  });

  it("an org's user-mapping list over HTTP, served by the runtime role, holds its own user and no other org's", async () => {
    type Mappings = { items: { puid: string }[] };
    const contoso = await json<Mappings>(await s.admin.get(`/api/orgs/${contosoId}/user-mappings`));
    const northwind = await json<Mappings>(await s.admin.get(`/api/orgs/${northwindId}/user-mappings`));
    expect(contoso.items.map((m) => m.puid)).toEqual([JON_PUID]);
    expect(northwind.items.map((m) => m.puid)).toEqual([NORA_PUID]);
  });

  it("the org's audit page over HTTP lists only its own calls, and the unscoped list both orgs'", async () => {
    type Page = { items: { org: { id: string } }[] };
    const one = await json<Page>(await s.admin.get(`/api/audit?orgId=${northwindId}`));
    expect(new Set(one.items.map((i) => i.org.id))).toEqual(new Set([northwindId]));
    const all = await json<Page>(await s.admin.get(`/api/audit`));
    expect(new Set(all.items.map((i) => i.org.id))).toEqual(new Set([contosoId, northwindId]));
  });
});

describe('least-privilege Postgres: starting the API', () => {
  const template = inject('pgUrlTemplate');
  const config = testConfig;
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  let role: Awaited<ReturnType<typeof createRuntimeRole>>;
  const admin = () => new Client({ connectionString: template.replace('{db}', 'postgres') });

  beforeAll(async () => {
    const c = admin();
    await c.connect();
    await c.query(`CREATE DATABASE "${name}"`);
    await c.end();
    role = await createRuntimeRole(template.replace('{db}', name));
  });

  afterAll(async () => {
    const c = admin();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
    await role?.drop();
  });

  it('with only the runtime role on an empty database, refuses to start and names DATABASE_OWNER_URL', async () => {
    await expect(startApi(config({ DATABASE_URL: role.url }), { logger: false })).rejects.toThrow(
      /may not change the schema: set DATABASE_OWNER_URL/,
    );
  });

  it('refuses a DATABASE_URL that logs in as the owner itself, before migrating anything', async () => {
    const owner = template.replace('{db}', name);
    await expect(
      startApi(config({ DATABASE_URL: owner, DATABASE_OWNER_URL: owner }), { logger: false }),
    ).rejects.toThrow(/both log in as/);
    const c = new Client({ connectionString: owner });
    await c.connect();
    const tables = await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    await c.end();
    expect(tables.rows[0]).toEqual({ n: 0 });
  });

  it('with DATABASE_OWNER_URL, migrates the database as the owner and then serves as the runtime role', async () => {
    const api = await startApi(
      config({ DATABASE_URL: role.url, DATABASE_OWNER_URL: template.replace('{db}', name) }),
      { logger: false },
    );
    try {
      const [me] = (await api.dataSource.query(`SELECT current_user AS u`)) as { u: string }[];
      expect(me?.u).toBe(role.role);
      const health = await json<{ checks: { database: { status: string } } }>(
        await fetch(`${api.url}/api/health`),
      );
      expect(health.checks.database.status).toBe('up');
    } finally {
      await api.close();
    }
    // The second start finds nothing to migrate and grants again, idempotently.
    const again = await startApi(
      config({ DATABASE_URL: role.url, DATABASE_OWNER_URL: template.replace('{db}', name) }),
      { logger: false },
    );
    await again.close();
  });
});
