import { PageHeader } from '@/components/page-header';
import { AdminActivityExplorer } from '@/features/admin-activity/components/admin-activity-explorer';
import { useOrgs } from '@/features/orgs/api/get-orgs';

// In app/ because it composes two features: the admin activity log and the orgs (the org filter and links).
export function AdminActivityRoute() {
  const orgs = useOrgs();
  const orgOptions = orgs.data?.items.map((org) => ({ value: org.id, label: org.friendlyName }));
  return (
    <>
      <PageHeader
        title="Admin activity"
        description="What administrators did in this console: sign-ins, users, certificates, orgs and exports, newest first."
      />
      <AdminActivityExplorer orgOptions={orgOptions} />
    </>
  );
}
