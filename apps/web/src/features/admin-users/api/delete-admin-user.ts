import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { adminUsersKeys } from '../keys';

/** Refused with 409 CANNOT_DELETE_SELF for the signed-in user. */
export function deleteAdminUser(id: string): Promise<void> {
  return api.delete(`/admin-users/${encodeURIComponent(id)}`);
}

export function useDeleteAdminUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteAdminUser,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminUsersKeys.all }),
  });
}
