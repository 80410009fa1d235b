import type { OverviewOrg } from '@/types/api';

/**
 * Orgs needing attention first (the API already orders them; this keeps the promise if it does not),
 * otherwise a stable order by the number of problems, then by name.
 */
export function attentionFirst(orgs: readonly OverviewOrg[]): OverviewOrg[] {
  const weight = (org: OverviewOrg) =>
    (org.attention.length > 0 ? 1_000_000 : 0) +
    (org.status === 'failed' ? 10_000 : 0) +
    org.failures24h +
    org.expiredFaults24h;
  return orgs
    .map((org, index) => ({ org, index }))
    .sort((a, b) => weight(b.org) - weight(a.org) || a.index - b.index)
    .map(({ org }) => org);
}
