import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { OrgWithRun } from '@/types/api';
import { orgsKeys } from '../keys';

export function rerunOnboarding(orgId: string): Promise<OrgWithRun> {
  return api.post<OrgWithRun>(`/orgs/${encodeURIComponent(orgId)}/onboarding`);
}

export function useRerunOnboarding() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: rerunOnboarding,
    onSuccess: (data) => {
      queryClient.setQueryData(orgsKeys.detail(data.org.id), data.org);
      queryClient.setQueryData(orgsKeys.latestRun(data.org.id), data.run);
      void queryClient.invalidateQueries({ queryKey: orgsKeys.lists() });
    },
  });
}
