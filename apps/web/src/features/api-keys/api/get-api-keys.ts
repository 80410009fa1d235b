import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { ApiKeyList } from '@/types/api';
import { apiKeysKeys } from '../keys';

export function getApiKeys(signal?: AbortSignal): Promise<ApiKeyList> {
  return api.get<ApiKeyList>('/api-keys', { signal });
}

export const apiKeysQueryOptions = () =>
  queryOptions({
    queryKey: apiKeysKeys.list(),
    queryFn: ({ signal }) => getApiKeys(signal),
  });

export function useApiKeys() {
  return useQuery(apiKeysQueryOptions());
}
