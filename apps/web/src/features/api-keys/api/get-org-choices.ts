import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { OrgList } from '@/types/api';
import { apiKeysKeys } from '../keys';

/** The orgs, as the key form's picker and the list's org names need them. */
export function useOrgChoices() {
  return useQuery({
    queryKey: apiKeysKeys.orgChoices(),
    queryFn: ({ signal }) => api.get<OrgList>('/orgs', { signal }),
    select: (list) => list.items.map((o) => ({ id: o.id, name: o.friendlyName })),
  });
}
