import { Alert, Anchor } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconLock } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { useCanEdit } from '@/lib/session';
import { CertificateUploadForm } from '../components/certificate-upload-form';
import { uploadNotice } from '../utils/upload-notice';

export function CertificateUploadRoute() {
  const navigate = useNavigate();
  const canEdit = useCanEdit();
  return (
    <>
      <PageHeader
        title="Upload a certificate"
        description={
          <>
            The service account’s X.509 certificate with its private key.{' '}
            <Anchor component={Link} to="/certificates" size="sm">
              Back to certificates
            </Anchor>
          </>
        }
      />
      {canEdit ? (
        <CertificateUploadForm
          onUploaded={(certificate) => {
            notifications.show(uploadNotice(certificate));
            navigate(`/certificates/${certificate.id}`);
          }}
        />
      ) : (
        <Alert color="gray" icon={<IconLock aria-hidden />} title="Read only">
          Auditors cannot upload certificates.
        </Alert>
      )}
    </>
  );
}
