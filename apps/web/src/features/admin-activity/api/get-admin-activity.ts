import { infiniteQueryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { keysetPaging } from '@/lib/keyset-paging';
import type { AdminAuditPage } from '@/types/api';
import { adminActivityKeys } from '../keys';
import { adminActivityFiltersModel, type AdminActivityFilters } from '../utils/admin-activity-filters-model';

export const ADMIN_ACTIVITY_PAGE_SIZE = 50;

export function getAdminActivityPage(
  filters: AdminActivityFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<AdminAuditPage> {
  return api.get<AdminAuditPage>('/admin-audit', {
    signal,
    query: { ...adminActivityFiltersModel.toApiQuery(filters), cursor, limit: ADMIN_ACTIVITY_PAGE_SIZE },
  });
}

export const adminActivityQueryOptions = (filters: AdminActivityFilters) =>
  infiniteQueryOptions({
    ...keysetPaging,
    queryKey: adminActivityKeys.list(filters),
    queryFn: ({ pageParam, signal }) => getAdminActivityPage(filters, pageParam, signal),
  });
