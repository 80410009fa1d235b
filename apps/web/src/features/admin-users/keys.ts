// The only place the admin-users feature's query keys are spelled.
export const adminUsersKeys = {
  all: ['admin-users'] as const,
  lists: () => [...adminUsersKeys.all, 'list'] as const,
  list: (filters: Record<string, never> = {}) => [...adminUsersKeys.lists(), filters] as const,
  details: () => [...adminUsersKeys.all, 'detail'] as const,
  detail: (userId: string) => [...adminUsersKeys.details(), userId] as const,
};
