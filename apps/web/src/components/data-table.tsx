import { Table, Text } from '@mantine/core';
import { Fragment, type ReactNode } from 'react';
import { formatDate, formatTime } from '@/utils/format';

/**
 * A list's table: a named table of column headers and one row (or more) per item, scrolling sideways on a
 * narrow screen. The page draws its rows; memoised row components keep "Load more" from re-rendering the rows
 * already on screen.
 */
export function DataTable<TItem extends { id: string }>({
  label,
  columns,
  minWidth,
  items,
  row,
}: {
  label: string;
  columns: readonly string[];
  minWidth: number;
  items: readonly TItem[];
  row: (item: TItem) => ReactNode;
}) {
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped highlightOnHover verticalSpacing="xs" aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((column) => (
              <Table.Th scope="col" key={column}>
                {column}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Fragment key={item.id}>{row(item)}</Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** When a row happened: its date over its time of day. */
export function RowTime({ at }: { at: string }) {
  return (
    <Text size="sm" component="time" dateTime={at} display="block">
      {formatDate(at)}
      <br />
      {formatTime(at)}
    </Text>
  );
}
