import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import type { Certificate, UploadCertificateBody } from '@/types/api';
import { certificatesKeys } from '../keys';

/** JSON upload (the API also takes multipart; JSON keeps PEM and PKCS#12 in one shape). */
export function uploadCertificate(body: UploadCertificateBody): Promise<Certificate> {
  return api.post<Certificate>('/certificates', body);
}

export function useUploadCertificate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: uploadCertificate,
    onSuccess: (certificate) => {
      queryClient.setQueryData(certificatesKeys.detail(certificate.id), certificate);
      return queryClient.invalidateQueries({ queryKey: certificatesKeys.lists() });
    },
  });
}
