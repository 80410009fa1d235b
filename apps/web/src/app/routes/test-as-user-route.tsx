import { useSearchParams } from 'react-router';
import { PageHeader } from '@/components/page-header';
import { useCanEdit } from '@/lib/session';
import { EndUserTester } from '@/features/end-user/components/end-user-tester';
import { useOrgs } from '@/features/orgs/api/get-orgs';

export function TestAsUserRoute() {
  const [params, setParams] = useSearchParams();
  const orgs = useOrgs();
  const canEdit = useCanEdit();
  const orgOptions = orgs.data?.items.filter((org) => org.status === 'active').map((org) => ({ value: org.id, label: org.friendlyName }));
  const orgId = params.get('orgId') ?? '';
  return (
    <>
      <PageHeader
        title="Test as an end user"
        description="Sign in with Windows Live as one of the customer’s users, create a record on their behalf, and see the stamps CRM recorded."
      />
      <EndUserTester
        orgId={orgId}
        onOrgChange={(next) => setParams(next ? { orgId: next } : {}, { replace: true })}
        orgOptions={orgOptions}
        canEdit={canEdit}
      />
    </>
  );
}
