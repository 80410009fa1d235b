import { Alert, Anchor } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { Link } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { useCanEdit } from '@/lib/session';
import { useCertificates } from '@/features/certificates/api/get-certificates';
import { OnboardingWizard } from '@/features/orgs/components/onboarding-wizard';
import { toCertificateOptions } from './certificate-options';

export function OrgNewRoute() {
  const canEdit = useCanEdit();
  const certificates = useCertificates();
  return (
    <>
      <PageHeader
        title="Onboard an org"
        description={
          <>
            Points Onbehalf at a customer’s CRM Online org or Dataverse environment and runs the whole flow
            once, step by step.{' '}
            <Anchor component={Link} to="/orgs" size="sm">
              Back to orgs
            </Anchor>
          </>
        }
      />
      {canEdit ? (
        <OnboardingWizard
          certificateOptions={toCertificateOptions(certificates.data?.items)}
          certificatesError={certificates.error}
        />
      ) : (
        <Alert color="gray" icon={<IconLock aria-hidden />} title="Read only">
          Auditors cannot onboard orgs.
        </Alert>
      )}
    </>
  );
}
