import { PageHeader } from '@/components/page-header';
import { AuditExplorer } from '@/features/audit/components/audit-explorer';
import { useOrgs } from '@/features/orgs/api/get-orgs';

export function AuditRoute() {
  const orgs = useOrgs();
  const orgOptions = orgs.data?.items.map((org) => ({ value: org.id, label: org.friendlyName }));
  return (
    <>
      <PageHeader
        title="Audit"
        description="Who did what: every call made through Onbehalf, reconciled with the createdby / createdonbehalfby stamps CRM holds."
      />
      <AuditExplorer orgOptions={orgOptions} />
    </>
  );
}
