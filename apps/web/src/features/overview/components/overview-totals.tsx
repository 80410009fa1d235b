import { Paper, SimpleGrid, Text } from '@mantine/core';
import type { Overview } from '@/types/api';

function Stat({ label, value, tone }: { label: string; value: number; tone?: 'bad' | 'warn' }) {
  const color = tone === 'bad' && value > 0 ? 'red.7' : tone === 'warn' && value > 0 ? 'yellow.8' : undefined;
  return (
    // Full height, so a label that wraps at tablet width does not leave the cards uneven.
    <Paper withBorder p="md" radius="md" h="100%">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={28} fw={700} c={color}>
        {value}
      </Text>
    </Paper>
  );
}

export function OverviewTotals({ totals }: { totals: Overview['totals'] }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} mb="lg" role="list" aria-label="Totals">
      <div role="listitem">
        <Stat label="Orgs" value={totals.orgs} />
      </div>
      <div role="listitem">
        <Stat label="Active" value={totals.active} />
      </div>
      <div role="listitem">
        <Stat label="Failing" value={totals.failing} tone="bad" />
      </div>
      <div role="listitem">
        <Stat label="Certificates expiring" value={totals.certificatesExpiring} tone="warn" />
      </div>
    </SimpleGrid>
  );
}
