import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import type { TicketSeriesBucket } from '@/types/api';

// Loaded lazily (recharts is large): see ticket-health-panel.tsx.

const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });

const SERIES = [
  { name: 'issued', label: 'Issued', color: 'blue.6' },
  { name: 'refreshed', label: 'Refreshed', color: 'teal.6' },
  { name: 'expiredFaults', label: '8004A101 (expired)', color: 'orange.6' },
  { name: 'failures', label: 'Failed', color: 'red.6' },
];

export function TicketTimelineChart({
  series,
  expiredFaultName = '8004A101',
}: {
  series: TicketSeriesBucket[];
  /** How the credential's expired refusal is named: 8004A101 (CRM 4.0) or 401 (Dataverse). */
  expiredFaultName?: string;
}) {
  const data = series.map((bucket) => ({ ...bucket, at: time.format(new Date(bucket.bucketStart)) }));
  return (
    <BarChart
      h={220}
      data={data}
      dataKey="at"
      type="stacked"
      series={SERIES.map((s) =>
        s.name === 'expiredFaults' ? { ...s, label: `${expiredFaultName} (expired)` } : s,
      )}
      withLegend
      legendProps={{ verticalAlign: 'bottom', height: 40 }}
      tickLine="y"
      gridAxis="y"
      yAxisProps={{ allowDecimals: false, width: 32 }}
      maxBarWidth={24}
    />
  );
}
