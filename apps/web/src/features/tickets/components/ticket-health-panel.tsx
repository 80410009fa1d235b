import {
  Badge,
  Box,
  Button,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRefresh } from '@tabler/icons-react';
import { lazy, Suspense } from 'react';
import { ActionError, EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import { TicketStateBadge } from '@/components/status-badges';
import { useNow } from '@/hooks/use-now';
import type { TicketEvent, TicketSummary } from '@/types/api';
import { formatCountdown, formatDateTime, formatDuration } from '@/utils/format';
import { useTicketHealth } from '../api/get-ticket-health';
import { useRefreshTicket } from '../api/refresh-ticket';
import { describeSeries } from './series-summary';

// The chart code (recharts) is only fetched when a ticket-health panel is drawn.
const TicketTimelineChart = lazy(() =>
  import('./ticket-timeline-chart').then((m) => ({ default: m.TicketTimelineChart })),
);

const EVENT_LABEL: Record<TicketEvent['type'], { label: string; color: string }> = {
  issued: { label: 'Issued', color: 'blue' },
  refreshed: { label: 'Refreshed', color: 'teal' },
  'expired-fault': { label: '8004A101 expired', color: 'orange' },
  failure: { label: 'Failed', color: 'red' },
};

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} component="dt">
        {label}
      </Text>
      <Text size="sm" component="dd" m={0}>
        {children}
      </Text>
    </Stack>
  );
}

function Countdown({ ticket }: { ticket: TicketSummary }) {
  const now = useNow(1_000);
  return (
    <Text fz={22} fw={700} aria-live="off" data-testid="ticket-countdown">
      {formatCountdown(ticket.crmTicketExpiresAt, now)}
    </Text>
  );
}

/** How a credential refused as expired is named: CRM 4.0's fault code, or the Web API's HTTP status. */
export function expiredFaultName(kind: 'crm4' | 'dataverse'): string {
  return kind === 'dataverse' ? '401' : '8004A101';
}

function EventsTable({ events, kind }: { events: TicketEvent[]; kind: 'crm4' | 'dataverse' }) {
  if (events.length === 0) return <EmptyState title="No ticket events yet" />;
  return (
    <Table.ScrollContainer minWidth={480} maxHeight={280}>
      <Table striped verticalSpacing={4} stickyHeader aria-label="Recent ticket events">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Time</Table.Th>
            <Table.Th scope="col">Event</Table.Th>
            <Table.Th scope="col">Latency</Table.Th>
            <Table.Th scope="col">Error code</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event) => {
            const base = EVENT_LABEL[event.type] ?? { label: event.type, color: 'gray' };
            const label =
              event.type === 'expired-fault' ? { ...base, label: `${expiredFaultName(kind)} expired` } : base;
            return (
              <Table.Tr key={event.id}>
                <Table.Td>{formatDateTime(event.at)}</Table.Td>
                <Table.Td>
                  <Badge color={label.color} variant="light" size="sm">
                    {label.label}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDuration(event.latencyMs)}</Table.Td>
                <Table.Td>{event.errorCode ?? '—'}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * One org's credential (a CRM 4.0 org's CRM ticket, a Dataverse org's access token from Entra ID): state, live
 * countdown, timeline, recent events, and "Refresh now".
 */
export function TicketHealthPanel({
  orgId,
  canEdit,
  kind = 'crm4',
}: {
  orgId: string;
  canEdit: boolean;
  kind?: 'crm4' | 'dataverse';
}) {
  const credential = kind === 'dataverse' ? 'access token' : 'CRM ticket';
  const health = useTicketHealth(orgId);
  const refresh = useRefreshTicket();

  if (health.isPending) return <LoadingState label="Loading ticket health…" />;
  if (health.isError) {
    return (
      <ErrorState
        error={health.error}
        title="Could not load ticket health"
        onRetry={() => void health.refetch()}
        retrying={health.isFetching}
      />
    );
  }
  // null: the org has no ticket yet (none was ever issued).
  const { ticket, events, series } = health.data;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={4}>
          <Group gap="sm">
            <TicketStateBadge state={ticket?.state ?? 'missing'} />
            {ticket && <Countdown ticket={ticket} />}
          </Group>
          <Text size="xs" c="dimmed">
            {kind === 'dataverse' ? 'Access token' : 'CRM ticket'} expiry:{' '}
            {formatDateTime(ticket?.crmTicketExpiresAt)}
          </Text>
        </Stack>
        {canEdit ? (
          <Button
            leftSection={<IconRefresh size={16} aria-hidden />}
            variant="light"
            loading={refresh.isPending}
            onClick={() =>
              refresh.mutate(orgId, {
                onSuccess: () =>
                  notifications.show({
                    color: 'green',
                    title: kind === 'dataverse' ? 'Token refreshed' : 'Ticket refreshed',
                    message: `A new ${credential} was issued.`,
                  }),
              })
            }
          >
            Refresh {kind === 'dataverse' ? 'token' : 'ticket'} now
          </Button>
        ) : (
          <ReadOnlyNote>Auditors cannot refresh tickets.</ReadOnlyNote>
        )}
      </Group>
      <ActionError error={refresh.error} title={`Could not refresh the ${credential}`} />

      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md" component="dl" m={0}>
        <Fact label="Issued">{formatDateTime(ticket?.issuedAt)}</Fact>
        <Fact label="Last refresh">{formatDateTime(ticket?.lastRefreshAt)}</Fact>
        <Fact label="Refresh latency">{formatDuration(ticket?.lastRefreshLatencyMs ?? null)}</Fact>
        <Fact label="Refreshes">{ticket?.refreshCount ?? 0}</Fact>
        <Fact label={`${expiredFaultName(kind)} (24 h)`}>{ticket?.expiredFaults24h ?? 0}</Fact>
        <Fact label="Failures (24 h)">{ticket?.failures24h ?? 0}</Fact>
      </SimpleGrid>

      <Paper withBorder p="sm" radius="md">
        <Title order={3} size="h6" mb="xs">
          Timeline
        </Title>
        <Box role="img" aria-label={describeSeries(series)}>
          {series.length === 0 ? (
            <Text size="sm" c="dimmed">
              No ticket events in this period.
            </Text>
          ) : (
            <Suspense fallback={<Skeleton h={220} aria-hidden />}>
              <TicketTimelineChart series={series} expiredFaultName={expiredFaultName(kind)} />
            </Suspense>
          )}
        </Box>
      </Paper>

      <div>
        <Title order={3} size="h6" mb="xs">
          Recent ticket events
        </Title>
        <EventsTable events={events} kind={kind} />
      </div>
    </Stack>
  );
}
