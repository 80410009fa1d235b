import { useMutation } from '@tanstack/react-query';
import { api, setCsrfToken } from '@/lib/api-client';

export function logout(): Promise<void> {
  return api.post<void>('/auth/logout', undefined, { reportSessionLoss: false });
}

/**
 * Signs out (even if the server already forgot the session). The caller leaves the protected pages first and
 * then clears the cache, so no mounted query refetches with the dead session.
 */
export function useLogout() {
  return useMutation({
    mutationFn: logout,
    onSettled: () => setCsrfToken(null),
  });
}
