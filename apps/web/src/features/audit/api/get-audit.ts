import { infiniteQueryOptions, keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { LedgerPage } from '@/types/api';
import { filtersToApiQuery, type AuditFilters } from '../utils/audit-filters-model';
import { auditKeys } from '../keys';

export const AUDIT_PAGE_SIZE = 50;

export function getAuditPage(
  filters: AuditFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<LedgerPage> {
  return api.get<LedgerPage>('/audit', {
    signal,
    query: { ...filtersToApiQuery(filters), cursor, limit: AUDIT_PAGE_SIZE },
  });
}

/** Keyset paging: each page hands back the cursor of the next one. */
export const auditQueryOptions = (filters: AuditFilters) =>
  infiniteQueryOptions({
    queryKey: auditKeys.list(filters),
    queryFn: ({ pageParam, signal }) => getAuditPage(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Keep the old rows on screen while a new filter loads, instead of flashing a spinner.
    placeholderData: keepPreviousData,
  });

export function useAudit(filters: AuditFilters) {
  return useInfiniteQuery(auditQueryOptions(filters));
}
