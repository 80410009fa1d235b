import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { orgsKeys } from '../keys';
import type { LedgerChainVerdict } from '../types';

export function getLedgerChain(orgId: string, signal?: AbortSignal): Promise<LedgerChainVerdict> {
  return api.get<LedgerChainVerdict>(`/audit/verify?orgId=${encodeURIComponent(orgId)}`, { signal });
}

/** The org's ledger chain verified by the API (it reads every sealed row: not refetched on focus). */
export function useLedgerChain(orgId: string) {
  return useQuery({
    queryKey: orgsKeys.ledgerChain(orgId),
    queryFn: ({ signal }) => getLedgerChain(orgId, signal),
    refetchOnWindowFocus: false,
  });
}
