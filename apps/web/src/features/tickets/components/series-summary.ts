import type { TicketSeriesBucket } from '@/types/api';

export interface SeriesTotals {
  issued: number;
  refreshed: number;
  expiredFaults: number;
  failures: number;
}

export function sumSeries(series: readonly TicketSeriesBucket[]): SeriesTotals {
  return series.reduce<SeriesTotals>(
    (sum, bucket) => ({
      issued: sum.issued + bucket.issued,
      refreshed: sum.refreshed + bucket.refreshed,
      expiredFaults: sum.expiredFaults + bucket.expiredFaults,
      failures: sum.failures + bucket.failures,
    }),
    { issued: 0, refreshed: 0, expiredFaults: 0, failures: 0 },
  );
}

/** The chart's text alternative. */
export function describeSeries(series: readonly TicketSeriesBucket[]): string {
  if (series.length === 0) return 'No ticket events in this period.';
  const t = sumSeries(series);
  return `Ticket events over ${series.length} intervals: ${t.issued} issued, ${t.refreshed} refreshed, ${t.expiredFaults} expired-ticket faults (8004A101), ${t.failures} failed.`;
}
