import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { IconScale } from '@tabler/icons-react';
import { Link } from 'react-router';
import { ActionError, EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import { useOrgCalls } from '../api/get-org-calls';
import { useReconcileOrg } from '../api/reconcile-org';
import { LedgerTable } from './ledger-table';

/** The org's latest calls from the ledger, with "Check CRM stamps now" (reconciliation) for admins. */
export function OrgRecentCalls({ orgId, canEdit }: { orgId: string; canEdit: boolean }) {
  const calls = useOrgCalls(orgId, 20);
  const reconcile = useReconcileOrg();
  const result = reconcile.data;

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <Anchor component={Link} to={`/audit?orgId=${encodeURIComponent(orgId)}`} size="sm">
          See all of this org’s calls in the audit
        </Anchor>
        {canEdit ? (
          <Button
            size="xs"
            variant="light"
            leftSection={<IconScale size={14} aria-hidden />}
            loading={reconcile.isPending}
            onClick={() => reconcile.mutate(orgId)}
          >
            Check CRM stamps now
          </Button>
        ) : (
          <ReadOnlyNote>Auditors cannot start a reconciliation.</ReadOnlyNote>
        )}
      </Group>
      <ActionError error={reconcile.error} title="Could not check the CRM stamps" />
      {result && (
        <Alert
          color={result.mismatch > 0 || result.missing > 0 || result.notStamped > 0 ? 'orange' : 'green'}
          variant="light"
          p="sm"
          role="status"
        >
          <Text size="sm">
            Checked {result.checked}: {result.match} match, {result.mismatch} mismatch, {result.missing}{' '}
            missing, {result.notStamped} on behalf requested but not stamped, {result.unknownChanges} changes
            made outside Onbehalf.
          </Text>
        </Alert>
      )}
      {calls.isPending ? (
        <LoadingState label="Loading recent calls…" />
      ) : calls.isError ? (
        <ErrorState
          error={calls.error}
          title="Could not load recent calls"
          onRetry={() => void calls.refetch()}
          retrying={calls.isFetching}
        />
      ) : calls.data.items.length === 0 ? (
        <EmptyState title="No calls yet">Impersonated calls to this org will show here.</EmptyState>
      ) : (
        <LedgerTable items={calls.data.items} showOrg={false} label="Recent calls" />
      )}
    </Stack>
  );
}
