import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { AdminUser, Role } from '@/types/api';
import { adminUsersKeys } from '../keys';

export interface UpdateAdminUserInput {
  id: string;
  changes: { name?: string; role?: Role; password?: string };
}

export function updateAdminUser({ id, changes }: UpdateAdminUserInput): Promise<AdminUser | undefined> {
  return api.patch<AdminUser | undefined>(`/admin-users/${encodeURIComponent(id)}`, changes);
}

export function useUpdateAdminUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateAdminUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminUsersKeys.all }),
  });
}
