import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { useAdminActivity } from '../api/get-admin-activity';
import {
  filtersFromSearchParams,
  filtersToSearchParams,
  hasActiveFilters,
  type AdminActivityFilters,
} from '../utils/admin-activity-filters-model';
import { AdminActivityFiltersForm, type OrgOption } from './admin-activity-filters-form';
import { AdminActivityTable } from './admin-activity-table';

/** What administrators did: filters in the URL, newest first, keyset paging with "Load more". */
export function AdminActivityExplorer({ orgOptions }: { orgOptions: OrgOption[] | undefined }) {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearchParams(params);
  const activity = useAdminActivity(filters);
  const orgNames = useMemo(
    () => new Map((orgOptions ?? []).map((o) => [o.value, o.label] as const)),
    [orgOptions],
  );

  const onChange = (next: AdminActivityFilters) => setParams(filtersToSearchParams(next), { replace: true });
  const items = activity.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <AdminActivityFiltersForm filters={filters} onChange={onChange} orgOptions={orgOptions} />
      <Paper withBorder radius="md">
        <Group justify="space-between" p="sm" wrap="wrap">
          <Text size="sm" c="dimmed" role="status" aria-live="polite">
            {activity.isPending
              ? 'Loading…'
              : activity.isError && items.length === 0
                ? 'No results'
                : `Showing ${items.length} ${items.length === 1 ? 'entry' : 'entries'}${activity.hasNextPage ? ' (more available)' : ''}${activity.isPlaceholderData ? ' · updating…' : ''}`}
          </Text>
        </Group>
        {activity.isPending ? (
          <LoadingState label="Loading admin activity…" />
        ) : activity.isError && items.length === 0 ? (
          <Stack p="sm">
            <ErrorState
              error={activity.error}
              title="Could not load admin activity"
              onRetry={() => void activity.refetch()}
              retrying={activity.isFetching}
            />
          </Stack>
        ) : items.length === 0 ? (
          hasActiveFilters(filters) ? (
            <EmptyState title="No admin activity matches these filters">
              Try fewer filters, or a wider date range.
            </EmptyState>
          ) : (
            <EmptyState title="No admin activity yet">
              What administrators do in this console (sign-ins, users, certificates, orgs) appears here.
            </EmptyState>
          )
        ) : (
          <div style={{ opacity: activity.isPlaceholderData ? 0.6 : 1, transition: 'opacity 120ms' }}>
            <AdminActivityTable items={items} orgNames={orgNames} />
          </div>
        )}
        {activity.isFetchNextPageError && (
          <Stack p="sm">
            <ErrorState error={activity.error} title="Could not load more" />
          </Stack>
        )}
        {items.length > 0 && (
          <Group justify="center" p="md">
            {activity.hasNextPage ? (
              <Button
                variant="default"
                onClick={() => void activity.fetchNextPage()}
                loading={activity.isFetchingNextPage}
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
