import { Button, Checkbox, Group, NativeSelect, Paper, SimpleGrid, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconFilterOff } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { LedgerOutcome } from '@/types/api';
import {
  EMPTY_AUDIT_FILTERS,
  filtersToSearchParams,
  hasActiveFilters,
  type AuditFilters,
} from '../utils/audit-filters-model';

export interface OrgOption {
  value: string;
  label: string;
}

const OUTCOME_OPTIONS = [
  { value: '', label: 'Any outcome' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
];

const ENTITIES = ['account', 'contact', 'lead', 'systemuser'];

/**
 * The audit filters. Lists, dates and the checkbox apply at once; typed text applies after a short pause
 * (or on Enter), so the table does not reload on every keystroke.
 */
export function AuditFiltersForm({
  filters,
  onChange,
  orgOptions,
}: {
  filters: AuditFilters;
  onChange: (next: AuditFilters) => void;
  orgOptions: OrgOption[] | undefined;
}) {
  const [draft, setDraft] = useState(filters);
  const [seen, setSeen] = useState(filters);
  if (filtersToSearchParams(filters).toString() !== filtersToSearchParams(seen).toString()) {
    // The URL changed under us (Back, a link): show what it says.
    setSeen(filters);
    setDraft(filters);
  }
  const commitLater = useDebouncedCallback((next: AuditFilters) => onChange(next), 400);

  const setNow = <K extends keyof AuditFilters>(key: K, value: AuditFilters[K]) => {
    const next = { ...draft, [key]: value };
    setDraft(next);
    commitLater.cancel();
    onChange(next);
  };
  const setTyped = (key: 'actor' | 'onBehalfOf' | 'entity', value: string) => {
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
    setDraft(EMPTY_AUDIT_FILTERS);
    onChange(EMPTY_AUDIT_FILTERS);
  };

  return (
    <Paper withBorder p="md" radius="md" mb="md">
      <form onSubmit={onSubmit} role="search">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm" verticalSpacing="sm">
          <NativeSelect
            label="Org"
            value={draft.orgId}
            onChange={(e) => setNow('orgId', e.currentTarget.value)}
            data={[
              { value: '', label: orgOptions === undefined ? 'All orgs (loading…)' : 'All orgs' },
              ...(orgOptions ?? []),
            ]}
          />
          <TextInput
            label="User acted for"
            placeholder="Name or PUID"
            value={draft.onBehalfOf}
            onChange={(e) => setTyped('onBehalfOf', e.currentTarget.value)}
            autoComplete="off"
          />
          <TextInput
            label="Service account"
            placeholder="e.g. ERP_Integration"
            value={draft.actor}
            onChange={(e) => setTyped('actor', e.currentTarget.value)}
            autoComplete="off"
          />
          <TextInput
            label="Entity"
            placeholder="account, contact, lead…"
            value={draft.entity}
            onChange={(e) => setTyped('entity', e.currentTarget.value)}
            list="audit-entities"
            autoComplete="off"
          />
          <datalist id="audit-entities">
            {ENTITIES.map((entity) => (
              <option key={entity} value={entity} />
            ))}
          </datalist>
          <TextInput
            label="From"
            type="datetime-local"
            value={draft.from}
            onChange={(e) => setNow('from', e.currentTarget.value)}
          />
          <TextInput
            label="To"
            type="datetime-local"
            value={draft.to}
            onChange={(e) => setNow('to', e.currentTarget.value)}
          />
          <NativeSelect
            label="Outcome"
            value={draft.outcome}
            onChange={(e) => setNow('outcome', e.currentTarget.value as '' | LedgerOutcome)}
            data={OUTCOME_OPTIONS}
          />
          <Group align="flex-end" pb={6}>
            <Checkbox
              label="Mismatches only"
              checked={draft.mismatchesOnly}
              onChange={(e) => setNow('mismatchesOnly', e.currentTarget.checked)}
            />
          </Group>
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
