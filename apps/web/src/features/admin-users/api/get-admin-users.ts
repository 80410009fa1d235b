import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { AdminUserList } from '@/types/api';
import { adminUsersKeys } from '../keys';

export function getAdminUsers(signal?: AbortSignal): Promise<AdminUserList> {
  return api.get<AdminUserList>('/admin-users', { signal });
}

export const adminUsersQueryOptions = () =>
  queryOptions({
    queryKey: adminUsersKeys.list(),
    queryFn: ({ signal }) => getAdminUsers(signal),
  });

export function useAdminUsers() {
  return useQuery(adminUsersQueryOptions());
}
