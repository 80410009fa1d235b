import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { OrgList } from '@/types/api';
import { orgsKeys } from '../keys';

export function getOrgs(signal?: AbortSignal): Promise<OrgList> {
  return api.get<OrgList>('/orgs', { signal });
}

export const orgsQueryOptions = () =>
  queryOptions({
    queryKey: orgsKeys.list(),
    queryFn: ({ signal }) => getOrgs(signal),
  });

export function useOrgs() {
  return useQuery(orgsQueryOptions());
}
