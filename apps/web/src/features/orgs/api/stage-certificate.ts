import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { Org } from '@/types/api';
import { orgsKeys } from '../keys';

export interface StageCertificateInput {
  orgId: string;
  certificateId: string;
}

/** The API verifies the staged certificate with a real ticket request before accepting it. */
export function stageCertificate({ orgId, certificateId }: StageCertificateInput): Promise<Org | undefined> {
  return api.post<Org | undefined>(`/orgs/${encodeURIComponent(orgId)}/certificate/stage`, { certificateId });
}

export function useStageCertificate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: stageCertificate,
    onSuccess: (_data, { orgId }) => queryClient.invalidateQueries({ queryKey: orgsKeys.detail(orgId) }),
  });
}
