import { getHeapStatistics } from 'node:v8';
import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LedgerService } from '../crm/ledger.service';

export type TicketRefreshKind = 'issued' | 'refreshed' | 'failure';

/** Up to this many ledger rows, onbehalf_audit_rows is an exact count; past it, the planner's estimate. */
const EXACT_COUNT_UP_TO = 10_000;

/** Seconds; CRM calls take milliseconds when healthy and up to the transport timeout when not. */
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Fault codes come from the remote side: at most this many distinct ones get a series, the rest count as `other`. */
export const MAX_FAULT_CODES = 200;
const MAX_FAULT_CODE_LENGTH = 64;

const LAG = 'nodejs_eventloop_lag_seconds';

let processMetrics: Registry | null = null;

/**
 * prom-client's default process, heap, event-loop and GC metrics, set up once per process: they
 * describe the process, and each set-up leaves a GC observer and an event-loop histogram running.
 * Two changes keep the names this API has always exported:
 * - `nodejs_eventloop_lag_seconds` is a gauge by `quantile` (0.5, 0.99, max) of the event-loop delay
 *   since the previous scrape, where prom-client has an unlabelled gauge of that name. Ours takes the
 *   name and is read from prom-client's own window: the collector that sets its p50 … p99, min, max
 *   gauges (and then restarts the window) runs first, inside ours.
 * - `nodejs_heap_used_bytes` and `nodejs_heap_total_bytes` (prom-client: nodejs_heap_size_*_bytes).
 */
function sharedProcessMetrics(): Registry {
  if (processMetrics) return processMetrics;
  const r = new Registry();
  collectDefaultMetrics({ register: r, eventLoopMonitoringPrecision: 20 });

  const lagFamily = r.getMetricsAsArray().filter((m) => m.name.startsWith('nodejs_eventloop_lag_'));
  const builtinLag = lagFamily.find((m) => m.name === LAG);
  const windowGauges = new Map(
    lagFamily.filter((m) => m !== builtinLag).map((m) => [m.name, r.getSingleMetric(m.name) as Gauge]),
  );
  for (const m of lagFamily) r.removeSingleMetric(m.name);
  const read = async (name: string) => (await windowGauges.get(name)?.get())?.values[0]?.value ?? 0;
  new Gauge({
    name: LAG,
    help: 'Event-loop delay since the previous scrape (median, 99th percentile and max), in seconds.',
    labelNames: ['quantile'] as const,
    registers: [r],
    async collect() {
      // Before the first await: prom-client's window gauges are set, and the window restarted, before the registry reads them.
      void builtinLag?.collect();
      const [p50, p99, max] = await Promise.all([
        read('nodejs_eventloop_lag_p50_seconds'),
        read('nodejs_eventloop_lag_p99_seconds'),
        read('nodejs_eventloop_lag_max_seconds'),
      ]);
      // An empty window (two scrapes within one sampling interval) has max 0 and meaningless percentiles.
      const seconds = (v: number) => (max > 0 && Number.isFinite(v) ? v : 0);
      this.set({ quantile: '0.5' }, seconds(p50));
      this.set({ quantile: '0.99' }, seconds(p99));
      this.set({ quantile: 'max' }, seconds(max));
    },
  });
  // Registered again after ours, so that the registry reads them once ours has refreshed them.
  for (const g of windowGauges.values()) r.registerMetric(g);

  new Gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, in bytes.',
    registers: [r],
    collect() {
      this.set(getHeapStatistics().used_heap_size);
    },
  });
  new Gauge({
    name: 'nodejs_heap_total_bytes',
    help: 'V8 heap allocated, in bytes.',
    registers: [r],
    collect() {
      this.set(getHeapStatistics().total_heap_size);
    },
  });
  processMetrics = r;
  return r;
}

/**
 * The API's Prometheus metrics (prom-client). The CRM module reports calls, ticket refreshes,
 * faults and ticket expiries here; process and ledger figures are read on each scrape. State is
 * per process: with several instances, Prometheus scrapes each one and sums.
 */
@Injectable()
export class MetricsService {
  private readonly registry = new Registry();
  private readonly faultCodes = new Set<string>();

