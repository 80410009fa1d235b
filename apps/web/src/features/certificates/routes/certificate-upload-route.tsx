import { Alert, Anchor } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconLock } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { useCanEdit } from '@/lib/session';
import { formatDn } from '@/utils/format';
import { CertificateUploadForm } from '../components/certificate-upload-form';

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
            // A certificate accepted with warnings (e.g. a legacy short RSA key) must not look clean.
            const warnings = certificate.problems.filter((p) => p.severity === 'warning').length;
            notifications.show({
              color: warnings ? 'yellow' : 'green',
              title: warnings
                ? `Certificate uploaded with ${warnings} warning${warnings === 1 ? '' : 's'}`
                : 'Certificate uploaded',
              message: warnings
                ? `${certificate.name || formatDn(certificate.subject)}: see the validation report.`
                : certificate.name || formatDn(certificate.subject),
              ...(warnings ? { autoClose: false } : {}),
            });
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
