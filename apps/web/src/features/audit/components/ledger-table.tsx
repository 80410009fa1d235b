import { Stack, Table, Text } from '@mantine/core';
import { memo } from 'react';
import { DataTable, RowTime } from '@/components/data-table';
import type { CrmStamps, LedgerItem } from '@/types/api';
import { formatDuration, shortId } from '@/utils/format';
import { formatActor, formatStamp } from '../utils/format-actor';
import { OutcomeBadge } from './outcome-badge';
import { ReconciliationBadge } from './reconciliation-badge';

/** Created… stamps always; modified… ones only for updates, where they are what the call changed. */
const STAMP_FIELDS: ReadonlyArray<keyof CrmStamps> = [
  'createdby',
  'createdonbehalfby',
  'modifiedby',
  'modifiedonbehalfby',
];

function Stamps({ item }: { item: LedgerItem }) {
  const crm = item.crm;
  if (!crm) {
    return (
      <Text size="xs" c="dimmed">
        No CRM stamps
      </Text>
    );
  }
  const updated = /update/i.test(item.operation);
  return (
    <Stack gap={0} style={{ whiteSpace: 'nowrap' }}>
      {(updated ? STAMP_FIELDS : STAMP_FIELDS.slice(0, 2)).map((field) => (
        <Text size="xs" key={field}>
          <Text span c="dimmed" size="xs">
            {field}:{' '}
          </Text>
          {formatStamp(crm[field])}
        </Text>
      ))}
    </Stack>
  );
}

// Rows are memoised: "Load more" appends pages without re-rendering the rows already on screen.
const LedgerRow = memo(function LedgerRow({ item, showOrg }: { item: LedgerItem; showOrg: boolean }) {
  return (
    <Table.Tr data-reconciliation={item.reconciliation}>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <RowTime at={item.at} />
        {item.latencyMs !== null && (
          <Text size="xs" c="dimmed">
            {formatDuration(item.latencyMs)}
          </Text>
        )}
      </Table.Td>
      {showOrg && <Table.Td>{item.org.friendlyName}</Table.Td>}
      <Table.Td>{item.operation}</Table.Td>
      <Table.Td>{item.entity}</Table.Td>
      <Table.Td>
        <Text size="xs" ff="monospace" title={item.recordId ?? undefined}>
          {shortId(item.recordId)}
        </Text>
        {/* A Create whose reply was lost: the record reconciliation found in CRM for it. */}
        {item.linkedRecordId && (
          <Text size="xs" c="dimmed" title={item.linkedRecordId} data-testid="linked-record">
            {item.linkedRecordId === item.recordId ? (
              'linked (the id it named)'
            ) : (
              <>
                linked: <span style={{ fontFamily: 'monospace' }}>{shortId(item.linkedRecordId)}</span>
              </>
            )}
          </Text>
        )}
      </Table.Td>
      <Table.Td miw={180}>
        <Text size="sm">{formatActor(item)}</Text>
      </Table.Td>
      <Table.Td>
        <Stack gap={2} align="flex-start">
          <OutcomeBadge outcome={item.outcome} errorCode={item.errorCode} />
          {item.errorCode && (
            <Text size="xs" c="red.7" style={{ wordBreak: 'break-all' }}>
              {item.errorCode}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Stack gap={4} align="flex-start">
          <ReconciliationBadge value={item.reconciliation} />
          {/* A match can carry a note too: a Create whose reply was lost, linked to the record CRM holds. */}
          {item.reconciliationNote && (
            <Text
              size="xs"
              c={item.reconciliation === 'match' ? 'dimmed' : 'red.7'}
              maw={260}
              data-testid="reconciliation-note"
            >
              {item.reconciliationNote}
            </Text>
          )}
          <Stamps item={item} />
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
});

const COLUMNS = [
  'Time',
  'Org',
  'Operation',
  'Entity',
  'Record',
  'Actor',
  'Outcome',
  'Reconciliation (CRM stamps)',
];

/** Ledger rows: time, org, operation, entity, record, actor, outcome, and reconciliation with CRM's stamps. */
export function LedgerTable({
  items,
  showOrg = true,
  label,
}: {
  items: LedgerItem[];
  showOrg?: boolean;
  label: string;
}) {
  return (
    <DataTable
      label={label}
      columns={showOrg ? COLUMNS : COLUMNS.filter((column) => column !== 'Org')}
      minWidth={showOrg ? 980 : 880}
      items={items}
      row={(item) => <LedgerRow item={item} showOrg={showOrg} />}
    />
  );
}
