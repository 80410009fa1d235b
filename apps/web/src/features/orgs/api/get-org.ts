import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { Org } from '@/types/api';
import { orgsKeys } from '../keys';

export function getOrg(orgId: string, signal?: AbortSignal): Promise<Org> {
  return api.get<Org>(`/orgs/${encodeURIComponent(orgId)}`, { signal });
}

export const orgQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: orgsKeys.detail(orgId),
    queryFn: ({ signal }) => getOrg(orgId, signal),
  });

export function useOrg(orgId: string) {
  return useQuery(orgQueryOptions(orgId));
}
