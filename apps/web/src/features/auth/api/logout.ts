import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from '@/lib/api-client';

export function logout(): Promise<void> {
  return api.post<void>('/auth/logout', undefined, { reportSessionLoss: false });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      // Signed out even if the server already forgot the session.
      setCsrfToken(null);
      queryClient.clear();
    },
  });
}
