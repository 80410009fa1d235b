// The only place the orgs feature's query keys are spelled. Mutations invalidate `orgsKeys.all` or a detail prefix.
export const orgsKeys = {
  all: ['orgs'] as const,
  lists: () => [...orgsKeys.all, 'list'] as const,
  list: (filters: Record<string, never> = {}) => [...orgsKeys.lists(), filters] as const,
  details: () => [...orgsKeys.all, 'detail'] as const,
  detail: (orgId: string) => [...orgsKeys.details(), orgId] as const,
  latestRun: (orgId: string) => [...orgsKeys.detail(orgId), 'onboarding', 'latest'] as const,
  ledgerChain: (orgId: string) => [...orgsKeys.detail(orgId), 'ledger-chain'] as const,
};
