import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { OnboardingRun } from '@/types/api';
import { orgsKeys } from '../keys';

export function getLatestRun(orgId: string, signal?: AbortSignal): Promise<OnboardingRun> {
  return api.get<OnboardingRun>(`/orgs/${encodeURIComponent(orgId)}/onboarding/runs/latest`, { signal });
}

export const latestRunQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: orgsKeys.latestRun(orgId),
    queryFn: ({ signal }) => getLatestRun(orgId, signal),
  });

/** Polls the latest run while `live` (a run is in flight), to show its steps as they finish. */
export function useLatestRun(orgId: string | null, live: boolean) {
  return useQuery({
    ...latestRunQueryOptions(orgId ?? ''),
    enabled: orgId !== null && live,
    refetchInterval: live ? 700 : false,
    staleTime: 0,
    retry: false,
  });
}
