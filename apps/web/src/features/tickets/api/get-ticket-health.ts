import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { TicketHealth } from '@/types/api';
import { ticketsKeys } from '../keys';

export function getTicketHealth(orgId: string, signal?: AbortSignal): Promise<TicketHealth> {
  return api.get<TicketHealth>(`/orgs/${encodeURIComponent(orgId)}/ticket-health`, { signal });
}

export const ticketHealthQueryOptions = (orgId: string) =>
  queryOptions({
    queryKey: ticketsKeys.detail(orgId),
    queryFn: ({ signal }) => getTicketHealth(orgId, signal),
    // Tickets live for minutes (seconds against the emulator): keep the timeline moving.
    refetchInterval: 15_000,
  });

export function useTicketHealth(orgId: string) {
  return useQuery(ticketHealthQueryOptions(orgId));
}
