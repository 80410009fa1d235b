import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, setCsrfToken } from '@/lib/api-client';
import type { Me } from '@/types/api';
import { authKeys } from '../keys';

export async function getMe(signal?: AbortSignal): Promise<Me> {
  // The session probe handles its own 401 (the auth gate redirects), so it does not report session loss.
  const me = await api.get<Me>('/auth/me', { signal, reportSessionLoss: false });
  setCsrfToken(me.csrfToken);
  return me;
}

export const meQueryOptions = () =>
  queryOptions({
    queryKey: authKeys.me(),
    queryFn: ({ signal }) => getMe(signal),
    staleTime: 60_000,
  });

export function useMe() {
  return useQuery(meQueryOptions());
}
