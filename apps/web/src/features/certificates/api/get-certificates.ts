import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { CertificateList } from '@/types/api';
import { certificatesKeys } from '../keys';

export function getCertificates(signal?: AbortSignal): Promise<CertificateList> {
  return api.get<CertificateList>('/certificates', { signal });
}

export const certificatesQueryOptions = () =>
  queryOptions({
    queryKey: certificatesKeys.list(),
    queryFn: ({ signal }) => getCertificates(signal),
  });

export function useCertificates() {
  return useQuery(certificatesQueryOptions());
}
