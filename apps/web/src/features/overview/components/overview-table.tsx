import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { CertificateStatusBadge, OrgStatusBadge } from '@/components/status-badges';
import { TicketSummaryInline } from '@/components/ticket-summary';
import { useNow } from '@/hooks/use-now';
import type { OverviewOrg } from '@/types/api';
import { formatDays } from '@/utils/format';
import { attentionFirst } from './attention-first';

export function OverviewTable({ orgs }: { orgs: OverviewOrg[] }) {
  const now = useNow(1_000);
  const sorted = attentionFirst(orgs);
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover verticalSpacing="sm" aria-label="Orgs at a glance">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Org</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Ticket or token</Table.Th>
            <Table.Th scope="col">Certificate</Table.Th>
            <Table.Th scope="col" ta="right">
              Failures (24 h)
            </Table.Th>
            <Table.Th scope="col" ta="right" title="CRM 4.0's 8004A101, or Dataverse's 401">
              Expired refusals (24 h)
            </Table.Th>
            <Table.Th scope="col">Needs attention</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sorted.map((org) => (
            <Table.Tr key={org.id}>
              <Table.Td>
                <Anchor component={Link} to={`/orgs/${org.id}`} fw={600} style={{ whiteSpace: 'nowrap' }}>
                  {org.friendlyName}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <OrgStatusBadge status={org.status} />
              </Table.Td>
              <Table.Td>
                <TicketSummaryInline ticket={org.ticket} now={now} />
              </Table.Td>
              <Table.Td>
                {org.certificate ? (
                  <Group gap="xs" wrap="nowrap">
                    <CertificateStatusBadge status={org.certificate.status} />
                    <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                      {formatDays(org.certificate.daysToExpiry)}
                    </Text>
                  </Group>
                ) : (
                  <Text size="sm" c="dimmed">
                    None
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">
                <Text
                  size="sm"
                  c={org.failures24h > 0 ? 'red.7' : undefined}
                  fw={org.failures24h > 0 ? 600 : undefined}
                >
                  {org.failures24h}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                <Text size="sm" c={org.expiredFaults24h > 0 ? 'orange.8' : undefined}>
                  {org.expiredFaults24h}
                </Text>
              </Table.Td>
              <Table.Td>
                {org.attention.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    Nothing
                  </Text>
                ) : (
                  <Group gap={4}>
                    {org.attention.map((item) => (
                      <Badge key={item} color="red" variant="dot" tt="none">
                        {item}
                      </Badge>
                    ))}
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
