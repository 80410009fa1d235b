import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { LedgerList } from '@/types/api';
import { auditKeys } from '../keys';

export function getOrgCalls(orgId: string, limit: number, signal?: AbortSignal): Promise<LedgerList> {
  return api.get<LedgerList>(`/orgs/${encodeURIComponent(orgId)}/calls`, {
    signal,
    query: { limit },
  });
}

export const orgCallsQueryOptions = (orgId: string, limit = 20) =>
  queryOptions({
    queryKey: auditKeys.orgCalls(orgId, limit),
    queryFn: ({ signal }) => getOrgCalls(orgId, limit, signal),
    refetchInterval: 30_000,
  });

export function useOrgCalls(orgId: string, limit = 20) {
  return useQuery(orgCallsQueryOptions(orgId, limit));
}
