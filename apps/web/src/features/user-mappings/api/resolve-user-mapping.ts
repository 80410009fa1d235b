import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { UserMapping } from '@/types/api';
import { userMappingsKeys } from '../keys';

export interface ResolveUserMappingInput {
  orgId: string;
  puid: string;
}

export function resolveUserMapping({ orgId, puid }: ResolveUserMappingInput): Promise<UserMapping> {
  return api.post<UserMapping>(`/orgs/${encodeURIComponent(orgId)}/user-mappings/resolve`, { puid });
}

export function useResolveUserMapping() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resolveUserMapping,
    onSuccess: (_data, { orgId }) =>
      queryClient.invalidateQueries({ queryKey: userMappingsKeys.list(orgId) }),
  });
}
