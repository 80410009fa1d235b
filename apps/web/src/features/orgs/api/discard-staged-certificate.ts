import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { orgsKeys } from '../keys';

export function discardStagedCertificate(orgId: string): Promise<void> {
  return api.delete(`/orgs/${encodeURIComponent(orgId)}/certificate/staged`);
}

export function useDiscardStagedCertificate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: discardStagedCertificate,
    onSuccess: (_data, orgId) => queryClient.invalidateQueries({ queryKey: orgsKeys.detail(orgId) }),
  });
}
