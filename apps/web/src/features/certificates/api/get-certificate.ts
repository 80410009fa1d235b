import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { Certificate } from '@/types/api';
import { certificatesKeys } from '../keys';

export function getCertificate(certificateId: string, signal?: AbortSignal): Promise<Certificate> {
  return api.get<Certificate>(`/certificates/${encodeURIComponent(certificateId)}`, { signal });
}

export const certificateQueryOptions = (certificateId: string) =>
  queryOptions({
    queryKey: certificatesKeys.detail(certificateId),
    queryFn: ({ signal }) => getCertificate(certificateId, signal),
  });

export function useCertificate(certificateId: string) {
  return useQuery(certificateQueryOptions(certificateId));
}
