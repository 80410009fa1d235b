import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { AdminAuditPage } from '@/types/api';
import { adminActivityKeys } from '../keys';
import { filtersToApiQuery, type AdminActivityFilters } from '../utils/admin-activity-filters-model';

export const ADMIN_ACTIVITY_PAGE_SIZE = 50;

export function getAdminActivityPage(
  filters: AdminActivityFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<AdminAuditPage> {
  return api.get<AdminAuditPage>('/admin-audit', {
    signal,
    query: { ...filtersToApiQuery(filters), cursor, limit: ADMIN_ACTIVITY_PAGE_SIZE },
  });
}

/** Keyset paging: each page hands back the cursor of the next one. */
export const adminActivityQueryOptions = (filters: AdminActivityFilters) =>
  infiniteQueryOptions({
    queryKey: adminActivityKeys.list(filters),
    queryFn: ({ pageParam, signal }) => getAdminActivityPage(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Keep the old rows on screen while a new filter loads, instead of flashing a spinner.
    placeholderData: keepPreviousData,
  });

export function useAdminActivity(filters: AdminActivityFilters) {
  return useInfiniteQuery(adminActivityQueryOptions(filters));
}
