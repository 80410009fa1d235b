import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { endUserKeys } from '../keys';

export function endUserLogout(): Promise<void> {
  return api.post<void>('/rps/logout');
}

export function useEndUserLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: endUserLogout,
    onSuccess: () => queryClient.setQueryData(endUserKeys.me(), null),
  });
}
