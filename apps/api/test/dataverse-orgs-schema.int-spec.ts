import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from './harness';
import { insertPlaceholderCertificate } from './support/rows';

/** The orgs table's rule for each kind of org (migration DataverseOrgs1732502200000), as Postgres enforces it. */
describe('orgs: the columns each kind of org requires', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let c: Client;
  let cert: string;

  beforeAll(async () => {
    db = await freshDatabase();
    c = new Client({ connectionString: db.url });
    await c.connect();
    cert = await insertPlaceholderCertificate({ query: async (sql, p) => (await c.query(sql, p)).rows });
  });
  afterAll(async () => {
    await c?.end();
    await db?.drop();
  });

  const insert = (cols: Record<string, string | null>) => {
    const names = ['friendly_name', 'certificate_id', 'status', ...Object.keys(cols)];
    const values = [`Org ${Math.random()}`, cert, 'onboarding', ...Object.values(cols)];
    return c.query<{ kind: string }>(
      `INSERT INTO orgs (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING kind`,
      values,
    );
  };
  const dataverse = {
    kind: 'dataverse',
    tenant: 'contoso.onmicrosoft.com',
    environment_url: 'https://contoso.crm.dynamics.com',
    client_id: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
  };

  it('an org without a kind is a CRM 4.0 org (the rows from before Dataverse)', async () => {
    const r = await insert({ discovery_url: 'https://dev.crm.dynamics.com/d' });
    expect(r.rows[0]!.kind).toBe('crm4');
  });

  it('a CRM 4.0 org needs its discovery URL', async () => {
    await expect(insert({ kind: 'crm4' })).rejects.toMatchObject({ constraint: 'orgs_kind_columns_check' });
  });

  it('a Dataverse org needs no discovery URL, but its tenant, environment URL and client id', async () => {
    expect((await insert(dataverse)).rows[0]!.kind).toBe('dataverse');
    for (const missing of ['tenant', 'environment_url', 'client_id'] as const)
      await expect(
        insert({
          ...dataverse,
          environment_url: `https://x${Math.random()}.crm.dynamics.com`,
          [missing]: null,
        }),
      ).rejects.toMatchObject({ constraint: 'orgs_kind_columns_check' });
  });

  it('a kind other than crm4 or dataverse is refused', async () => {
    await expect(insert({ kind: 'crm2011', discovery_url: 'https://x' })).rejects.toMatchObject({
      constraint: 'orgs_kind_check',
    });
  });

  it('one environment is onboarded once, its URL compared case aside', async () => {
    const url = 'https://fabrikam.crm.dynamics.com';
    await insert({ ...dataverse, environment_url: url });
    await expect(insert({ ...dataverse, environment_url: url.toUpperCase() })).rejects.toMatchObject({
      constraint: 'orgs_environment_uq',
    });
  });
});