  private readonly calls = new Counter({
    name: 'onbehalf_crm_calls_total',
    help: 'Impersonated CRM calls by org, operation and outcome.',
    labelNames: ['org_id', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly callSeconds = new Histogram({
    name: 'onbehalf_crm_call_duration_seconds',
    help: 'Latency of CRM calls as seen by the API, in seconds.',
    labelNames: ['org_id', 'operation'] as const,
    buckets: CALL_BUCKETS,
    registers: [this.registry],
  });
  private readonly ticketRefreshes = new Counter({
    name: 'onbehalf_ticket_refreshes_total',
    help: 'CRM ticket acquisitions by org and kind (issued, refreshed, failure).',
    labelNames: ['org_id', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly faults = new Counter({
    name: 'onbehalf_crm_faults_total',
    help: 'SOAP faults returned by CRM, by org and fault code.',
    labelNames: ['org_id', 'fault_code'] as const,
    registers: [this.registry],
  });
  private readonly ticketExpiry = new Gauge({
    name: 'onbehalf_ticket_expiry_timestamp_seconds',
    help: "Expiry of each org's current CRM ticket, in Unix seconds.",
    labelNames: ['org_id'] as const,
    registers: [this.registry],
  });

  constructor(private readonly ledger: LedgerService) {
    sharedProcessMetrics();
    this.registerLedgerMetrics();
  }

  /** One CRM call finished (outcome `completed` or `failed`, or a CRM error code family). */
  observeCall(orgId: string, operation: string, outcome: string, latencyMs: number): void {
    this.calls.inc({ org_id: orgId, operation, outcome });
    if (Number.isFinite(latencyMs) && latencyMs >= 0)
      this.callSeconds.observe({ org_id: orgId, operation }, latencyMs / 1000);
  }

  incTicketRefresh(orgId: string, kind: TicketRefreshKind): void {
    this.ticketRefreshes.inc({ org_id: orgId, kind });
  }

  incFault(orgId: string, faultCode: string): void {
    // A strange reply can neither bloat a label (length) nor add series without end (count).
    let code = faultCode.slice(0, MAX_FAULT_CODE_LENGTH);
    if (!this.faultCodes.has(code)) {
      if (this.faultCodes.size >= MAX_FAULT_CODES) code = 'other';
      else this.faultCodes.add(code);
    }
    this.faults.inc({ org_id: orgId, fault_code: code });
  }

  setTicketExpiry(orgId: string, epochSeconds: number): void {
    this.ticketExpiry.set({ org_id: orgId }, epochSeconds);
  }

  /** The text exposition (format 0.0.4): this service's metrics, then the process's. */
  async render(): Promise<string> {
    const text = await Registry.merge([this.registry, sharedProcessMetrics()]).metrics();
    return exposition(text);
  }

  private registerLedgerMetrics(): void {
    const ledger = this.ledger;
    new Gauge({
      name: 'onbehalf_audit_rows',
      help: `Rows in the CRM call ledger (exact up to ${EXACT_COUNT_UP_TO}, then the planner's estimate).`,
      registers: [this.registry],
      async collect(): Promise<void> {
        try {
          // reltuples is what ANALYZE last saw: free to read. A count is only run while the table is small.
          const estimate = await ledger.estimatedRowCount();
          if (estimate >= EXACT_COUNT_UP_TO) {
            this.set(estimate);
            return;
          }
          const exact = await ledger.countRowsUpTo(EXACT_COUNT_UP_TO + 1);
          this.set(Math.max(exact, estimate));
        } catch {
          // A scrape must not fail because the database is slow or down: the gauge keeps its last value.
        }
      },
    });
  }
}

/**
 * prom-client's text, as the format spells it and as strict readers want it: NaN (prom-client writes
 * `Nan`, e.g. the event-loop mean of an empty window) and no blank line between families. Help text
 * and label values have their newlines escaped, so a blank line can only be a separator.
 */
export function exposition(text: string): string {
  return text.replace(/\n\n+/g, '\n').replace(/ Nan$/gm, ' NaN');
}
