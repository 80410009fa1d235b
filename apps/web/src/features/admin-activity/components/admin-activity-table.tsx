import { Anchor, Button, Code, Table, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import { memo, useState } from 'react';
import { Link } from 'react-router';
import { DataTable, RowTime } from '@/components/data-table';
import type { AdminAuditItem } from '@/types/api';
import { shortId } from '@/utils/format';
import { AdminOutcomeBadge } from './admin-outcome-badge';

const COLUMNS = ['Time', 'Actor', 'Action', 'Target', 'Outcome', 'Org', 'IP', 'Changes'];

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
          <RowTime at={item.at} />
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
          <Table.Td colSpan={COLUMNS.length}>
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
    <DataTable
      label="Admin activity"
      columns={COLUMNS}
      minWidth={960}
      items={items}
      row={(item) => <ActivityRow item={item} orgNames={orgNames} />}
    />
  );
}
