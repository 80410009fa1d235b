import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { OrgWithRun } from '@/types/api';
import type { CreateOrgInput } from '../components/onboarding-form-model';
import { orgsKeys } from '../keys';

export type { CreateOrgInput };

/** Runs the whole onboarding flow; a failing org is kept (status `failed`) and still answers 201. */
export function createOrg(input: CreateOrgInput): Promise<OrgWithRun> {
  return api.post<OrgWithRun>('/orgs', input);
}

export function useCreateOrg() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createOrg,
    onSuccess: (data) => {
      queryClient.setQueryData(orgsKeys.detail(data.org.id), data.org);
      queryClient.setQueryData(orgsKeys.latestRun(data.org.id), data.run);
      void queryClient.invalidateQueries({ queryKey: orgsKeys.lists() });
    },
  });
}
