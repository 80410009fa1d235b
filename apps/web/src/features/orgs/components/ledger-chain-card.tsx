import { Badge, Button, Code, Group, Stack, Text } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { ErrorState, LoadingState } from '@/components/query-state';
import { formatDateTime } from '@/utils/format';
import { useLedgerChain } from '../api/get-ledger-chain';
import type { LedgerChainVerdict } from '../types';

const KIND_LABEL: Record<NonNullable<LedgerChainVerdict['break']>['kind'], string> = {
  changed: 'a sealed row was changed',
  deleted: 'sealed rows were deleted',
  inserted: 'a row was inserted',
  reordered: 'rows were reordered',
};

/** The org's ledger hash chain: "Chain verified up to <time>", or where and how it breaks. */
export function LedgerChainCard({ orgId }: { orgId: string }) {
  const chain = useLedgerChain(orgId);

  if (chain.isPending) return <LoadingState label="Verifying the ledger chain…" />;
  if (chain.isError) {
    return (
      <ErrorState
        error={chain.error}
        title="Could not verify the ledger chain"
        onRetry={() => void chain.refetch()}
        retrying={chain.isFetching}
      />
    );
  }
  const v = chain.data;
  const rows = `${v.rows.toLocaleString()} sealed row${v.rows === 1 ? '' : 's'}`;

  return (
    <Group justify="space-between" align="flex-start" wrap="wrap" data-testid="ledger-chain">
      {v.break ? (
        <Stack gap={4}>
          <Group gap="sm">
            <Badge color="red" variant="light">
              Chain broken
            </Badge>
            <Text fw={600}>
              At seq {v.break.seq}: {KIND_LABEL[v.break.kind]}
            </Text>
          </Group>
          <Text size="sm">
            {v.break.rowId ? (
              <>
                Row <Code>{v.break.rowId}</Code>:{' '}
              </>
            ) : null}
            {v.break.detail}.
          </Text>
          <Text size="xs" c="dimmed">
            {rows} verified before it
            {v.verifiedThrough ? `, up to ${formatDateTime(v.verifiedThrough)}` : ''}.
          </Text>
        </Stack>
      ) : (
        <Stack gap={4}>
          <Group gap="sm">
            <Badge color={v.verifiedThrough ? 'teal' : 'gray'} variant="light">
              {v.verifiedThrough ? 'Verified' : 'Nothing sealed yet'}
            </Badge>
            <Text fw={600}>
              {v.verifiedThrough
                ? `Chain verified up to ${formatDateTime(v.verifiedThrough)}`
                : 'No call is sealed into the chain yet'}
            </Text>
          </Group>
          <Text size="xs" c="dimmed">
            {rows}, each hashed with the one before it; calls are sealed a few seconds after they finish.
          </Text>
        </Stack>
      )}
      <Button
        leftSection={<IconRefresh size={16} aria-hidden />}
        variant="light"
        loading={chain.isFetching}
        onClick={() => void chain.refetch()}
      >
        Verify again
      </Button>
    </Group>
  );
}
