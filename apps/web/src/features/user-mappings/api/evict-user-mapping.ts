import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { userMappingsKeys } from '../keys';

export interface EvictUserMappingInput {
  orgId: string;
  puid: string;
}

export function evictUserMapping({ orgId, puid }: EvictUserMappingInput): Promise<void> {
  return api.delete(`/orgs/${encodeURIComponent(orgId)}/user-mappings/${encodeURIComponent(puid)}`);
}

export function useEvictUserMapping() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: evictUserMapping,
    onSuccess: (_data, { orgId }) =>
      queryClient.invalidateQueries({ queryKey: userMappingsKeys.list(orgId) }),
  });
}
