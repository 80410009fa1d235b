import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../src/database/data-source';
import { startApi, type RunningApi } from '../src/server';
import { testConfig } from './harness';

const env = (databaseUrl: string) => testConfig({ DATABASE_URL: databaseUrl });

/**
 * The database comes up through TypeOrmModule's dataSourceFactory: connected, then migrated
 * under the advisory lock, before Nest serves.
 */
describe('API start: the database through @nestjs/typeorm', () => {
  const template = inject('pgUrlTemplate');
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  const apis: RunningApi[] = [];

  afterAll(async () => {
    for (const a of apis) await a.close().catch(() => undefined);
    const c = new Client({ connectionString: template.replace('{db}', 'postgres') });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });

  it('rejects with the reason when Postgres cannot be reached, at once and without aborting the process', async () => {
    const started = Date.now();
    await expect(
      startApi(env('postgres://nobody:nothing@127.0.0.1:9/none'), { logger: false }),
    ).rejects.toThrow(/^cannot connect to the database \(DATABASE_URL\)/);
    // No retry loop: @nestjs/typeorm would otherwise retry 9 times, 3 s apart.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('two instances started at once on an empty database both serve, and each migration ran once', async () => {
    const admin = new Client({ connectionString: template.replace('{db}', 'postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const config = env(template.replace('{db}', name));
    apis.push(
      ...(await Promise.all([startApi(config, { logger: false }), startApi(config, { logger: false })])),
    );
    for (const a of apis) {
      const login = await fetch(`${a.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.test', password: config.firstAdmin.password }),
      });
      expect(login.status).toBe(200);
    }
    const rows = (await apis[0]!.dataSource.query(`SELECT name FROM migrations ORDER BY id`)) as {
      name: string;
    }[];
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });
});
