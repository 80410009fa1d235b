import { useMemo } from 'react';
import { FilterExplorer } from '@/components/filter-explorer';
import type { OrgOption } from '@/components/filter-form';
import { adminActivityQueryOptions } from '../api/get-admin-activity';
import { adminActivityFiltersModel } from '../utils/admin-activity-filters-model';
import { AdminActivityFiltersForm } from './admin-activity-filters-form';
import { AdminActivityTable } from './admin-activity-table';

/** What administrators did: filters in the URL, newest first, keyset paging with "Load more". */
export function AdminActivityExplorer({ orgOptions }: { orgOptions: OrgOption[] | undefined }) {
  const orgNames = useMemo(
    () => new Map((orgOptions ?? []).map((o) => [o.value, o.label] as const)),
    [orgOptions],
  );
  return (
    <FilterExplorer
      model={adminActivityFiltersModel}
      query={adminActivityQueryOptions}
      filterForm={(form) => <AdminActivityFiltersForm {...form} orgOptions={orgOptions} />}
      noun={{ one: 'entry', many: 'entries' }}
      loadingLabel="Loading admin activity…"
      errorTitle="Could not load admin activity"
      empty={{
        title: 'No admin activity yet',
        text: 'What administrators do in this console (sign-ins, users, certificates, orgs) appears here.',
      }}
      noMatch="No admin activity matches these filters"
      table={(items) => <AdminActivityTable items={items} orgNames={orgNames} />}
    />
  );
}
