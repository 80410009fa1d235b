// The only place the overview feature's query keys are spelled.
export const overviewKeys = {
  all: ['overview'] as const,
  details: () => [...overviewKeys.all, 'detail'] as const,
  detail: () => [...overviewKeys.details(), 'summary'] as const,
};
