import { Anchor, Button, Code, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { memo, useState } from 'react';
import { Link } from 'react-router';
import type { AdminAuditItem } from '@/types/api';
import { formatDate, formatTime, shortId } from '@/utils/format';
import { AdminOutcomeBadge } from './admin-outcome-badge';

const COLUMNS = 8;

function OrgCell({ orgId, orgNames }: { orgId: string | null; orgNames: ReadonlyMap<string, string> }) {
  if (!orgId) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Anchor component={Link} to={`/orgs/${orgId}`} size="sm">
      {orgNames.get(orgId) ?? shortId(orgId)}
    </Anchor>
  );
}

// Rows are memoised: "Load more" appends pages without re-rendering the rows already on screen.
const ActivityRow = memo(function ActivityRow({
  item,
  orgNames,
}: {
  item: AdminAuditItem;
  orgNames: ReadonlyMap<string, string>;
}) {
  const [open, setOpen] = useState(false);
  const diffId = `admin-activity-diff-${item.id}`;
  return (
    <>
      <Table.Tr data-outcome={item.outcome}>
        <Table.Td style={{ whiteSpace: 'nowrap' }}>
          <Text size="sm" component="time" dateTime={item.at} display="block">
            {formatDate(item.at)}
            <br />
            {formatTime(item.at)}
          </Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{item.actor.email ?? 'System'}</Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
            {item.action}
          </Text>
        </Table.Td>
        <Table.Td maw={240}>
          <Text size="sm" style={{ wordBreak: 'break-all' }}>
            {item.target ?? '—'}
          </Text>
        </Table.Td>
        <Table.Td>
          <AdminOutcomeBadge outcome={item.outcome} />
        </Table.Td>
        <Table.Td>
          <OrgCell orgId={item.orgId} orgNames={orgNames} />
        </Table.Td>
        <Table.Td>
          <Text size="xs" ff="monospace">
            {item.ip ?? '—'}
          </Text>
        </Table.Td>
        <Table.Td>
          {item.diff ? (
            <Button
              size="compact-xs"
              variant="subtle"
              aria-expanded={open}
              aria-controls={diffId}
              onClick={() => setOpen((o) => !o)}
              leftSection={
                open ? <IconChevronDown size={14} aria-hidden /> : <IconChevronRight size={14} aria-hidden />
              }
            >
              {open ? 'Hide' : 'Show'}
            </Button>
          ) : (
            <Text size="sm" c="dimmed">
              —
            </Text>
          )}
        </Table.Td>
      </Table.Tr>
      {item.diff && open && (
        <Table.Tr id={diffId}>
          <Table.Td colSpan={COLUMNS}>
            <Code block aria-label={`Changes of ${item.action}`}>
              {JSON.stringify(item.diff, null, 2)}
            </Code>
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
});

/** Admin audit entries: time, actor, action, target, outcome, org, IP, and the recorded changes on demand. */
export function AdminActivityTable({
  items,
  orgNames,
}: {
  items: AdminAuditItem[];
  orgNames: ReadonlyMap<string, string>;
}) {
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label="Admin activity">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Time</Table.Th>
            <Table.Th scope="col">Actor</Table.Th>
            <Table.Th scope="col">Action</Table.Th>
            <Table.Th scope="col">Target</Table.Th>
            <Table.Th scope="col">Outcome</Table.Th>
            <Table.Th scope="col">Org</Table.Th>
            <Table.Th scope="col">IP</Table.Th>
            <Table.Th scope="col">Changes</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <ActivityRow key={item.id} item={item} orgNames={orgNames} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
