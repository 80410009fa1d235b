import type { AuditFilters } from './utils/audit-filters-model';

// The only place the audit feature's query keys are spelled.
export const auditKeys = {
  all: ['audit'] as const,
  lists: () => [...auditKeys.all, 'list'] as const,
  list: (filters: AuditFilters) => [...auditKeys.lists(), filters] as const,
  /** An org's recent calls (the org page's ledger excerpt). */
  orgCalls: (orgId: string, limit: number) => [...auditKeys.lists(), 'org-calls', { orgId, limit }] as const,
  details: () => [...auditKeys.all, 'detail'] as const,
  detail: (ledgerId: string) => [...auditKeys.details(), ledgerId] as const,
};
