import { Group, Text } from '@mantine/core';
import { TicketStateBadge } from '@/components/status-badges';
import type { TicketSummary } from '@/types/api';
import { formatCountdown } from '@/utils/format';

/** A CRM ticket's state badge and its countdown to expiry, as the org tables show it. */
export function TicketSummaryInline({
  ticket,
  now,
}: {
  ticket: TicketSummary | null | undefined;
  now: number;
}) {
  return (
    <Group gap="xs" wrap="nowrap">
      <TicketStateBadge state={ticket?.state} />
      {ticket?.crmTicketExpiresAt && (
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatCountdown(ticket.crmTicketExpiresAt, now)}
        </Text>
      )}
    </Group>
  );
}
