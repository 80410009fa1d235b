import { Anchor, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { BreakerBadge, OrgStatusBadge } from '@/components/status-badges';
import { TicketSummaryInline } from '@/components/ticket-summary';
import { useNow } from '@/hooks/use-now';
import type { Org } from '@/types/api';
import { platformLabel } from './org-facts';
import { formatDateTime } from '@/utils/format';

export function OrgsTable({ orgs }: { orgs: Org[] }) {
  const now = useNow(1_000);
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table striped highlightOnHover verticalSpacing="sm" aria-label="Orgs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Friendly name</Table.Th>
            <Table.Th scope="col">Platform</Table.Th>
            <Table.Th scope="col">Unique name or environment</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Ticket or token</Table.Th>
            <Table.Th scope="col">Circuit</Table.Th>
            <Table.Th scope="col">Service account</Table.Th>
            <Table.Th scope="col">Onboarded</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {orgs.map((org) => (
            <Table.Tr key={org.id}>
              <Table.Td>
                <Anchor component={Link} to={`/orgs/${org.id}`} fw={600}>
                  {org.friendlyName}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{platformLabel(org.kind)}</Text>
              </Table.Td>
              <Table.Td>
                {/* An environment URL breaks anywhere rather than widening the table past the window. */}
                <Text size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                  {(org.kind === 'dataverse' ? org.environmentUrl : org.organizationName) ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <OrgStatusBadge status={org.status} />
              </Table.Td>
              <Table.Td>
                <TicketSummaryInline ticket={org.ticket} now={now} />
              </Table.Td>
              <Table.Td>
                <BreakerBadge state={org.breaker} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{org.serviceAccount?.name ?? '—'}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDateTime(org.createdAt)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
