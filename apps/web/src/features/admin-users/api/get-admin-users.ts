import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { AdminUser, ListResponse } from '@/types/api';
import { adminUsersKeys } from '../keys';

export function getAdminUsers(signal?: AbortSignal): Promise<ListResponse<AdminUser>> {
  return api.get<ListResponse<AdminUser>>('/admin-users', { signal });
}

export const adminUsersQueryOptions = () =>
  queryOptions({
    queryKey: adminUsersKeys.list(),
    queryFn: ({ signal }) => getAdminUsers(signal),
  });

export function useAdminUsers() {
  return useQuery(adminUsersQueryOptions());
}
