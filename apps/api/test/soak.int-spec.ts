import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEMO_IDS } from '@onbehalf/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from './harness';
import { forDuration, quantile } from './support/load';
import { JON_PUID, NORA_PUID, twoOrgs } from './support/orgs';

const SOAK_MS = 60_000;
const WARM_UP_MS = 5_000;
const WORKERS = 6;
/**
 * Steady latency: the p99 of the soak's last window may be at most this many times the p99 of its first.
 * Each window is 20 s when the soak is long enough for two disjoint ones, else its first and last third.
 */
const WINDOW_MS = Math.min(20_000, SOAK_MS / 3);
const P99_GROWTH_LIMIT = 2;
/** Heap after GC may grow this much over the soak: the emulator keeps every record it creates in memory. */
const HEAP_BUDGET_MB = 30;

/** A forced GC: --expose-gc when Node was started with it, otherwise switched on now through V8's flags. */
function gcFunction(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

async function settledHeapMb(gc: (() => void) | null): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().heapUsed / 1_048_576;
}

describe('soak: a minute of concurrent impersonated calls on two orgs', () => {
  let s: TestStack;
  let contosoId: string;
  let northwindId: string;
  let noraAccount: string;

  beforeAll(async () => {
    // The emulator keeps its records in memory only: rewriting its state file, which grows with every record the
    // soak creates, would slow the emulator (in this process) as the minute goes on, and the steady-latency bound
    // is the API's, not the emulator's persistence.
    s = await startTestStack({}, { persistState: false });
    ({ contosoId, northwindId } = await twoOrgs(s.admin, s.emulator));
    const r = await s.admin.post(`/api/orgs/${northwindId}/records/account`, {
      attributes: { name: 'soak target' },
      onBehalfOf: { puid: NORA_PUID },
    });
    noraAccount = (await json<{ id: string }>(r)).id;
  });
  afterAll(async () => {
    await s?.close();
  });

  it(
    `runs ${SOAK_MS / 1000} s of Creates, Updates, Retrieves and WhoAmIs with no error, a p99 in the last ${WINDOW_MS / 1000} s at most ${P99_GROWTH_LIMIT}× that of the first ${WINDOW_MS / 1000} s, and a flat heap`,
    async () => {
      const gc = gcFunction();
      /** Each call's latency with the time it completed (performance.now()). */
      let samples: { at: number; ms: number }[] = [];
      let errors: string[] = [];
      const step = async (worker: number, i: number) => {
        const contoso = worker % 2 === 0;
        const org = contoso ? contosoId : northwindId;
        const puid = contoso ? JON_PUID : NORA_PUID;
        const kind = i % 10;
        const t0 = performance.now();
        const res =
          kind < 5
            ? await s.admin.post(`/api/orgs/${org}/records/account`, {
                attributes: { name: `soak ${worker}.${i}` },
                onBehalfOf: { puid },
              })
            : kind < 7
              ? await s.admin.request(
                  'PATCH',
                  `/api/orgs/${org}/records/account/${contoso ? DEMO_IDS.fourthCoffee : noraAccount}`,
                  { attributes: { telephone1: String(i) }, onBehalfOf: { puid } },
                )
              : kind < 9
                ? await s.admin.get(
                    `/api/orgs/${org}/records/account/${contoso ? DEMO_IDS.fourthCoffee : noraAccount}?columns=name,telephone1`,
                  )
                : await s.admin.post(`/api/orgs/${org}/whoami`, { onBehalfOf: { puid } });
        await res.arrayBuffer();
        const at = performance.now();
        samples.push({ at, ms: at - t0 });
        if (res.status >= 400) errors.push(`${res.status} ${res.url}`);
      };

      await forDuration(WARM_UP_MS, WORKERS, step);
      const heapAfterWarmUp = await settledHeapMb(gc);
      const rssAfterWarmUp = process.memoryUsage().rss / 1_048_576;
      const ledgerBefore = Number(
        (await s.api.dataSource.query(`SELECT count(*)::int AS n FROM crm_calls`))[0].n,
      );
      samples = [];
      errors = [];
      const t0 = performance.now();
      const calls = await forDuration(SOAK_MS, WORKERS, step);
      const tEnd = performance.now();
      const seconds = (tEnd - t0) / 1000;
      const heapAtEnd = await settledHeapMb(gc);
      const rssAtEnd = process.memoryUsage().rss / 1_048_576;

      const latencies = samples.map((x) => x.ms);
      const p50 = quantile(latencies, 0.5);
      const p99 = quantile(latencies, 0.99);
      // Windows by completion time: the first after t0, the last before the soak's last call returned.
      const firstWindow = samples.filter((x) => x.at <= t0 + WINDOW_MS).map((x) => x.ms);
      const lastWindow = samples.filter((x) => x.at >= tEnd - WINDOW_MS).map((x) => x.ms);
      const p99First = quantile(firstWindow, 0.99);
      const p99Last = quantile(lastWindow, 0.99);
      const errorRate = errors.length / latencies.length;
      console.log(
        `soak: ${latencies.length} calls in ${seconds.toFixed(1)} s (${(latencies.length / seconds).toFixed(0)}/s, ${WORKERS} workers), ` +
          `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (first ${WINDOW_MS / 1000} s: ${p99First.toFixed(1)} ms over ${firstWindow.length} calls, ` +
          `last ${WINDOW_MS / 1000} s: ${p99Last.toFixed(1)} ms over ${lastWindow.length} calls), error rate ${(errorRate * 100).toFixed(2)}%; ` +
          `heap after GC ${heapAfterWarmUp.toFixed(1)} → ${heapAtEnd.toFixed(1)} MB (${gc ? 'forced GC' : 'no GC available'}), ` +
          `RSS ${rssAfterWarmUp.toFixed(0)} → ${rssAtEnd.toFixed(0)} MB, ${s.emulator.control.records({ org: 'contoso' }).length + s.emulator.control.records({ org: 'northwind' }).length} records held by the emulator`,
      );
      expect(latencies.length).toBe(calls);
      expect(errors.slice(0, 5)).toEqual([]);
      expect(errorRate).toBe(0);
      expect(p99).toBeLessThan(2_000);
      // Steady latency: enough calls in each window for a p99, and no growth beyond the limit.
      expect(firstWindow.length).toBeGreaterThanOrEqual(100);
      expect(lastWindow.length).toBeGreaterThanOrEqual(100);
      expect(p99Last).toBeLessThanOrEqual(P99_GROWTH_LIMIT * p99First);
      if (gc) expect(heapAtEnd - heapAfterWarmUp).toBeLessThan(HEAP_BUDGET_MB);
      else expect(rssAtEnd - rssAfterWarmUp).toBeLessThan(HEAP_BUDGET_MB * 4);
      // Every call of the soak is in the ledger, completed.
      const rows = (await s.api.dataSource.query(
        `SELECT outcome, count(*)::int AS n FROM crm_calls GROUP BY outcome`,
      )) as { outcome: string; n: number }[];
      expect(rows.filter((r) => r.outcome !== 'completed')).toEqual([]);
      const ledgerAfter = rows.reduce((a, r) => a + r.n, 0);
      expect(ledgerAfter - ledgerBefore).toBe(latencies.length);
    },
    SOAK_MS + WARM_UP_MS + 60_000,
  );
});
