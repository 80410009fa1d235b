import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { Overview } from '@/types/api';
import { overviewKeys } from '../keys';

export function getOverview(signal?: AbortSignal): Promise<Overview> {
  return api.get<Overview>('/overview', { signal });
}

export const overviewQueryOptions = () =>
  queryOptions({
    queryKey: overviewKeys.detail(),
    queryFn: ({ signal }) => getOverview(signal),
    // Ticket health changes by the minute: keep the at-a-glance page current.
    refetchInterval: 30_000,
  });

export function useOverview() {
  return useQuery(overviewQueryOptions());
}
