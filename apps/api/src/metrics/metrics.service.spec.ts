import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { LedgerService } from '../crm/ledger.service';
import { exposition, MAX_FAULT_CODES, MetricsService } from './metrics.service';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** HELP/TYPE per family and every sample; throws on a line that is none of the three. */
function parse(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^# TYPE (\S+) (\S+)$/.exec(line))) {
      expect(types.has(m[1]!), `TYPE twice for ${m[1]}`).toBe(false);
      types.set(m[1]!, m[2]!);
    } else if (line.startsWith('# HELP ')) {
      continue;
    } else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line))) {
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[l[1]!] = l[2]!;
      const raw = m[3]!;
      samples.push({ name: m[1]!, labels, value: raw === '+Inf' ? Infinity : Number(raw) });
    } else {
      throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    }
  }
  return { types, samples };
}

/**
 * A ledger of `rows` rows that was never analysed (the planner's estimate is -1), or one whose reads fail when
 * `rows` is an Error. It counts exactly only with the cap the metric asks for: 10 000 rows and one more.
 */
function ledger(state: { rows: number | Error }): LedgerService {
  const read = <T>(answer: () => T) => {
    if (state.rows instanceof Error) throw state.rows;
    return answer();
  };
  return {
    estimatedRowCount: async () => read(() => -1),
    countRowsUpTo: async (cap: number) =>
      read(() => {
        expect(cap).toBe(10_001);
        return state.rows as number;
      }),
  } as unknown as LedgerService;
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

const ORG = '11111111-0000-4000-8000-000000000001';

describe('MetricsService (prom-client)', () => {
  it('keeps the names, types, labels and buckets the API has always exported', async () => {
    const m = new MetricsService(ledger({ rows: 3 }));
    m.observeCall(ORG, 'Create', 'completed', 30);
    m.incTicketRefresh(ORG, 'issued');
    m.incFault(ORG, '0x80040220');
    m.setTicketExpiry(ORG, 1_767_225_600);
    const { types, samples } = parse(await m.render());
    const expected: Record<string, string> = {
      onbehalf_crm_calls_total: 'counter',
      onbehalf_crm_call_duration_seconds: 'histogram',
      onbehalf_ticket_refreshes_total: 'counter',
      onbehalf_crm_faults_total: 'counter',
      onbehalf_ticket_expiry_timestamp_seconds: 'gauge',
      onbehalf_audit_rows: 'gauge',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_used_bytes: 'gauge',
      nodejs_heap_total_bytes: 'gauge',
      nodejs_external_memory_bytes: 'gauge',
      process_cpu_seconds_total: 'counter',
      nodejs_eventloop_lag_seconds: 'gauge',
      process_start_time_seconds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) expect(types.get(name), name).toBe(type);
    expect(
      samples.filter((s) => s.name === 'nodejs_eventloop_lag_seconds').map((s) => s.labels.quantile),
    ).toEqual(['0.5', '0.99', 'max']);
    expect(
      value(samples, 'onbehalf_crm_calls_total', { org_id: ORG, operation: 'Create', outcome: 'completed' }),
    ).toBe(1);
    expect(value(samples, 'onbehalf_ticket_refreshes_total', { org_id: ORG, kind: 'issued' })).toBe(1);
    expect(value(samples, 'onbehalf_crm_faults_total', { org_id: ORG, fault_code: '0x80040220' })).toBe(1);
    expect(value(samples, 'onbehalf_ticket_expiry_timestamp_seconds', { org_id: ORG })).toBe(1_767_225_600);
    expect(value(samples, 'onbehalf_audit_rows')).toBe(3);
    const buckets = samples.filter(
      (s) =>
        s.name === 'onbehalf_crm_call_duration_seconds_bucket' &&
        s.labels.org_id === ORG &&
        s.labels.operation === 'Create',
    );
    expect(buckets.map((b) => b.labels.le)).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '30',
      '+Inf',
    ]);
    expect(buckets.map((b) => b.value)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(value(samples, 'onbehalf_crm_call_duration_seconds_sum', { org_id: ORG })).toBeCloseTo(0.03, 9);
    expect(value(samples, 'nodejs_heap_used_bytes')).toBeGreaterThan(1_000_000);
    expect(value(samples, 'nodejs_heap_total_bytes')).toBeGreaterThanOrEqual(
      value(samples, 'nodejs_heap_used_bytes')!,
    );
  });

  it('also exports prom-client default process and GC metrics', async () => {
    const { types } = parse(await new MetricsService(ledger({ rows: 0 })).render());
    expect(types.get('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(types.get('process_open_fds')).toBe('gauge');
    expect(types.get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
  });

  it('ignores a latency that is negative or not a number, but still counts the call', async () => {
    const m = new MetricsService(ledger({ rows: 0 }));
    m.observeCall(ORG, 'Update', 'failed', Number.NaN);
    m.observeCall(ORG, 'Update', 'failed', -5);
    const { samples } = parse(await m.render());
    expect(value(samples, 'onbehalf_crm_calls_total', { org_id: ORG, operation: 'Update' })).toBe(2);
    expect(
      value(samples, 'onbehalf_crm_call_duration_seconds_count', { org_id: ORG, operation: 'Update' }),
    ).toBeUndefined();
  });

  it(`cuts fault codes to 64 characters and counts any past the first ${MAX_FAULT_CODES} distinct ones under "other"`, async () => {
    const m = new MetricsService(ledger({ rows: 0 }));
    m.incFault(ORG, 'x'.repeat(100));
    for (let i = 1; i < MAX_FAULT_CODES; i++) m.incFault(ORG, `code-${i}`);
    m.incFault(ORG, 'one-too-many');
    m.incFault('22222222-0000-4000-8000-000000000002', 'another-one');
    m.incFault(ORG, 'code-1');
    const { samples } = parse(await m.render());
    const faults = samples.filter((s) => s.name === 'onbehalf_crm_faults_total');
    expect(faults).toHaveLength(MAX_FAULT_CODES + 2);
    expect(value(samples, 'onbehalf_crm_faults_total', { fault_code: 'x'.repeat(64) })).toBe(1);
    expect(value(samples, 'onbehalf_crm_faults_total', { org_id: ORG, fault_code: 'other' })).toBe(1);
    expect(value(samples, 'onbehalf_crm_faults_total', { fault_code: 'another-one' })).toBeUndefined();
    expect(value(samples, 'onbehalf_crm_faults_total', { org_id: ORG, fault_code: 'code-1' })).toBe(2);
  });

  it('answers a scrape when the ledger count fails, with the last count it had', async () => {
    const state: { rows: number | Error } = { rows: 7 };
    const m = new MetricsService(ledger(state));
    expect(value(parse(await m.render()).samples, 'onbehalf_audit_rows')).toBe(7);
    state.rows = new Error('connection terminated');
    expect(value(parse(await m.render()).samples, 'onbehalf_audit_rows')).toBe(7);
  });

  it('keeps each service its own CRM series while the process metrics are shared', async () => {
    const a = new MetricsService(ledger({ rows: 0 }));
    const b = new MetricsService(ledger({ rows: 0 }));
    a.incTicketRefresh(ORG, 'failure');
    const [ta, tb] = [parse(await a.render()), parse(await b.render())];
    expect(value(ta.samples, 'onbehalf_ticket_refreshes_total', { kind: 'failure' })).toBe(1);
    expect(value(tb.samples, 'onbehalf_ticket_refreshes_total', { kind: 'failure' })).toBeUndefined();
    expect(value(tb.samples, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });

  it('reports the event-loop delay by quantile since the previous scrape, from the same window as prom-client lag gauges', async () => {
    const m = new MetricsService(ledger({ rows: 0 }));
    await m.render();
    await sleep(150);
    const window = parse(await m.render()).samples;
    const max = value(window, 'nodejs_eventloop_lag_seconds', { quantile: 'max' })!;
    expect(max).toBeGreaterThan(0);
    expect(max).toBe(value(window, 'nodejs_eventloop_lag_max_seconds'));
    expect(value(window, 'nodejs_eventloop_lag_seconds', { quantile: '0.99' })).toBe(
      value(window, 'nodejs_eventloop_lag_p99_seconds'),
    );
    expect(value(window, 'nodejs_eventloop_lag_seconds', { quantile: '0.5' })).toBe(
      value(window, 'nodejs_eventloop_lag_p50_seconds'),
    );

    // Two scrapes in one tick: the second one's window is empty, and reads 0, not the first one's figures.
    const [, second] = await Promise.all([m.render(), m.render()]);
    const lag = parse(second).samples.filter((s) => s.name === 'nodejs_eventloop_lag_seconds');
    expect(lag.map((s) => [s.labels.quantile, s.value])).toEqual([
      ['0.5', 0],
      ['0.99', 0],
      ['max', 0],
    ]);
    // prom-client's mean of that empty window is NaN, written the way the format spells it.
    expect(second).toMatch(/^nodejs_eventloop_lag_mean_seconds NaN$/m);
  });

  it('writes NaN as NaN and families with no blank line between them', () => {
    expect(
      exposition('# HELP a x\n# TYPE a gauge\na Nan\n\n# HELP b y\n# TYPE b gauge\nb{l="Nan"} 1\n'),
    ).toBe('# HELP a x\n# TYPE a gauge\na NaN\n# HELP b y\n# TYPE b gauge\nb{l="Nan"} 1\n');
  });
});
