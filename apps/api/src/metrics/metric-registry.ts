/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * No dependency: the API needs a handful of metrics, not prom-client's surface.
 */

type LabelValues = readonly string[];

interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Runs before each render, to compute values on scrape (process memory, table sizes). */
  collect?: () => void | Promise<void>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/**
 * A guard against unbounded label values (an org id per series is fine; a request id is not):
 * past this many series, new label combinations are dropped instead of growing memory forever.
 */
export const MAX_SERIES_PER_METRIC = 10_000;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

abstract class Metric<L extends string, S> {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly collect?: () => void | Promise<void>;
  protected readonly series = new Map<string, { labels: LabelValues; state: S }>();
  /** Label combinations refused because of MAX_SERIES_PER_METRIC. */
  dropped = 0;

  constructor(opts: MetricOptions<L>) {
    if (!NAME.test(opts.name)) throw new TypeError(`invalid metric name "${opts.name}"`);
    for (const l of opts.labelNames ?? []) {
      if (!LABEL.test(l) || l.startsWith('__') || l === 'le') throw new TypeError(`invalid label name "${l}" on ${opts.name}`);
    }
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames ?? [];
    this.collect = opts.collect;
  }

  protected abstract initial(): S;

  protected stateFor(labels: Partial<Record<L, string>>): S | null {
    const values = this.labelNames.map((n) => String(labels[n] ?? ''));
    const key = values.join('\u0000');
    const found = this.series.get(key);
    if (found) return found.state;
    if (this.series.size >= MAX_SERIES_PER_METRIC) {
      this.dropped++;
      return null;
    }
    const state = this.initial();
    this.series.set(key, { labels: values, state });
    return state;
  }

  /** Forgets every series whose labels include these values (an org that was deleted). Returns how many. */
  removeMatching(labels: Partial<Record<L, string>>): number {
    const wanted = this.labelNames.map((n, i) => [i, labels[n]] as const).filter(([, v]) => v !== undefined);
    let removed = 0;
    for (const [key, s] of this.series) {
      if (wanted.every(([i, v]) => s.labels[i] === v)) {
        this.series.delete(key);
        removed++;
      }
    }
    return removed;
  }

  protected labelText(values: LabelValues, extra?: [string, string]): string {
    const pairs = this.labelNames.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
    if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
    return pairs.length ? `{${pairs.join(',')}}` : '';
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, state } of this.series.values()) this.renderSeries(lines, labels, state);
    return `${lines.join('\n')}\n`;
  }

  protected abstract renderSeries(lines: string[], labels: LabelValues, state: S): void;
}

export class Counter<L extends string = never> extends Metric<L, { v: number }> {
  readonly type = 'counter';
  protected initial() {
    return { v: 0 };
  }
  inc(labels: Partial<Record<L, string>> = {}, by = 1): void {
    if (!(by >= 0)) throw new TypeError(`${this.name}: a counter only goes up`);
    const s = this.stateFor(labels);
    if (s) s.v += by;
  }
  protected renderSeries(lines: string[], labels: LabelValues, s: { v: number }): void {
    lines.push(`${this.name}${this.labelText(labels)} ${formatValue(s.v)}`);
  }
}

export class Gauge<L extends string = never> extends Metric<L, { v: number }> {
  readonly type = 'gauge';
  protected initial() {
    return { v: 0 };
  }
  set(labels: Partial<Record<L, string>>, v: number): void {
    const s = this.stateFor(labels);
    if (s) s.v = v;
  }
  inc(labels: Partial<Record<L, string>> = {}, by = 1): void {
    const s = this.stateFor(labels);
    if (s) s.v += by;
  }
  protected renderSeries(lines: string[], labels: LabelValues, s: { v: number }): void {
    lines.push(`${this.name}${this.labelText(labels)} ${formatValue(s.v)}`);
  }
}

interface HistogramState {
  /** Per-bucket (non-cumulative) counts; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram<L extends string = never> extends Metric<L, HistogramState> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(opts: MetricOptions<L> & { buckets: readonly number[] }) {
    super(opts);
    const b = [...opts.buckets].filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
    if (b.length === 0 || new Set(b).size !== b.length) throw new TypeError(`${opts.name}: buckets must be distinct finite numbers`);
    this.buckets = b;
  }
  protected initial(): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }
  observe(labels: Partial<Record<L, string>>, v: number): void {
    if (!Number.isFinite(v)) return;
    const s = this.stateFor(labels);
    if (!s) return;
    let i = this.buckets.findIndex((b) => v <= b);
    if (i < 0) i = this.buckets.length;
    s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += v;
    s.count++;
  }
  protected renderSeries(lines: string[], labels: LabelValues, s: HistogramState): void {
    let cumulative = 0;
    this.buckets.forEach((b, i) => {
      cumulative += s.counts[i] ?? 0;
      lines.push(`${this.name}_bucket${this.labelText(labels, ['le', formatValue(b)])} ${cumulative}`);
    });
    lines.push(`${this.name}_bucket${this.labelText(labels, ['le', '+Inf'])} ${s.count}`);
    lines.push(`${this.name}_sum${this.labelText(labels)} ${formatValue(s.sum)}`);
    lines.push(`${this.name}_count${this.labelText(labels)} ${s.count}`);
  }
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

export class MetricRegistry {
  private readonly metrics = new Map<string, AnyMetric>();

  counter<L extends string = never>(opts: MetricOptions<L>): Counter<L> {
    return this.add(new Counter<L>(opts));
  }
  gauge<L extends string = never>(opts: MetricOptions<L>): Gauge<L> {
    return this.add(new Gauge<L>(opts));
  }
  histogram<L extends string = never>(opts: MetricOptions<L> & { buckets: readonly number[] }): Histogram<L> {
    return this.add(new Histogram<L>(opts));
  }

  private add<M extends AnyMetric>(m: M): M {
    if (this.metrics.has(m.name)) throw new TypeError(`metric "${m.name}" is registered twice`);
    this.metrics.set(m.name, m);
    return m;
  }

  /** Runs the on-scrape collectors (a failing one keeps its last values), then renders every metric. */
  async render(): Promise<string> {
    await Promise.all([...this.metrics.values()].map(async (m) => {
      try {
        await m.collect?.();
      } catch {
        // A scrape must not fail because one value could not be read.
      }
    }));
    return [...this.metrics.values()].map((m) => m.render()).join('');
  }
}
