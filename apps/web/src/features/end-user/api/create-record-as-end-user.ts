import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { EndUserCreateResponse } from '@/types/api';

export interface CreateRecordAsEndUserInput {
  entity: string;
  attributes: Record<string, unknown>;
}

/** Creates a record on behalf of the signed-in end user; the reply carries the stamps CRM recorded. */
export function createRecordAsEndUser({
  entity,
  attributes,
}: CreateRecordAsEndUserInput): Promise<EndUserCreateResponse> {
  return api.post<EndUserCreateResponse>(`/rps/records/${encodeURIComponent(entity)}`, { attributes });
}

export function useCreateRecordAsEndUser() {
  return useMutation({ mutationFn: createRecordAsEndUser });
}
