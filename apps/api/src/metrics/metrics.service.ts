import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type Gauge, MetricRegistry } from './metric-registry';

export type TicketRefreshKind = 'issued' | 'refreshed' | 'failure';

/** Up to this many ledger rows, onbehalf_audit_rows is an exact count; past it, the planner's estimate. */
const EXACT_COUNT_UP_TO = 10_000;

/** Seconds; CRM calls take milliseconds when healthy and up to the transport timeout when not. */
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The API's Prometheus metrics. The CRM module reports calls, ticket refreshes, faults and ticket
 * expiries here; process and ledger figures are read on each scrape. State is per process: with
 * several instances, Prometheus scrapes each one and sums.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  private readonly registry = new MetricRegistry();
  private readonly loopDelay: IntervalHistogram;

  private readonly calls = this.registry.counter({
    name: 'onbehalf_crm_calls_total',
    help: 'Impersonated CRM calls by org, operation and outcome.',
    labelNames: ['org_id', 'operation', 'outcome'],
  });
  private readonly callSeconds = this.registry.histogram({
    name: 'onbehalf_crm_call_duration_seconds',
    help: 'Latency of CRM calls as seen by the API, in seconds.',
    labelNames: ['org_id', 'operation'],
    buckets: CALL_BUCKETS,
  });
  private readonly ticketRefreshes = this.registry.counter({
    name: 'onbehalf_ticket_refreshes_total',
    help: 'CRM ticket acquisitions by org and kind (issued, refreshed, failure).',
    labelNames: ['org_id', 'kind'],
  });
  private readonly faults = this.registry.counter({
    name: 'onbehalf_crm_faults_total',
    help: 'SOAP faults returned by CRM, by org and fault code.',
    labelNames: ['org_id', 'fault_code'],
  });
  private readonly ticketExpiry = this.registry.gauge({
    name: 'onbehalf_ticket_expiry_timestamp_seconds',
    help: "Expiry of each org's current CRM ticket, in Unix seconds.",
    labelNames: ['org_id'],
  });

  constructor(@Inject(DataSource) private readonly db: DataSource) {
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
    this.registerProcessMetrics();
    this.registerLedgerMetrics();
  }

  /** One CRM call finished (outcome `completed` or `failed`, or a CRM error code family). */
  observeCall(orgId: string, operation: string, outcome: string, latencyMs: number): void {
    this.calls.inc({ org_id: orgId, operation, outcome });
    if (Number.isFinite(latencyMs) && latencyMs >= 0) this.callSeconds.observe({ org_id: orgId, operation }, latencyMs / 1000);
  }

  incTicketRefresh(orgId: string, kind: TicketRefreshKind): void {
    this.ticketRefreshes.inc({ org_id: orgId, kind });
  }

  incFault(orgId: string, faultCode: string): void {
    // Fault codes come from the remote side: cap their length so that a strange reply cannot bloat a label.
    this.faults.inc({ org_id: orgId, fault_code: faultCode.slice(0, 64) });
  }

  setTicketExpiry(orgId: string, epochSeconds: number): void {
    this.ticketExpiry.set({ org_id: orgId }, epochSeconds);
  }

  /** Forgets an org's series (after the org is deleted), so that its last values do not linger. */
  forgetOrg(orgId: string): void {
    for (const m of [this.calls, this.callSeconds, this.ticketRefreshes, this.faults, this.ticketExpiry]) m.removeMatching({ org_id: orgId });
  }

  /** The text exposition (format 0.0.4). */
  render(): Promise<string> {
    return this.registry.render();
  }

  onModuleDestroy(): void {
    this.loopDelay.disable();
  }

  private registerProcessMetrics(): void {
    const rss = this.registry.gauge({ name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.' });
    const heapUsed = this.registry.gauge({ name: 'nodejs_heap_used_bytes', help: 'V8 heap in use, in bytes.' });
    const heapTotal = this.registry.gauge({ name: 'nodejs_heap_total_bytes', help: 'V8 heap allocated, in bytes.' });
    const external = this.registry.gauge({ name: 'nodejs_external_memory_bytes', help: 'Memory of C++ objects bound to JavaScript, in bytes.' });
    const cpu = this.registry.counter({ name: 'process_cpu_seconds_total', help: 'User and system CPU time spent, in seconds.' });
    const lag = this.registry.gauge({
      name: 'nodejs_eventloop_lag_seconds',
      help: 'Event-loop delay since the previous scrape (median, 99th percentile and max), in seconds.',
      labelNames: ['quantile'],
    });
    let cpuReported = 0;
    // One collector reads every process figure at scrape time; they cost microseconds.
    this.registry.gauge({
      name: 'process_start_time_seconds',
      help: 'Start time of the process since the Unix epoch, in seconds.',
      collect: () => {
        const mem = process.memoryUsage();
        rss.set({}, mem.rss);
        heapUsed.set({}, mem.heapUsed);
        heapTotal.set({}, mem.heapTotal);
        external.set({}, mem.external);
        const u = process.cpuUsage();
        const total = (u.user + u.system) / 1e6;
        cpu.inc({}, Math.max(0, total - cpuReported));
        cpuReported = Math.max(cpuReported, total);
        const h = this.loopDelay;
        const sec = (ns: number) => (h.count > 0 && Number.isFinite(ns) ? ns / 1e9 : 0);
        lag.set({ quantile: '0.5' }, sec(h.percentile(50)));
        lag.set({ quantile: '0.99' }, sec(h.percentile(99)));
        lag.set({ quantile: 'max' }, sec(h.max));
        h.reset();
      },
    }).set({}, Math.round(Date.now() / 1000 - process.uptime()));
  }

  private registerLedgerMetrics(): void {
    const rows: Gauge = this.registry.gauge({
      name: 'onbehalf_audit_rows',
      help: `Rows in the CRM call ledger (exact up to ${EXACT_COUNT_UP_TO}, then the planner's estimate).`,
      collect: async (): Promise<void> => {
        // reltuples is what ANALYZE last saw: free to read. A count is only run while the table is small.
        const [est] = (await this.db.query(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'crm_calls'::regclass`)) as { n: string }[];
        const estimate = Number(est?.n ?? -1);
        if (estimate >= EXACT_COUNT_UP_TO) {
          rows.set({}, estimate);
          return;
        }
        const [exact] = (await this.db.query(`SELECT count(*)::bigint AS n FROM (SELECT 1 FROM crm_calls LIMIT ${EXACT_COUNT_UP_TO + 1}) s`)) as {
          n: string;
        }[];
        rows.set({}, Math.max(Number(exact?.n ?? 0), estimate));
      },
    });
  }
}
