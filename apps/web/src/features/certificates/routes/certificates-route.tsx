import { Button, Paper } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { Link } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { EmptyState, ErrorState, LoadingState } from '@/components/query-state';
import { ReadOnlyNote } from '@/components/read-only-note';
import { useCanEdit } from '@/lib/session';
import { useCertificates } from '../api/get-certificates';
import { CertificatesTable } from '../components/certificates-table';

export function CertificatesRoute() {
  const certificates = useCertificates();
  const canEdit = useCanEdit();
  return (
    <>
      <PageHeader
        title="Certificates"
        description="Service-account certificates, checked against the supported roots."
        actions={
          canEdit ? (
            <Button
              component={Link}
              to="/certificates/new"
              leftSection={<IconUpload size={16} aria-hidden />}
            >
              Upload a certificate
            </Button>
          ) : (
            <ReadOnlyNote>Auditors cannot upload certificates.</ReadOnlyNote>
          )
        }
      />
      <Paper withBorder radius="md">
        {certificates.isPending ? (
          <LoadingState label="Loading certificates…" />
        ) : certificates.isError ? (
          <ErrorState
            error={certificates.error}
            title="Could not load the certificates"
            onRetry={() => void certificates.refetch()}
            retrying={certificates.isFetching}
          />
        ) : certificates.data.items.length === 0 ? (
          <EmptyState title="No certificates yet">
            Upload the service account’s certificate (PEM or PKCS#12) to onboard an org.
          </EmptyState>
        ) : (
          <CertificatesTable certificates={certificates.data.items} />
        )}
      </Paper>
    </>
  );
}
