import { infiniteQueryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { keysetPaging } from '@/lib/keyset-paging';
import type { LedgerPage } from '@/types/api';
import { auditFiltersModel, type AuditFilters } from '../utils/audit-filters-model';
import { auditKeys } from '../keys';

export const AUDIT_PAGE_SIZE = 50;

export function getAuditPage(
  filters: AuditFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<LedgerPage> {
  return api.get<LedgerPage>('/audit', {
    signal,
    query: { ...auditFiltersModel.toApiQuery(filters), cursor, limit: AUDIT_PAGE_SIZE },
  });
}

export const auditQueryOptions = (filters: AuditFilters) =>
  infiniteQueryOptions({
    ...keysetPaging,
    queryKey: auditKeys.list(filters),
    queryFn: ({ pageParam, signal }) => getAuditPage(filters, pageParam, signal),
  });
