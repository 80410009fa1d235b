import { Anchor, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useSearchParams } from 'react-router';
import { EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { apiUrl } from '@/lib/api-client';
import { useAudit } from '../api/get-audit';
import {
  filtersFromSearchParams,
  filtersToApiQuery,
  filtersToSearchParams,
  hasActiveFilters,
  type AuditFilters,
} from '../utils/audit-filters-model';
import { AuditFiltersForm, type OrgOption } from './audit-filters-form';
import { LedgerTable } from './ledger-table';

/** Who did what: filters in the URL, keyset paging with "Load more", and a CSV export of the same filters. */
export function AuditExplorer({ orgOptions }: { orgOptions: OrgOption[] | undefined }) {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearchParams(params);
  const audit = useAudit(filters);

  const onChange = (next: AuditFilters) => setParams(filtersToSearchParams(next), { replace: true });
  const items = audit.data?.pages.flatMap((page) => page.items) ?? [];
  const exportHref = apiUrl('/audit/export.csv', filtersToApiQuery(filters));

  return (
    <>
      <AuditFiltersForm filters={filters} onChange={onChange} orgOptions={orgOptions} />
      <Paper withBorder radius="md">
        <Group justify="space-between" p="sm" wrap="wrap">
          <Text size="sm" c="dimmed" role="status" aria-live="polite">
            {audit.isPending
              ? 'Loading…'
              : audit.isError && items.length === 0
                ? 'No results'
                : `Showing ${items.length} ${items.length === 1 ? 'call' : 'calls'}${audit.hasNextPage ? ' (more available)' : ''}${audit.isPlaceholderData ? ' · updating…' : ''}`}
          </Text>
          <Anchor href={exportHref} download>
            <Group gap={4}>
              <IconDownload size={16} aria-hidden />
              Export CSV
            </Group>
          </Anchor>
        </Group>
        {audit.isPending ? (
          <LoadingState label="Loading the audit…" />
        ) : audit.isError && items.length === 0 ? (
          <Stack p="sm">
            <ErrorState
              error={audit.error}
              title="Could not load the audit"
              onRetry={() => void audit.refetch()}
              retrying={audit.isFetching}
            />
          </Stack>
        ) : items.length === 0 ? (
          <EmptyState title="No calls match">
            {hasActiveFilters(filters)
              ? 'Try fewer filters, or a wider date range.'
              : 'Calls made through Onbehalf appear here.'}
          </EmptyState>
        ) : (
          <div style={{ opacity: audit.isPlaceholderData ? 0.6 : 1, transition: 'opacity 120ms' }}>
            <LedgerTable items={items} label="Audit: who did what" />
          </div>
        )}
        {audit.isFetchNextPageError && (
          <Stack p="sm">
            <ErrorState error={audit.error} title="Could not load more" />
          </Stack>
        )}
        {items.length > 0 && (
          <Group justify="center" p="md">
            {audit.hasNextPage ? (
              <Button
                variant="default"
                onClick={() => void audit.fetchNextPage()}
                loading={audit.isFetchingNextPage}
              >
                Load more
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                End of results
              </Text>
            )}
          </Group>
        )}
      </Paper>
    </>
  );
}
