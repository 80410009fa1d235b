import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsService } from '../src/jobs/jobs.service';
import { startTestApi, type TestApi } from './harness';

describe('background jobs in Postgres', () => {
  let a: TestApi;
  let b: TestApi;
  beforeAll(async () => {
    a = await startTestApi();
    // A second API instance on the same database.
    b = await startTestApi({ DATABASE_URL: a.config.databaseUrl });
  });
  afterAll(async () => {
    await b?.close().catch(() => undefined);
    await a?.close();
  });

  it('runs each due job once across two instances ticking at the same moment', async () => {
    await a.api.dataSource.query(
      `UPDATE scheduled_jobs SET next_run_at = now() - interval '1 second', locked_until = NULL`,
    );
    const [ranA, ranB] = await Promise.all([
      a.api.app.get(JobsService).tick(),
      b.api.app.get(JobsService).tick(),
    ]);
    const names = [...ranA, ...ranB].sort();
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['certificate-expiry-warnings', 'reconcile', 'ticket-refresh']),
    );
    const runs = await a.api.dataSource.query(`SELECT name, count(*)::int AS n FROM job_runs GROUP BY name`);
    for (const r of runs as { name: string; n: number }[]) expect(r.n, r.name).toBe(1);
    // Not due again until its interval passes.
    expect(await a.api.app.get(JobsService).tick()).toEqual([]);
  });
});
