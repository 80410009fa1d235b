import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { apiKeysKeys } from '../keys';

/** Revoking a revoked key changes nothing (204 again). */
export function revokeApiKey(id: string): Promise<void> {
  return api.delete(`/api-keys/${encodeURIComponent(id)}`);
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeApiKey,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKeys.lists() }),
  });
}
