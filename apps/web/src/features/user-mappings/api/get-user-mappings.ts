import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { UserMappingList } from '@/types/api';
import { userMappingsKeys } from '../keys';

export function getUserMappings(orgId: string, signal?: AbortSignal): Promise<UserMappingList> {
  return api.get<UserMappingList>(`/orgs/${encodeURIComponent(orgId)}/user-mappings`, { signal });
}

export const userMappingsQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: userMappingsKeys.list(orgId),
    queryFn: ({ signal }) => getUserMappings(orgId, signal),
  });

export function useUserMappings(orgId: string) {
  return useQuery(userMappingsQueryOptions(orgId));
}
