import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, isApiError } from '@/lib/api-client';
import type { EndUser } from '@/types/api';
import { endUserKeys } from '../keys';

/** The signed-in end user, or null when nobody has signed in with Windows Live (401 END_USER_REQUIRED). */
export async function getEndUser(signal?: AbortSignal): Promise<EndUser | null> {
  try {
    return await api.get<EndUser>('/rps/me', { signal });
  } catch (error) {
    if (isApiError(error) && error.code === 'END_USER_REQUIRED') return null;
    throw error;
  }
}

export const endUserQueryOptions = () =>
  queryOptions({
    queryKey: endUserKeys.me(),
    queryFn: ({ signal }) => getEndUser(signal),
    staleTime: 0,
  });

export function useEndUser() {
  return useQuery(endUserQueryOptions());
}
