import { Anchor, Group, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useNavigate, useParams } from 'react-router';
import { ConfirmButton } from '@/components/confirm-button';
import { PageHeader } from '@/components/page-header';
import { ActionError, ErrorState, LoadingState } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import { CertificateStatusBadge } from '@/components/status-badges';
import { useCanEdit } from '@/lib/session';
import { formatDn } from '@/utils/format';
import { useCertificate } from '../api/get-certificate';
import { useDeleteCertificate } from '../api/delete-certificate';
import { CertificateDetails } from '../components/certificate-details';

export function CertificateDetailRoute() {
  const { certificateId = '' } = useParams();
  const certificate = useCertificate(certificateId);
  const remove = useDeleteCertificate();
  const canEdit = useCanEdit();
  const navigate = useNavigate();

  const title = certificate.data
    ? certificate.data.name || formatDn(certificate.data.subject)
    : 'Certificate';
  const inUse = (certificate.data?.orgs ?? []).length;

  return (
    <>
      <PageHeader
        title={title}
        description={
          <Group gap="xs" component="span">
            {certificate.data && <CertificateStatusBadge status={certificate.data.status} />}
            <Anchor component={Link} to="/certificates" size="sm">
              All certificates
            </Anchor>
          </Group>
        }
        actions={
          certificate.data &&
          (canEdit ? (
            <ConfirmButton
              title="Delete this certificate?"
              message={
                inUse > 0
                  ? `${inUse} org${inUse === 1 ? '' : 's'} depend on it: the API will refuse until they use another certificate.`
                  : 'Its private key is destroyed. This cannot be undone.'
              }
              confirmLabel="Delete"
              loading={remove.isPending}
              onConfirm={() =>
                remove.mutate(certificateId, {
                  onSuccess: () => {
                    notifications.show({ color: 'green', title: 'Certificate deleted', message: title });
                    navigate('/certificates');
                  },
                })
              }
              buttonProps={{ size: 'sm' }}
            >
              Delete certificate
            </ConfirmButton>
          ) : (
            <ReadOnlyNote>Auditors cannot delete certificates.</ReadOnlyNote>
          ))
        }
      />
      <Stack gap="lg">
        <ActionError error={remove.error} title="Could not delete the certificate" />
        {certificate.isPending ? (
          <LoadingState label="Loading the certificate…" />
        ) : certificate.isError ? (
          <ErrorState
            error={certificate.error}
            title="Could not load the certificate"
            onRetry={() => void certificate.refetch()}
            retrying={certificate.isFetching}
          />
        ) : (
          <CertificateDetails certificate={certificate.data} />
        )}
      </Stack>
    </>
  );
}
