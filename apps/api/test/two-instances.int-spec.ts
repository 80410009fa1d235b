import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JobsService } from '../src/jobs/jobs.service';
import { startApi, type RunningApi } from '../src/server';
import { TicketRefreshScheduler } from '../src/tickets/ticket-refresh.scheduler';
import { ConsoleClient, startTestStack, type TestStack } from './harness';
import { JON_PUID, ledger, NORA_PUID, twoOrgs } from './support/orgs';

type Counts = { discovery?: Record<string, number>; crm?: Record<string, number> };

describe('two API instances on one database', () => {
  let s: TestStack;
  let b: RunningApi;
  let clientA: ConsoleClient;
  let clientB: ConsoleClient;
  let contosoId: string;
  let northwindId: string;
  const warmUpIds: string[] = [];

  const create = (c: ConsoleClient, orgId: string, puid: string, name: string) =>
    c.post(`/api/orgs/${orgId}/records/account`, { attributes: { name }, onBehalfOf: { puid } });
  const counts = () => s.emulator.control.counts() as unknown as Counts;

  beforeAll(async () => {
    // Each instance has its own id, as replicas in production do (ONBEHALF_INSTANCE_ID or host:pid).
    s = await startTestStack({ ONBEHALF_INSTANCE_ID: 'instance-a' });
    ({ contosoId, northwindId } = await twoOrgs(s.admin, s.emulator));
    // The same configuration (database, keys, emulator) on another port: a second instance behind a load balancer.
    b = await startApi({ ...s.config, port: 0, instanceId: 'instance-b' }, { logger: false });
    clientA = s.admin;
    clientB = new ConsoleClient(b.url);
    expect((await clientB.login(s.adminEmail, s.adminPassword)).status).toBe(200);
    // Each instance has its own CrmSession with the ticket in memory.
    for (const c of [clientA, clientB]) {
      const warm = await create(c, contosoId, JON_PUID, 'warm-up');
      expect(warm.status).toBe(201);
      warmUpIds.push(((await warm.json()) as { id: string }).id);
      expect((await create(c, northwindId, NORA_PUID, 'warm-up')).status).toBe(201);
    }
  });
  afterAll(async () => {
    await b?.close().catch(() => undefined);
    await s?.close();
  });

  it('a herd spread over both instances after the ticket expired causes exactly one RetrieveCrmTicket (advisory lock per org)', async () => {
    s.emulator.control.expireTickets({ org: 'contoso' });
    s.emulator.control.resetCounts();
    const res = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        create(i % 2 ? clientB : clientA, contosoId, JON_PUID, `herd ${i}`),
      ),
    );
    expect(res.map((r) => r.status)).toEqual(Array(60).fill(201));
    const c = counts();
    expect(c.discovery?.RetrieveCrmTicket).toBe(1);
    // 60 Creates, each sent once, plus one expired-ticket retry per CrmSession that met the fault (at most 2 × 60).
    expect(c.crm?.Create).toBeGreaterThanOrEqual(60);
    const rows = await ledger(s.api.dataSource, contosoId);
    expect(rows.filter((r) => r.outcome !== 'completed')).toEqual([]);
    expect(
      s.emulator.control
        .records({ org: 'contoso', entity: 'account' })
        .filter((r) => String(r.attributes.name).startsWith('herd ')).length,
    ).toBe(60);
  });

  it('both orgs expiring at once: one refresh per org, neither waits for the other', async () => {
    s.emulator.control.expireTickets();
    s.emulator.control.resetCounts();
    const res = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        create(
          i % 2 ? clientB : clientA,
          i % 4 < 2 ? contosoId : northwindId,
          i % 4 < 2 ? JON_PUID : NORA_PUID,
          `both ${i}`,
        ),
      ),
    );
    expect(res.map((r) => r.status)).toEqual(Array(40).fill(201));
    expect(counts().discovery?.RetrieveCrmTicket).toBe(2);
  });

  it('the per-org ticket-refresh jobs, due on both instances at the same moment, refresh each org once', async () => {
    // Both orgs' tickets inside the refresh-ahead window, their jobs still queued for the old expiry (later):
    // the sweep, due now, replaces them with jobs due now.
    await s.api.dataSource.query(`UPDATE tickets SET crm_expires_at = now() + interval '60 seconds'`);
    await s.api.dataSource.query(
      `UPDATE pgboss.job SET start_after = now() - interval '1 second' WHERE name = 'ticket-refresh-sweep' AND state = 'created'`,
    );
    const since = new Date();
    s.emulator.control.resetCounts();
    const [ranA, ranB] = await Promise.all([
      s.api.app.get(JobsService).tick(),
      b.app.get(JobsService).tick(),
    ]);
    const ran = [...ranA, ...ranB];
    expect(ran.filter((n) => n === 'ticket-refresh-sweep')).toEqual(['ticket-refresh-sweep']);
    expect(ran.filter((n) => n === 'ticket-refresh')).toEqual(['ticket-refresh', 'ticket-refresh']);
    // One refresh per org at the emulator, not one per instance.
    expect(counts().discovery?.RetrieveCrmTicket).toBe(2);
    const runs = (await s.api.dataSource.query(
      `SELECT singleton_key AS org, count(*)::int AS n FROM pgboss.job
        WHERE name = 'ticket-refresh' AND state = 'completed' AND (output->>'refreshed')::boolean AND completed_on >= $1
        GROUP BY singleton_key ORDER BY singleton_key`,
      [since],
    )) as { org: string; n: number }[];
    expect(runs).toEqual([contosoId, northwindId].sort().map((org) => ({ org, n: 1 })));
    const fresh = (await s.api.dataSource.query(
      `SELECT count(*)::int AS n FROM tickets WHERE crm_expires_at > now() + interval '1 hour'`,
    )) as { n: number }[];
    expect(fresh[0]!.n).toBe(2);
  });

  it('after a refresh each org has one ticket-refresh job keyed by the org, due at expiry − refresh-ahead − jitter (≤ 10 % of the time left); sending again from the other instance adds none', async () => {
    const ahead = s.config.ticketRefreshAheadSec;
    for (const orgId of [contosoId, northwindId]) {
      // The save queues the next job (asynchronously, after the ticket event).
      await vi.waitFor(async () =>
        expect(await b.app.get(JobsService).pending('ticket-refresh', orgId)).toHaveLength(1),
      );
      const [job] = await b.app.get(JobsService).pending('ticket-refresh', orgId);
      const [{ expires }] = (await s.api.dataSource.query(
        `SELECT crm_expires_at AS expires FROM tickets WHERE org_id = $1`,
        [orgId],
      )) as [{ expires: Date }];
      const due = expires.getTime() - ahead * 1000;
      expect(job!.singletonKey).toBe(orgId);
      expect(job!.state).toBe('created');
      expect(job!.startAfter.getTime()).toBeLessThanOrEqual(due);
      expect(job!.startAfter.getTime()).toBeGreaterThanOrEqual(due - 0.1 * (due - Date.now()) - 60_000);
      // A second send for the same org (the other instance, the same ticket) is refused: still one job.
      expect(await b.app.get(TicketRefreshScheduler).schedule(orgId, expires)).toBeNull();
      expect(await s.api.app.get(TicketRefreshScheduler).schedule(orgId, expires)).toBeNull();
      expect(await s.api.app.get(JobsService).pending('ticket-refresh', orgId)).toHaveLength(1);
    }
  });

  it("a session signed in on one instance works on the other, and both see each other's ledger rows", async () => {
    const fromB = await clientB.get(`/api/orgs/${contosoId}/calls?limit=200`);
    expect(fromB.status).toBe(200);
    const items = ((await fromB.json()) as { items: { outcome: string }[] }).items;
    expect(items.length).toBeGreaterThanOrEqual(60);
    const viaA = new ConsoleClient(s.url);
    expect((await viaA.login(s.adminEmail, s.adminPassword)).status).toBe(200);
    expect((await viaA.get(`/api/orgs/${northwindId}`)).status).toBe(200);
  });

  it('each ledger row names the instance that served the call: the warm-up Creates sent to A and to B', async () => {
    const rows = (await s.api.dataSource.query(
      `SELECT instance, count(*)::int AS n FROM crm_calls
        WHERE org_id = $1 AND operation = 'Create' AND record_id = ANY($2::uuid[])
        GROUP BY instance ORDER BY instance`,
      [contosoId, warmUpIds],
    )) as { instance: string; n: number }[];
    expect(rows).toEqual([
      { instance: 'instance-a', n: 1 },
      { instance: 'instance-b', n: 1 },
    ]);
    const events = (await s.api.dataSource.query(
      `SELECT DISTINCT instance FROM ticket_events WHERE instance IS NOT NULL ORDER BY instance`,
    )) as { instance: string }[];
    expect(events.map((e) => e.instance).every((i) => i === 'instance-a' || i === 'instance-b')).toBe(true);
  });
});
