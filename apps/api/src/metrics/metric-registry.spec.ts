import { describe, expect, it } from 'vitest';
import { type Gauge, MAX_SERIES_PER_METRIC, MetricRegistry } from './metric-registry';

describe('MetricRegistry', () => {
  it('renders HELP, TYPE and labelled samples, escaping label values and help text', async () => {
    const r = new MetricRegistry();
    const c = r.counter({ name: 'x_total', help: 'Line one\nback\\slash', labelNames: ['a'] });
    c.inc({ a: 'q"uo\\te\nnl' });
    c.inc({ a: 'q"uo\\te\nnl' }, 2);
    expect(await r.render()).toBe('# HELP x_total Line one\\nback\\\\slash\n# TYPE x_total counter\nx_total{a="q\\"uo\\\\te\\nnl"} 3\n');
  });

  it('renders histograms with cumulative buckets, +Inf, _sum and _count', async () => {
    const r = new MetricRegistry();
    const h = r.histogram({ name: 'd_seconds', help: 'd', buckets: [1, 0.1] });
    for (const v of [0.05, 0.5, 0.1, 5]) h.observe({}, v);
    expect(await r.render()).toBe(
      [
        '# HELP d_seconds d',
        '# TYPE d_seconds histogram',
        'd_seconds_bucket{le="0.1"} 2',
        'd_seconds_bucket{le="1"} 3',
        'd_seconds_bucket{le="+Inf"} 4',
        'd_seconds_sum 5.65',
        'd_seconds_count 4',
        '',
      ].join('\n'),
    );
  });

  it('refuses malformed names, reserved labels, duplicate metrics and counters that go down', () => {
    const r = new MetricRegistry();
    expect(() => r.gauge({ name: 'bad-name', help: '' })).toThrow(TypeError);
    expect(() => r.gauge({ name: 'g', help: '', labelNames: ['__x'] })).toThrow(TypeError);
    expect(() => r.histogram({ name: 'h', help: '', labelNames: ['le'], buckets: [1] })).toThrow(TypeError);
    r.gauge({ name: 'g', help: '' });
    expect(() => r.counter({ name: 'g', help: '' })).toThrow(/twice/);
    const c = r.counter({ name: 'c_total', help: '' });
    expect(() => c.inc({}, -1)).toThrow(TypeError);
  });

  it('caps the series of one metric, so an unbounded label cannot exhaust memory', async () => {
    const r = new MetricRegistry();
    const g = r.gauge({ name: 'g', help: '', labelNames: ['id'] });
    for (let i = 0; i < MAX_SERIES_PER_METRIC + 5; i++) g.set({ id: String(i) }, 1);
    expect(g.dropped).toBe(5);
    expect((await r.render()).split('\n').filter((l) => l.startsWith('g{'))).toHaveLength(MAX_SERIES_PER_METRIC);
  });

  it('forgets the series of one label value across the others', async () => {
    const r = new MetricRegistry();
    const c = r.counter({ name: 'c_total', help: 'h', labelNames: ['org_id', 'kind'] });
    c.inc({ org_id: 'a', kind: 'x' });
    c.inc({ org_id: 'a', kind: 'y' });
    c.inc({ org_id: 'b', kind: 'x' });
    expect(c.removeMatching({ org_id: 'a' })).toBe(2);
    expect(await r.render()).toBe('# HELP c_total h\n# TYPE c_total counter\nc_total{org_id="b",kind="x"} 1\n');
  });

  it('runs collectors on render and keeps rendering when one fails', async () => {
    const r = new MetricRegistry();
    let n = 0;
    const g: Gauge = r.gauge({ name: 'n', help: '', collect: () => g.set({}, ++n) });
    r.gauge({ name: 'broken', help: '', collect: () => Promise.reject(new Error('db down')) });
    expect(await r.render()).toContain('\nn 1\n');
    expect(await r.render()).toContain('\nn 2\n');
  });
});
