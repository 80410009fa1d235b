import { Button, Group, Paper, Stack, Text } from '@mantine/core';
import {
  useInfiniteQuery,
  type InfiniteData,
  type QueryKey,
  type UseInfiniteQueryOptions,
} from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import type { KeysetPage } from '@/lib/keyset-paging';
import type { UrlFilterModel } from '@/lib/url-filters';
import { EmptyState, ErrorState, LoadingState } from './query-state';

/**
 * A filtered list: the filters in the URL and their form, the list those filters select, keyset paging with
 * "Load more", and what is said while it loads, when it fails and when nothing matches. The page gives its
 * filters, its query, its table and its words.
 */
export function FilterExplorer<F, TPage extends KeysetPage, TKey extends QueryKey>({
  model,
  query,
  filterForm,
  noun,
  loadingLabel,
  errorTitle,
  empty,
  noMatch,
  actions,
  table,
}: {
  model: UrlFilterModel<F>;
  query: (filters: F) => UseInfiniteQueryOptions<TPage, Error, InfiniteData<TPage>, TKey, string | null>;
  filterForm: (props: { filters: F; onChange: (next: F) => void }) => ReactNode;
  /** What one row is, and many: "Showing 1 call", "Showing 2 calls". */
  noun: { one: string; many: string };
  loadingLabel: string;
  errorTitle: string;
  /** When nothing is recorded yet (no filter set). */
  empty: { title: string; text: string };
  /** The title when filters are set and nothing matches them. */
  noMatch: string;
  /** Links beside the count, for these filters (e.g. an export). */
  actions?: (filters: F) => ReactNode;
  table: (items: TPage['items']) => ReactNode;
}) {
  const [params, setParams] = useSearchParams();
  const filters = model.fromSearchParams(params);
  const list = useInfiniteQuery(query(filters));

  const onChange = (next: F) => setParams(model.toSearchParams(next), { replace: true });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const failed = list.isError && items.length === 0;

  return (
    <>
      {filterForm({ filters, onChange })}
      <Paper withBorder radius="md">
        <Group justify="space-between" p="sm" wrap="wrap">
          <Text size="sm" c="dimmed" role="status" aria-live="polite">
            {list.isPending
              ? 'Loading…'
              : failed
                ? 'No results'
                : `Showing ${items.length} ${items.length === 1 ? noun.one : noun.many}${list.hasNextPage ? ' (more available)' : ''}${list.isPlaceholderData ? ' · updating…' : ''}`}
          </Text>
          {actions?.(filters)}
        </Group>
        {list.isPending ? (
          <LoadingState label={loadingLabel} />
        ) : failed ? (
          <Stack p="sm">
            <ErrorState
              error={list.error}
              title={errorTitle}
              onRetry={() => void list.refetch()}
              retrying={list.isFetching}
            />
          </Stack>
        ) : items.length === 0 ? (
          model.hasActiveFilters(filters) ? (
            <EmptyState title={noMatch}>Try fewer filters, or a wider date range.</EmptyState>
          ) : (
            <EmptyState title={empty.title}>{empty.text}</EmptyState>
          )
        ) : (
          <div style={{ opacity: list.isPlaceholderData ? 0.6 : 1, transition: 'opacity 120ms' }}>
            {table(items)}
          </div>
        )}
        {list.isFetchNextPageError && (
          <Stack p="sm">
            <ErrorState error={list.error} title="Could not load more" />
          </Stack>
        )}
        {items.length > 0 && (
          <Group justify="center" p="md">
            {list.hasNextPage ? (
              <Button
                variant="default"
                onClick={() => void list.fetchNextPage()}
                loading={list.isFetchingNextPage}
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
