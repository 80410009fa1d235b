import { Checkbox, Group, NativeSelect } from '@mantine/core';
import {
  DateRangeInputs,
  FilterForm,
  FilterTextInput,
  OrgFilterSelect,
  type OrgOption,
} from '@/components/filter-form';
import type { LedgerOutcome } from '@/types/api';
import { AUDIT_DATE_RANGE, auditFiltersModel, type AuditFilters } from '../utils/audit-filters-model';

const OUTCOME_OPTIONS = [
  { value: '', label: 'Any outcome' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
];

const ENTITIES = ['account', 'contact', 'lead', 'systemuser'];

/** The audit filters: who acted for whom, on what, when, how it ended, and whether CRM's stamps disagree. */
export function AuditFiltersForm({
  filters,
  onChange,
  orgOptions,
}: {
  filters: AuditFilters;
  onChange: (next: AuditFilters) => void;
  orgOptions: OrgOption[] | undefined;
}) {
  return (
    <FilterForm model={auditFiltersModel} filters={filters} onChange={onChange} columns={4}>
      {({ draft, setNow, setTyped }) => (
        <>
          <OrgFilterSelect orgOptions={orgOptions} value={draft.orgId} onChange={(v) => setNow('orgId', v)} />
          <FilterTextInput
            label="User acted for"
            placeholder="Name or PUID"
            value={draft.onBehalfOf}
            onChange={(v) => setTyped('onBehalfOf', v)}
          />
          <FilterTextInput
            label="Service account"
            placeholder="e.g. ERP_Integration"
            value={draft.actor}
            onChange={(v) => setTyped('actor', v)}
          />
          <FilterTextInput
            label="Entity"
            placeholder="account, contact, lead…"
            value={draft.entity}
            onChange={(v) => setTyped('entity', v)}
            suggestions={{ id: 'audit-entities', values: ENTITIES }}
          />
          <DateRangeInputs kind={AUDIT_DATE_RANGE} value={draft} onChange={setNow} />
          <NativeSelect
            label="Outcome"
            value={draft.outcome}
            onChange={(e) => setNow('outcome', e.currentTarget.value as '' | LedgerOutcome)}
            data={OUTCOME_OPTIONS}
          />
          <Group align="flex-end" pb={6}>
            <Checkbox
              label="Mismatches and not stamped only"
              checked={draft.mismatchesOnly}
              onChange={(e) => setNow('mismatchesOnly', e.currentTarget.checked)}
            />
          </Group>
        </>
      )}
    </FilterForm>
  );
}
