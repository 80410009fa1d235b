// The only place the certificates feature's query keys are spelled.
export const certificatesKeys = {
  all: ['certificates'] as const,
  lists: () => [...certificatesKeys.all, 'list'] as const,
  list: (filters: Record<string, never> = {}) => [...certificatesKeys.lists(), filters] as const,
  details: () => [...certificatesKeys.all, 'detail'] as const,
  detail: (certificateId: string) => [...certificatesKeys.details(), certificateId] as const,
};
