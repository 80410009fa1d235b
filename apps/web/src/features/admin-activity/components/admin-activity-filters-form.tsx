import { NativeSelect } from '@mantine/core';
import {
  DateRangeInputs,
  FilterForm,
  FilterTextInput,
  OrgFilterSelect,
  type OrgOption,
} from '@/components/filter-form';
import type { AdminAuditOutcome } from '@/types/api';
import {
  ADMIN_ACTIVITY_DATE_RANGE,
  adminActivityFiltersModel,
  type AdminActivityFilters,
} from '../utils/admin-activity-filters-model';

const OUTCOME_OPTIONS = [
  { value: '', label: 'Any outcome' },
  { value: 'success', label: 'Success' },
  { value: 'failure', label: 'Failure' },
];

/** Actions the API records, offered as suggestions; any other action name may be typed. */
// Every action the API records (scripts/test/admin-actions.spec.mjs keeps this list in step with the API).
export const ACTIONS = [
  'admin-user.bootstrap',
  'admin-user.create',
  'admin-user.update',
  'admin-user.delete',
  'admin-user.password-reset-from-env',
  'api-key.create',
  'api-key.revoke',
  'audit.export',
  'auth.login',
  'auth.logout',
  'certificate.upload',
  'certificate.delete',
  'certificate.expiry-warning',
  'org.create',
  'org.certificate.stage',
  'org.certificate.promote',
  'org.certificate.unstage',
  'org.onboarding.rerun',
  'org.reconcile',
];

/** The admin activity filters: which action, by whom, in which org, how it ended, and which UTC days. */
export function AdminActivityFiltersForm({
  filters,
  onChange,
  orgOptions,
}: {
  filters: AdminActivityFilters;
  onChange: (next: AdminActivityFilters) => void;
  orgOptions: OrgOption[] | undefined;
}) {
  return (
    <FilterForm
      model={adminActivityFiltersModel}
      filters={filters}
      onChange={onChange}
      label="Filter admin activity"
      columns={3}
    >
      {({ draft, setNow, setTyped }) => (
        <>
          <FilterTextInput
            label="Action"
            placeholder="e.g. admin-user.create"
            value={draft.action}
            onChange={(v) => setTyped('action', v)}
            suggestions={{ id: 'admin-activity-actions', values: ACTIONS }}
          />
          <FilterTextInput
            label="Actor"
            placeholder="Email, exact"
            value={draft.actor}
            onChange={(v) => setTyped('actor', v)}
          />
          <OrgFilterSelect orgOptions={orgOptions} value={draft.orgId} onChange={(v) => setNow('orgId', v)} />
          <NativeSelect
            label="Outcome"
            value={draft.outcome}
            onChange={(e) => setNow('outcome', e.currentTarget.value as '' | AdminAuditOutcome)}
            data={OUTCOME_OPTIONS}
          />
          <DateRangeInputs kind={ADMIN_ACTIVITY_DATE_RANGE} value={draft} onChange={setNow} />
        </>
      )}
    </FilterForm>
  );
}
