import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_HISTORY, JobsService } from '../src/jobs/jobs.service';
import { startTestApi, type TestApi } from './harness';

const PERIODIC = [
  'certificate-expiry-warnings',
  'idempotency-purge',
  'ledger-seal',
  'reconcile',
  'ticket-refresh-sweep',
];

describe('background jobs on pg-boss', () => {
  let a: TestApi;
  let b: TestApi;
  const q = <T>(sql: string, params: unknown[] = []) => a.api.dataSource.query(sql, params) as Promise<T[]>;

  beforeAll(async () => {
    a = await startTestApi();
    // A second API instance on the same database.
    b = await startTestApi({ DATABASE_URL: a.config.databaseUrl });
  });
  afterAll(async () => {
    await b?.close().catch(() => undefined);
    await a?.close();
  });

  it('two instances ticking at the same moment never run one job twice at once: each due job runs (exactly once when its interval is longer than the ticks took), then its next run is queued one interval later', async () => {
    // Each job's own interval, as registered. On a loaded machine the ticks below may take longer than the
    // shortest interval (ledger-seal: 5 s): a job whose interval has passed since the first tick began may be
    // due again, and is then allowed to run again; every job with a longer interval must run exactly once.
    const handlers = a.api.app.get(JobsService)['handlers'] as Map<string, { everyMs: number | null }>;
    const everyMs = (name: string) => handlers.get(name)!.everyMs!;
    expect(PERIODIC.map(everyMs).every((ms) => ms > 0)).toBe(true);
    await q(`UPDATE pgboss.job SET start_after = now() - interval '1 second' WHERE state = 'created'`);
    const before = await q<{ name: string; n: number }>(
      `SELECT name, count(*)::int AS n FROM pgboss.job WHERE state = 'completed' GROUP BY name`,
    );
    const t0 = Date.now();
    const [ranA, ranB] = await Promise.all([
      a.api.app.get(JobsService).tick(),
      b.api.app.get(JobsService).tick(),
    ]);
    const firstMs = Date.now() - t0;
    const ran = [...ranA, ...ranB];
    const done = await q<{ name: string; n: number }>(
      `SELECT name, count(*)::int AS n FROM pgboss.job WHERE state = 'completed' GROUP BY name ORDER BY name`,
    );
    const completed = (name: string) =>
      (done.find((r) => r.name === name)?.n ?? 0) - (before.find((r) => r.name === name)?.n ?? 0);
    for (const name of PERIODIC) {
      const runs = ran.filter((n) => n === name).length;
      // Every run the ticks report completed, once: no instance ran a job the other was running.
      expect(completed(name), name).toBe(runs);
      if (everyMs(name) > firstMs)
        expect(runs, `${name} (every ${everyMs(name)} ms, ticks took ${firstMs} ms)`).toBe(1);
      else expect(runs, name).toBeGreaterThanOrEqual(1);
    }
    expect([...new Set(ran)].sort()).toEqual(PERIODIC);
    // One next run per job, an interval away: not due again now, on either instance.
    const waiting = await q<{ name: string; n: number; in_s: number }>(
      `SELECT name, count(*)::int AS n, min(extract(epoch FROM start_after - now()))::int AS in_s
         FROM pgboss.job WHERE state = 'created' AND name = ANY($1) GROUP BY name ORDER BY name`,
      [PERIODIC],
    );
    expect(waiting.map((w) => [w.name, w.n])).toEqual(PERIODIC.map((n) => [n, 1]));
    expect(waiting.find((w) => w.name === 'reconcile')!.in_s).toBeGreaterThan(4 * 60);
    const again = [
      ...(await a.api.app.get(JobsService).tick()),
      ...(await b.api.app.get(JobsService).tick()),
    ];
    // Each next run was queued after t0, so a job can be due now only if its interval has passed since t0.
    const sinceT0 = Date.now() - t0;
    const notDue = PERIODIC.filter((name) => everyMs(name) > sinceT0);
    expect(notDue, `jobs due again after ${sinceT0} ms`).toContain('reconcile');
    expect(
      again.filter((name) => notDue.includes(name)),
      `${sinceT0} ms after the first tick`,
    ).toEqual([]);
    expect(again.filter((name) => !PERIODIC.includes(name))).toEqual([]);
  });

  it('a failing job is retried with exponential backoff (retryDelay × 2^n … × 2^(n+1)), then succeeds', async () => {
    const jobs = a.api.app.get(JobsService);
    let calls = 0;
    jobs.registerQueue<{ n: number }>({
      name: 'test-flaky',
      leaseMs: 60_000,
      retry: { retryLimit: 3, retryDelaySec: 20 },
      run: async () => {
        calls++;
        if (calls < 3) throw new Error(`attempt ${calls} failed`);
        return { attempts: calls };
      },
    });
    const id = (await jobs.send('test-flaky', { n: 1 }))!;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(await jobs.tick()).toContain('test-flaky');
      const [row] = await q<{ state: string; retry_in: number; message: string }>(
        `SELECT state::text, extract(epoch FROM start_after - now())::float AS retry_in, output->>'message' AS message
           FROM pgboss.job WHERE id = $1`,
        [id],
      );
      expect(row!.state).toBe('retry');
      expect(row!.message).toBe(`attempt ${attempt} failed`);
      delays.push(row!.retry_in);
      // Not retried before its delay…
      expect(await jobs.tick()).not.toContain('test-flaky');
      await q(`UPDATE pgboss.job SET start_after = now() WHERE id = $1`, [id]);
    }
    // 20 × 2^n ≤ delay ≤ 20 × 2^(n+1) for the n-th retry (n from 0), less the few seconds this test took.
    expect(delays[0]).toBeGreaterThan(15);
    expect(delays[0]).toBeLessThanOrEqual(40);
    expect(delays[1]).toBeGreaterThan(35);
    expect(delays[1]).toBeLessThanOrEqual(80);
    expect(await jobs.tick()).toContain('test-flaky');
    expect(await jobs.job('test-flaky', id)).toMatchObject({
      state: 'completed',
      retryCount: 2,
      output: { attempts: 3 },
    });
  });

  it('every job queue retries with backoff, has a lease (expiry) and the one-day retention; history is deleted 7 days after a job ends', async () => {
    const queues = await q<Record<string, unknown>>(
      `SELECT name, policy, retry_limit, retry_delay, retry_backoff, expire_seconds, retention_minutes
         FROM pgboss.queue WHERE name = ANY($1) ORDER BY name`,
      [[...PERIODIC, 'ticket-refresh']],
    );
    expect(queues.map((r) => r.name)).toEqual([
      'certificate-expiry-warnings',
      'idempotency-purge',
      'ledger-seal',
      'reconcile',
      'ticket-refresh',
      'ticket-refresh-sweep',
    ]);
    for (const r of queues) {
      expect(r, String(r.name)).toMatchObject({
        policy: 'stately',
        retry_backoff: true,
        retention_minutes: 24 * 60,
      });
      expect(r.retry_limit as number).toBeGreaterThanOrEqual(3);
      expect(r.retry_delay as number).toBeGreaterThanOrEqual(10);
      expect(r.expire_seconds as number).toBeGreaterThanOrEqual(60);
    }
    expect(queues.find((r) => r.name === 'reconcile')!.expire_seconds).toBe(600);
    expect(JOB_HISTORY.archiveAfterSeconds / 86_400 + JOB_HISTORY.deleteAfterDays).toBe(7);

    // Maintenance moves jobs finished more than a day ago to the archive, and drops archived ones after 6 days.
    const jobs = a.api.app.get(JobsService);
    const old = await q<{ id: string }>(
      `SELECT id FROM pgboss.job WHERE state = 'completed' AND name = 'reconcile' LIMIT 1`,
    );
    expect(old).toHaveLength(1);
    const id = old[0]!.id;
    await q(`UPDATE pgboss.job SET completed_on = now() - interval '25 hours' WHERE id = $1`, [id]);
    await jobs.maintain();
    expect(await q(`SELECT 1 FROM pgboss.job WHERE id = $1`, [id])).toHaveLength(0);
    expect(await q(`SELECT 1 FROM pgboss.archive WHERE id = $1`, [id])).toHaveLength(1);
    await q(`UPDATE pgboss.archive SET archived_on = now() - interval '6 days 1 minute' WHERE id = $1`, [id]);
    await jobs.maintain();
    expect(await q(`SELECT 1 FROM pgboss.archive WHERE id = $1`, [id])).toHaveLength(0);
  });

  it('a run whose instance died is failed once its lease (expireInSeconds) has passed, and the other instance runs it again', async () => {
    const jobs = a.api.app.get(JobsService);
    await q(
      `UPDATE pgboss.job SET start_after = now() - interval '1 second' WHERE name = 'reconcile' AND state = 'created'`,
    );
    // Instance a fetches the job and "dies" before finishing: the job stays active, held by nobody.
    const [held] = await q<{ id: string }>(
      `SELECT id FROM pgboss.job WHERE name = 'reconcile' AND state = 'created'`,
    );
    await q(`UPDATE pgboss.job SET state = 'active', started_on = now() WHERE id = $1`, [held!.id]);
    expect(await b.api.app.get(JobsService).tick()).not.toContain('reconcile');
    // Ten minutes later (the reconcile lease), maintenance fails the run; the retry is due after its backoff.
    await q(`UPDATE pgboss.job SET started_on = now() - interval '601 seconds' WHERE id = $1`, [held!.id]);
    await jobs.maintain();
    const [after] = await q<{ state: string; message: string }>(
      `SELECT state::text, output->'value'->>'message' AS message FROM pgboss.job WHERE id = $1`,
      [held!.id],
    );
    expect(after).toEqual({ state: 'retry', message: 'job failed by timeout in active state' });
    await q(`UPDATE pgboss.job SET start_after = now() WHERE id = $1`, [held!.id]);
    expect(await b.api.app.get(JobsService).tick()).toContain('reconcile');
    expect((await jobs.job('reconcile', held!.id))?.state).toBe('completed');
  });
});
