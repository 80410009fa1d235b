import type { AdminActivityFilters } from './utils/admin-activity-filters-model';

// The only place the admin-activity feature's query keys are spelled.
export const adminActivityKeys = {
  all: ['admin-activity'] as const,
  lists: () => [...adminActivityKeys.all, 'list'] as const,
  list: (filters: AdminActivityFilters) => [...adminActivityKeys.lists(), filters] as const,
};
