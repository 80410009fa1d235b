import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { orgsKeys } from '../keys';
import type { LedgerChainVerdict } from '../types';

export function getLedgerChain(orgId: string, signal?: AbortSignal): Promise<LedgerChainVerdict> {
  return api.get<LedgerChainVerdict>(`/audit/verify?orgId=${encodeURIComponent(orgId)}`, { signal });
}

/**
 * The org's ledger chain as the API verifies it. Verifying reads every sealed row of the org, so it runs only
 * when asked (`refetch()`), never on its own; the last verdict stays in the cache for the session's later
 * visits to the org page.
 */
export function useLedgerChain(orgId: string) {
  return useQuery({
    queryKey: orgsKeys.ledgerChain(orgId),
    queryFn: ({ signal }) => getLedgerChain(orgId, signal),
    enabled: false,
    gcTime: 60 * 60_000,
    retry: false,
  });
}
