// The only place the tickets feature's query keys are spelled.
export const ticketsKeys = {
  all: ['tickets'] as const,
  lists: () => [...ticketsKeys.all, 'list'] as const,
  list: (filters: Record<string, never> = {}) => [...ticketsKeys.lists(), filters] as const,
  details: () => [...ticketsKeys.all, 'detail'] as const,
  /** One org's ticket health. */
  detail: (orgId: string) => [...ticketsKeys.details(), orgId] as const,
};
