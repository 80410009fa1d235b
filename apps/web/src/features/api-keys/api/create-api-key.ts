import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { CreateApiKeyBody, CreatedApiKey } from '@/types/api';
import { apiKeysKeys } from '../keys';

/** The reply holds the key itself: the only time it is ever shown. */
export function createApiKey(input: CreateApiKeyBody): Promise<CreatedApiKey> {
  return api.post<CreatedApiKey>('/api-keys', input);
}

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createApiKey,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKeys.lists() }),
  });
}
