import { Group, Text } from '@mantine/core';
import { TicketStateBadge } from '@/components/status-badges';
import type { TicketSummary } from '@/types/api';
import { formatCountdown } from '@/utils/format';

/**
 * A CRM ticket's state badge and its countdown to expiry, as the org tables show it. The countdown
 * moves under the badge when the column is narrow, so a table of many columns still fits the window.
 */
export function TicketSummaryInline({
  ticket,
  now,
}: {
  ticket: TicketSummary | null | undefined;
  now: number;
}) {
  return (
    <Group gap={6} wrap="wrap">
      <TicketStateBadge state={ticket?.state} />
      {ticket?.crmTicketExpiresAt && (
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatCountdown(ticket.crmTicketExpiresAt, now)}
        </Text>
      )}
    </Group>
  );
}
