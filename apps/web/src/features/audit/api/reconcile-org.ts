import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { ReconcileReport } from '@/types/api';
import { auditKeys } from '../keys';

export type ReconcileResult = ReconcileReport;

/** Pulls CRM's createdby/createdonbehalfby stamps now and compares them with the ledger. */
export function reconcileOrg(orgId: string): Promise<ReconcileResult> {
  return api.post<ReconcileResult>(`/orgs/${encodeURIComponent(orgId)}/reconcile`);
}

export function useReconcileOrg() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: reconcileOrg,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: auditKeys.all }),
  });
}
