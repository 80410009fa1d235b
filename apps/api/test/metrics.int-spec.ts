import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsService } from '../src/metrics/metrics.service';
import { ConsoleClient, startTestApi, type TestApi } from './harness';
import { insertActiveOrg, insertPlaceholderCertificate } from './support/rows';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text format 0.0.4: every sample belongs to a family announced
 * by one # HELP and one # TYPE before it, names and labels are well formed, values are numbers.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const familyOf = (name: string) => {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return types.get(base) === 'histogram' ? base : name;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      expect(helps.has(m[1]!), `HELP twice for ${m[1]}`).toBe(false);
      helps.add(m[1]!);
    } else if (
      (m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line))
    ) {
      expect(types.has(m[1]!), `TYPE twice for ${m[1]}`).toBe(false);
      types.set(m[1]!, m[2]!);
    } else if (
      (m =
        /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$/.exec(
          line,
        ))
    ) {
      const [, name, labelText, raw] = m as unknown as [string, string, string | undefined, string];
      const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
      expect(Number.isNaN(value) && raw !== 'NaN', `value of ${line}`).toBe(false);
      const labels: Record<string, string> = {};
      for (const l of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
      const family = familyOf(name);
      expect(types.has(family) && helps.has(family), `sample before its HELP/TYPE: ${line}`).toBe(true);
      samples.push({ name, labels, value });
    } else {
      throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    }
  }
  return { types, samples };
}

describe('GET /api/metrics (real Postgres)', () => {
  let t: TestApi;
  let admin: ConsoleClient;
  let metrics: MetricsService;

  const scrape = async () => {
    const res = await admin.get('/api/metrics');
    expect(res.status).toBe(200);
    return parseExposition(await res.text());
  };
  const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  beforeAll(async () => {
    t = await startTestApi({ ONBEHALF_LOGIN_RATE_LIMIT: '1000' });
    admin = new ConsoleClient(t.url);
    expect((await admin.login(t.adminEmail, t.adminPassword)).status).toBe(200);
    metrics = t.api.app.get(MetricsService);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is not public: no session, no metrics', async () => {
    const res = await fetch(`${t.url}/api/metrics`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
  });

  it('answers the Prometheus text format to an API key and to an auditor', async () => {
    const { key } = (await (
      await admin.post('/api/api-keys', { name: 'prometheus', scopes: ['admin'] })
    ).json()) as {
      key: string;
    };
    const res = await fetch(`${t.url}/api/metrics`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const type = (res.headers.get('content-type') ?? '').split(';').map((p) => p.trim());
    expect(type[0]).toBe('text/plain');
    expect(type).toEqual(expect.arrayContaining(['version=0.0.4', 'charset=utf-8']));
    parseExposition(await res.text());

    const password = `pw-${randomBytes(8).toString('hex')}`;
    await admin.post('/api/admin-users', {
      email: 'auditor@example.test',
      name: 'Auditor',
      role: 'auditor',
      password,
    });
    const auditor = new ConsoleClient(t.url);
    await auditor.login('auditor@example.test', password);
    expect((await auditor.get('/api/metrics')).status).toBe(200);
  });

  it('reports CRM calls, latency histograms, ticket refreshes, faults and ticket expiry by org', async () => {
    const org = '11111111-0000-4000-8000-000000000001';
    metrics.observeCall(org, 'Create', 'completed', 40);
    metrics.observeCall(org, 'Create', 'completed', 60);
    metrics.observeCall(org, 'Create', 'failed', 7_000);
    metrics.incTicketRefresh(org, 'issued');
    metrics.incTicketRefresh(org, 'refreshed');
    metrics.incTicketRefresh(org, 'refreshed');
    metrics.incFault(org, '0x80040220');
    metrics.incFault(org, 'odd "code"\\with\nnewline');
    metrics.setTicketExpiry(org, 1_767_225_600);

    const { types, samples } = await scrape();
    expect(types.get('onbehalf_crm_calls_total')).toBe('counter');
    expect(types.get('onbehalf_crm_call_duration_seconds')).toBe('histogram');
    expect(
      find(samples, 'onbehalf_crm_calls_total', { org_id: org, operation: 'Create', outcome: 'completed' })[0]
        ?.value,
    ).toBe(2);
    expect(find(samples, 'onbehalf_crm_calls_total', { org_id: org, outcome: 'failed' })[0]?.value).toBe(1);
    expect(
      find(samples, 'onbehalf_ticket_refreshes_total', { org_id: org, kind: 'refreshed' })[0]?.value,
    ).toBe(2);
    expect(
      find(samples, 'onbehalf_crm_faults_total', { org_id: org, fault_code: '0x80040220' })[0]?.value,
    ).toBe(1);
    // Label values are escaped on the wire and read back intact.
    expect(
      find(samples, 'onbehalf_crm_faults_total', { fault_code: 'odd "code"\\with\nnewline' })[0]?.value,
    ).toBe(1);
    expect(find(samples, 'onbehalf_ticket_expiry_timestamp_seconds', { org_id: org })[0]?.value).toBe(
      1_767_225_600,
    );

    // Histogram: cumulative buckets in increasing le, +Inf equal to _count, _sum in seconds.
    const buckets = find(samples, 'onbehalf_crm_call_duration_seconds_bucket', {
      org_id: org,
      operation: 'Create',
    });
    const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
    expect(les).toEqual([...les].sort((a, b) => a - b));
    expect(les.at(-1)).toBe(Infinity);
    const counts = buckets.map((b) => b.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(buckets.find((b) => b.labels.le === '0.05')?.value).toBe(1);
    expect(buckets.find((b) => b.labels.le === '0.1')?.value).toBe(2);
    expect(counts.at(-1)).toBe(3);
    expect(find(samples, 'onbehalf_crm_call_duration_seconds_count', { org_id: org })[0]?.value).toBe(3);
    expect(find(samples, 'onbehalf_crm_call_duration_seconds_sum', { org_id: org })[0]?.value).toBeCloseTo(
      7.1,
      9,
    );
  });

  it('reports process figures and the ledger size, computed on scrape', async () => {
    const ds = t.api.dataSource;
    const orgId = await insertActiveOrg(ds, await insertPlaceholderCertificate(ds), 'M');
    const before = find((await scrape()).samples, 'onbehalf_audit_rows')[0]?.value;
    expect(before).toBe(0);
    await ds.query(
      `INSERT INTO crm_calls (org_id, operation, outcome) SELECT $1, 'Create', 'completed' FROM generate_series(1, 3)`,
      [orgId],
    );
    const { types, samples } = await scrape();
    expect(types.get('onbehalf_audit_rows')).toBe('gauge');
    expect(find(samples, 'onbehalf_audit_rows')[0]?.value).toBe(3);
    expect(find(samples, 'process_resident_memory_bytes')[0]?.value).toBeGreaterThan(10_000_000);
    expect(find(samples, 'nodejs_heap_used_bytes')[0]?.value).toBeGreaterThan(1_000_000);
    expect(find(samples, 'process_cpu_seconds_total')[0]?.value).toBeGreaterThan(0);
    const lag = find(samples, 'nodejs_eventloop_lag_seconds');
    expect(lag.map((s) => s.labels.quantile).sort()).toEqual(['0.5', '0.99', 'max']);
    for (const s of lag) expect(s.value).toBeGreaterThanOrEqual(0);
    expect(find(samples, 'process_start_time_seconds')[0]?.value).toBeLessThanOrEqual(Date.now() / 1000);
  });
});
