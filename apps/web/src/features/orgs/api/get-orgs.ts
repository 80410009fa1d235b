import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { ListResponse, Org } from '@/types/api';
import { orgsKeys } from '../keys';

export function getOrgs(signal?: AbortSignal): Promise<ListResponse<Org>> {
  return api.get<ListResponse<Org>>('/orgs', { signal });
}

export const orgsQueryOptions = () =>
  queryOptions({
    queryKey: orgsKeys.list(),
    queryFn: ({ signal }) => getOrgs(signal),
  });

export function useOrgs() {
  return useQuery(orgsQueryOptions());
}
