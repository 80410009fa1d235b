import { Alert } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { useCanEdit } from '@/lib/session';
import { EndUserTester } from '@/features/end-user/components/end-user-tester';
import { useOrgs } from '@/features/orgs/api/get-orgs';

export function TestAsUserRoute() {
  const [params, setParams] = useSearchParams();
  const orgs = useOrgs();
  const canEdit = useCanEdit();
  const orgOptions = orgs.data?.items
    // Windows Live sign-in (RPS) is CRM 4.0's: a Dataverse org's users sign in with Entra ID, elsewhere.
    .filter((org) => org.status === 'active' && org.kind !== 'dataverse')
    .map((org) => ({ value: org.id, label: org.friendlyName }));
  const orgId = params.get('orgId') ?? '';
  const rps = params.get('rps');
  const notice =
    rps === 'state-mismatch'
      ? 'That Windows Live sign-in was not started from this browser, so it was ignored. Sign in again from this page.'
      : rps === 'signed-out'
        ? 'Windows Live answered that nobody is signed in. Sign in again.'
        : null;
  return (
    <>
      <PageHeader
        title="Test as an end user"
        description="Sign in with Windows Live as one of the customer’s users, create a record on their behalf, and see the stamps CRM recorded."
      />
      {notice && (
        <Alert color="yellow" title="Not signed in" mb="md" role="alert">
          {notice}
        </Alert>
      )}
      <EndUserTester
        orgId={orgId}
        onOrgChange={(next) => setParams(next ? { orgId: next } : {}, { replace: true })}
        orgOptions={orgOptions}
        canEdit={canEdit}
      />
    </>
  );
}
