import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { TicketHealth, TicketSummary } from '@/types/api';
import { ticketsKeys } from '../keys';

/** The org's ticket after the refresh (null if it still has none). */
export function refreshTicket(orgId: string): Promise<TicketSummary | null> {
  return api.post<TicketSummary | null>(`/orgs/${encodeURIComponent(orgId)}/tickets/refresh`);
}

export function useRefreshTicket() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: refreshTicket,
    onSuccess: (ticket, orgId) => {
      queryClient.setQueryData<TicketHealth>(ticketsKeys.detail(orgId), (old) =>
        old ? { ...old, ticket } : old,
      );
      // The new event and series bucket come from the server.
      return queryClient.invalidateQueries({ queryKey: ticketsKeys.detail(orgId) });
    },
  });
}
