import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { AdminUser, Role } from '@/types/api';
import { adminUsersKeys } from '../keys';

export interface CreateAdminUserInput {
  email: string;
  name: string;
  role: Role;
  password: string;
}

export function createAdminUser(input: CreateAdminUserInput): Promise<AdminUser> {
  return api.post<AdminUser>('/admin-users', input);
}

export function useCreateAdminUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createAdminUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminUsersKeys.all }),
  });
}
