import { Anchor, Group } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { FilterExplorer } from '@/components/filter-explorer';
import type { OrgOption } from '@/components/filter-form';
import { apiUrl } from '@/lib/api-client';
import { auditQueryOptions } from '../api/get-audit';
import { auditFiltersModel } from '../utils/audit-filters-model';
import { AuditFiltersForm } from './audit-filters-form';
import { LedgerTable } from './ledger-table';

/** Who did what: filters in the URL, keyset paging with "Load more", and a CSV export of the same filters. */
export function AuditExplorer({ orgOptions }: { orgOptions: OrgOption[] | undefined }) {
  return (
    <FilterExplorer
      model={auditFiltersModel}
      query={auditQueryOptions}
      filterForm={(form) => <AuditFiltersForm {...form} orgOptions={orgOptions} />}
      noun={{ one: 'call', many: 'calls' }}
      loadingLabel="Loading the audit…"
      errorTitle="Could not load the audit"
      empty={{ title: 'No calls match', text: 'Calls made through Onbehalf appear here.' }}
      noMatch="No calls match"
      actions={(filters) => (
        <Anchor href={apiUrl('/audit/export.csv', auditFiltersModel.toApiQuery(filters))} download>
          <Group gap={4}>
            <IconDownload size={16} aria-hidden />
            Export CSV
          </Group>
        </Anchor>
      )}
      table={(items) => <LedgerTable items={items} label="Audit: who did what" />}
    />
  );
}
