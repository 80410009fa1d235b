import { randomUUID } from 'node:crypto';
import type { RunningEmulator } from '@onbehalf/emulator';
import type { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleClient, json } from './harness';
import { JON_PUID, onboard, uploadDemoCertificate } from './support/orgs';
import { type RestartableApi, startRestartableApi } from './support/restartable-api';

interface Outcome {
  name: string;
  requestId: string;
  status: number | 'no reply';
  id?: string;
}

type Row = {
  id: string;
  outcome: string;
  error_code: string | null;
  record_id: string | null;
  request_id: string;
  operation: string;
};

/**
 * The API as production runs it (node dist/main.js), SIGKILLed under load and restarted on the same
 * database: the ledger has no silent gap, reconciliation resolves what the crash cut off, and no
 * Create is sent twice.
 */
describe('crash safety: SIGKILL under load, restart on the same database', () => {
  let world: RestartableApi;
  let emulator: RunningEmulator;
  let pg: Client;
  let orgId: string;
  const boot = () => world.boot();
  const api = () => world.api;
  const rows = async () =>
    (
      await pg.query<Row>(
        `SELECT id, operation, outcome, error_code, record_id, request_id FROM crm_calls WHERE org_id = $1`,
        [orgId],
      )
    ).rows;
  const records = () => emulator.control.records({ org: 'contoso', entity: 'account' });

  /** Workers that create records until the API stops answering. */
  const load = (c: ConsoleClient, tag: string, workers: number, out: Outcome[]) =>
    Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = 0; ; i++) {
          const o: Outcome = { name: `${tag} ${w}.${i}`, requestId: randomUUID(), status: 'no reply' };
          out.push(o);
          try {
            const res = await c.post(
              `/api/orgs/${orgId}/records/account`,
              { attributes: { name: o.name }, onBehalfOf: { puid: JON_PUID } },
              { 'x-request-id': o.requestId },
            );
            o.status = res.status;
            if (res.status === 201) o.id = (await json<{ id: string }>(res)).id;
          } catch {
            return; // connection refused or reset: the API is gone
          }
        }
      }),
    );

  let client: ConsoleClient;

  beforeAll(async () => {
    // A pending row is "cut off" after 1 s here; production waits a minute.
    world = await startRestartableApi('crash', { ONBEHALF_RECONCILE_PENDING_AFTER_SEC: '1' });
    ({ emulator, pg } = world);
    client = await boot();
    const certId = await uploadDemoCertificate(client, emulator);
    orgId = await onboard(client, emulator, 'Contoso Ltd', certId);
  }, 180_000);
  afterAll(async () => {
    await world?.close();
  });

  it('SIGKILL with Creates in flight: after restart and reconciliation no row is pending, every Create is in CRM at most once, lost replies are found', async () => {
    const warm = await client.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name: 'warm-up' },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(warm.status).toBe(201);
    // Slow replies, so that the kill finds Creates at every stage: written pending, sent, run at CRM, replied.
    emulator.control.addScenario({ name: 'SLOW', org: 'contoso', endpoint: 'crm', params: { ms: 300 } });
    const out: Outcome[] = [];
    const running = load(client, 'crash', 8, out);
    await sleep(1_500);
    await api()!.kill();
    await running;
    emulator.control.clearScenarios();
    await sleep(500); // Creates the emulator was still holding land now, their replies to nobody

    const atCrash = await rows();
    const pendingAtCrash = atCrash.filter((r) => r.outcome === 'pending');
    // The crash left visible pending rows, not gaps: every confirmed Create is completed with its id.
    expect(pendingAtCrash.length).toBeGreaterThan(0);
    const confirmed = out.filter((o) => o.status === 201);
    expect(confirmed.length).toBeGreaterThan(0);
    for (const o of confirmed)
      expect(atCrash.find((r) => r.request_id === o.requestId)).toMatchObject({
        outcome: 'completed',
        record_id: o.id,
      });

    client = await boot();
    await sleep(1_100);
    emulator.control.resetCounts();
    const report = await json<{
      pendingResolved: number;
      mismatch: number;
      missing: number;
      unknown: { recordId: string }[];
    }>(await client.post(`/api/orgs/${orgId}/reconcile`));
    expect(report.pendingResolved).toBe(pendingAtCrash.length);
    expect(report.mismatch).toBe(0);
    expect(report.missing).toBe(0);
    const after = await rows();
    expect(after.filter((r) => r.outcome === 'pending')).toEqual([]);
    for (const p of pendingAtCrash)
      expect(after.find((r) => r.id === p.id)).toMatchObject({
        outcome: 'failed',
        error_code: 'CRASHED_UNKNOWN_OUTCOME',
      });
    // Restarting and reconciling sent no write.
    expect((emulator.control.counts() as unknown as { crm?: Record<string, number> }).crm?.Create ?? 0).toBe(
      0,
    );

    // CRM holds each Create at most once; each is either a completed ledger row or a crash-cut one reconciliation found.
    const mine = records().filter((r) => String(r.attributes.name).startsWith('crash '));
    const names = mine.map((r) => String(r.attributes.name));
    expect(new Set(names).size).toBe(names.length);
    const unknown = new Set(report.unknown.map((u) => u.recordId));
    for (const rec of mine) {
      const id = rec.id.toLowerCase();
      const sent = out.find((o) => o.name === rec.attributes.name)!;
      const row = after.find((r) => r.request_id === sent.requestId)!;
      if (row.outcome === 'completed') expect(row.record_id).toBe(id);
      else {
        expect(row.error_code).toBe('CRASHED_UNKNOWN_OUTCOME');
        expect(unknown.has(id), `${rec.attributes.name} is reported as an unknown change`).toBe(true);
      }
    }
    for (const o of confirmed) expect(mine.some((r) => r.id.toLowerCase() === o.id)).toBe(true);
    console.log(
      `crash: ${out.length} requests, ${confirmed.length} confirmed, ${pendingAtCrash.length} pending at the kill, ` +
        `${mine.length} in CRM, ${report.unknown.length} found by reconciliation`,
    );

    // The restarted API works, and sends each new Create once.
    emulator.control.resetCounts();
    const again = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.post(`/api/orgs/${orgId}/records/account`, {
          attributes: { name: `after ${i}` },
          onBehalfOf: { puid: JON_PUID },
        }),
      ),
    );
    expect(again.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect((emulator.control.counts() as unknown as { crm?: Record<string, number> }).crm?.Create).toBe(5);
  });

  it("SIGKILL during a ticket refresh: the dead instance's advisory lock goes with it, and the restarted one refreshes once", async () => {
    emulator.control.expireTickets({ org: 'contoso' });
    emulator.control.addScenario({
      name: 'SLOW',
      org: 'contoso',
      endpoint: 'discovery',
      params: { ms: 3_000, count: 1 },
    });
    const out: Outcome[] = [];
    const running = load(client, 'refresh-crash', 4, out);
    const advisory = async () =>
      Number(
        (
          await pg.query<{ n: string }>(
            `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`,
          )
        ).rows[0]!.n,
      );
    const deadline = Date.now() + 5_000;
    while ((await advisory()) === 0 && Date.now() < deadline) await sleep(50);
    expect(await advisory()).toBeGreaterThan(0);
    await api()!.kill();
    await running;
    expect(out.every((o) => o.status === 'no reply')).toBe(true);
    const released = Date.now() + 5_000;
    while ((await advisory()) > 0 && Date.now() < released) await sleep(50);
    expect(await advisory()).toBe(0);
    emulator.control.clearScenarios();

    client = await boot();
    emulator.control.resetCounts();
    const herd = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.post(`/api/orgs/${orgId}/records/account`, {
          attributes: { name: `herd ${i}` },
          onBehalfOf: { puid: JON_PUID },
        }),
      ),
    );
    expect(herd.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(
      (emulator.control.counts() as unknown as { discovery?: Record<string, number> }).discovery
        ?.RetrieveCrmTicket,
    ).toBe(1);
    await sleep(1_100);
    const report = await json<{ pendingResolved: number }>(await client.post(`/api/orgs/${orgId}/reconcile`));
    expect(report.pendingResolved).toBeGreaterThan(0);
    expect((await rows()).filter((r) => r.outcome === 'pending')).toEqual([]);
    // Those Creates met the expired ticket, which CRM refuses before running anything.
    expect(records().filter((r) => String(r.attributes.name).startsWith('refresh-crash ')).length).toBe(0);
  });

  it('a graceful stop (SIGTERM) exits 0 and leaves nothing pending', async () => {
    const ok = await client.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name: 'before stop' },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(ok.status).toBe(201);
    const p = api()!.process;
    await api()!.stop();
    expect(p.exitCode).toBe(0);
    expect((await rows()).filter((r) => r.outcome === 'pending')).toEqual([]);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
