import { describe, expect, it } from 'vitest';
import { describeSeries, sumSeries } from './series-summary';

describe('ticket series', () => {
  const series = [
    { bucketStart: '2025-01-01T00:00:00Z', issued: 1, refreshed: 2, expiredFaults: 0, failures: 0 },
    { bucketStart: '2025-01-01T00:05:00Z', issued: 0, refreshed: 1, expiredFaults: 3, failures: 1 },
  ];

  it('adds up the buckets', () => {
    expect(sumSeries(series)).toEqual({ issued: 1, refreshed: 3, expiredFaults: 3, failures: 1 });
  });

  it("describes the chart in words (the chart's text alternative)", () => {
    expect(describeSeries(series)).toBe(
      'Ticket events over 2 intervals: 1 issued, 3 refreshed, 3 expired-ticket faults (8004A101), 1 failed.',
    );
    expect(describeSeries([])).toBe('No ticket events in this period.');
  });
});
