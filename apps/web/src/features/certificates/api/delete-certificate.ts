import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { certificatesKeys } from '../keys';

/** Refused with 409 CERTIFICATE_IN_USE while an org uses or stages it. */
export function deleteCertificate(certificateId: string): Promise<void> {
  return api.delete(`/certificates/${encodeURIComponent(certificateId)}`);
}

export function useDeleteCertificate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteCertificate,
    onSuccess: (_data, certificateId) => {
      queryClient.removeQueries({ queryKey: certificatesKeys.detail(certificateId) });
      return queryClient.invalidateQueries({ queryKey: certificatesKeys.lists() });
    },
  });
}
