import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { Org } from '@/types/api';
import { orgsKeys } from '../keys';

export function promoteCertificate(orgId: string): Promise<Org | undefined> {
  return api.post<Org | undefined>(`/orgs/${encodeURIComponent(orgId)}/certificate/promote`);
}

export function usePromoteCertificate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: promoteCertificate,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: orgsKeys.all }),
  });
}
