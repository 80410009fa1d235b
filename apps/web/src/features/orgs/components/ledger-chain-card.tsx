import { Badge, Button, Code, Group, Stack, Text } from '@mantine/core';
import { IconRefresh, IconShieldCheck } from '@tabler/icons-react';
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

/**
 * The org's ledger hash chain: verified when the user asks (it reads every sealed row), then "Chain verified up
 * to <time>", or where and how it breaks, with when it was checked.
 */
export function LedgerChainCard({ orgId }: { orgId: string }) {
  const chain = useLedgerChain(orgId);
  const verify = () => void chain.refetch();

  if (chain.data === undefined && chain.isFetching)
    return <LoadingState label="Verifying the ledger chain…" />;
  if (chain.isError) {
    return (
      <ErrorState
        error={chain.error}
        title="Could not verify the ledger chain"
        onRetry={verify}
        retrying={chain.isFetching}
      />
    );
  }
  if (chain.data === undefined) {
    return (
      <Group justify="space-between" align="flex-start" wrap="wrap" data-testid="ledger-chain">
        <Stack gap={4}>
          <Group gap="sm">
            <Badge color="gray" variant="light">
              Not verified yet
            </Badge>
            <Text fw={600}>Verify the chain to check that no sealed call was changed or removed</Text>
          </Group>
          <Text size="xs" c="dimmed">
            Verifying recomputes the hash of every sealed row of this org, so it runs only when you ask.
          </Text>
        </Stack>
        <Button leftSection={<IconShieldCheck size={16} aria-hidden />} onClick={verify}>
          Verify
        </Button>
      </Group>
    );
  }
  const v = chain.data;
  const checked = `Checked at ${formatDateTime(new Date(chain.dataUpdatedAt).toISOString())}.`;
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
            {v.verifiedThrough ? `, up to ${formatDateTime(v.verifiedThrough)}` : ''}. {checked}
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
            {rows}, each hashed with the one before it; calls are sealed a few seconds after they finish.{' '}
            {checked}
          </Text>
        </Stack>
      )}
      <Button
        leftSection={<IconRefresh size={16} aria-hidden />}
        variant="light"
        loading={chain.isFetching}
        onClick={verify}
      >
        Verify again
      </Button>
    </Group>
  );
}
