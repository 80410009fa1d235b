import { Button, Group, NativeSelect, Paper, SimpleGrid, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconFilterOff } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { AdminAuditOutcome } from '@/types/api';
import {
  EMPTY_ADMIN_ACTIVITY_FILTERS,
  filtersToSearchParams,
  hasActiveFilters,
  type AdminActivityFilters,
} from '../utils/admin-activity-filters-model';

export interface OrgOption {
  value: string;
  label: string;
}

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

/**
 * The admin activity filters. Lists and dates apply at once; typed text applies after a short pause
 * (or on Enter), so the table does not reload on every keystroke.
 */
export function AdminActivityFiltersForm({
  filters,
  onChange,
  orgOptions,
}: {
  filters: AdminActivityFilters;
  onChange: (next: AdminActivityFilters) => void;
  orgOptions: OrgOption[] | undefined;
}) {
  const [draft, setDraft] = useState(filters);
  const [seen, setSeen] = useState(filters);
  if (filtersToSearchParams(filters).toString() !== filtersToSearchParams(seen).toString()) {
    // The URL changed under us (Back, a link): show what it says.
    setSeen(filters);
    setDraft(filters);
  }
  const commitLater = useDebouncedCallback((next: AdminActivityFilters) => onChange(next), 400);

  const setNow = <K extends keyof AdminActivityFilters>(key: K, value: AdminActivityFilters[K]) => {
    const next = { ...draft, [key]: value };
    setDraft(next);
    commitLater.cancel();
    onChange(next);
  };
  const setTyped = (key: 'action' | 'actor', value: string) => {
    const next = { ...draft, [key]: value };
    setDraft(next);
    commitLater(next);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    commitLater.cancel();
    onChange(draft);
  };
  const reset = () => {
    commitLater.cancel();
    setDraft(EMPTY_ADMIN_ACTIVITY_FILTERS);
    onChange(EMPTY_ADMIN_ACTIVITY_FILTERS);
  };

  return (
    <Paper withBorder p="md" radius="md" mb="md">
      <form onSubmit={onSubmit} role="search" aria-label="Filter admin activity">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="sm" verticalSpacing="sm">
          <TextInput
            label="Action"
            placeholder="e.g. admin-user.create"
            value={draft.action}
            onChange={(e) => setTyped('action', e.currentTarget.value)}
            list="admin-activity-actions"
            autoComplete="off"
          />
          <datalist id="admin-activity-actions">
            {ACTIONS.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
          <TextInput
            label="Actor"
            placeholder="Email, exact"
            value={draft.actor}
            onChange={(e) => setTyped('actor', e.currentTarget.value)}
            autoComplete="off"
          />
          <NativeSelect
            label="Org"
            value={draft.orgId}
            onChange={(e) => setNow('orgId', e.currentTarget.value)}
            data={[
              { value: '', label: orgOptions === undefined ? 'All orgs (loading…)' : 'All orgs' },
              ...(orgOptions ?? []),
            ]}
          />
          <NativeSelect
            label="Outcome"
            value={draft.outcome}
            onChange={(e) => setNow('outcome', e.currentTarget.value as '' | AdminAuditOutcome)}
            data={OUTCOME_OPTIONS}
          />
          <TextInput
            label="From (UTC day)"
            type="date"
            value={draft.from}
            onChange={(e) => setNow('from', e.currentTarget.value)}
          />
          <TextInput
            label="To (UTC day, inclusive)"
            type="date"
            value={draft.to}
            onChange={(e) => setNow('to', e.currentTarget.value)}
          />
        </SimpleGrid>
        <Group mt="sm" gap="sm">
          <Button type="submit" size="xs" variant="light">
            Apply filters
          </Button>
          <Button
            size="xs"
            variant="subtle"
            color="gray"
            onClick={reset}
            disabled={!hasActiveFilters(draft)}
            leftSection={<IconFilterOff size={14} aria-hidden />}
          >
            Clear filters
          </Button>
        </Group>
      </form>
    </Paper>
  );
}
