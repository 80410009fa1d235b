import { Button, Group, NativeSelect, Paper, SimpleGrid, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconFilterOff } from '@tabler/icons-react';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { DateRange, DateRangeKind, UrlFilterModel } from '@/lib/url-filters';

/** What a page's filter fields get from the form: the values shown, and two ways to change one. */
export interface FilterControls<F> {
  draft: F;
  /** Lists, dates and checkboxes apply at once. */
  setNow: <K extends keyof F>(key: K, value: F[K]) => void;
  /** Typed text applies after a short pause (or on Enter), so the list does not reload on every keystroke. */
  setTyped: <K extends keyof F>(key: K, value: F[K]) => void;
}

/**
 * A list page's filter form: the page's fields in a grid, then "Apply filters" and "Clear filters". It edits a
 * draft, hands every change to onChange (at once or after a pause, see FilterControls), and shows what the URL
 * says when that changes under it (Back, a link).
 */
export function FilterForm<F>({
  model,
  filters,
  onChange,
  label,
  columns,
  children,
}: {
  model: UrlFilterModel<F>;
  filters: F;
  onChange: (next: F) => void;
  /** The search landmark's name. */
  label?: string;
  /** Fields per row on a wide screen. */
  columns: number;
  children: (controls: FilterControls<F>) => ReactNode;
}) {
  const key = (f: F) => model.toSearchParams(f).toString();
  const [draft, setDraft] = useState(filters);
  const [seen, setSeen] = useState(filters);
  // The URLs this form asked for and has not seen arrive yet, oldest first. Navigation is asynchronous: one of
  // them may arrive after the user has edited the draft again, and must not put the draft back to what it was.
  const [pending, setPending] = useState<string[]>([]);
  const incoming = key(filters);
  if (incoming !== key(seen)) {
    setSeen(filters);
    const ours = pending.indexOf(incoming);
    if (ours >= 0) {
      // One of ours (the draft already holds it, or later edits): forget it and the older ones.
      setPending(pending.slice(ours + 1));
    } else {
      // The URL changed under us (Back, a link): show what it says.
      setPending([]);
      setDraft(filters);
    }
  }
  const commit = (next: F) => {
    setPending((p) => [...p.slice(-9), key(next)]);
    onChange(next);
  };
  const commitLater = useDebouncedCallback((next: F) => commit(next), 400);

  const controls: FilterControls<F> = {
    draft,
    setNow: (key, value) => {
      const next = { ...draft, [key]: value };
      setDraft(next);
      commitLater.cancel();
      commit(next);
    },
    setTyped: (key, value) => {
      const next = { ...draft, [key]: value };
      setDraft(next);
      commitLater(next);
    },
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    commitLater.cancel();
    commit(draft);
  };
  const reset = () => {
    commitLater.cancel();
    setDraft(model.empty);
    commit(model.empty);
  };

  return (
    <Paper withBorder p="md" radius="md" mb="md">
      <form onSubmit={onSubmit} role="search" aria-label={label}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: columns }} spacing="sm" verticalSpacing="sm">
          {children(controls)}
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
            disabled={!model.hasActiveFilters(draft)}
            leftSection={<IconFilterOff size={14} aria-hidden />}
          >
            Clear filters
          </Button>
        </Group>
      </form>
    </Paper>
  );
}

/** A typed filter, optionally with suggestions (any other value may be typed too). */
export function FilterTextInput({
  label,
  placeholder,
  value,
  onChange,
  suggestions,
}: {
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  /** The datalist's id (unique on the page) and its values. */
  suggestions?: { id: string; values: readonly string[] };
}) {
  return (
    <>
      <TextInput
        label={label}
        placeholder={placeholder}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        list={suggestions?.id}
        autoComplete="off"
      />
      {suggestions && (
        <datalist id={suggestions.id}>
          {suggestions.values.map((suggestion) => (
            <option key={suggestion} value={suggestion} />
          ))}
        </datalist>
      )}
    </>
  );
}

export interface OrgOption {
  value: string;
  label: string;
}

/** The org filter: all orgs, or one of them (undefined while the list of orgs loads). */
export function OrgFilterSelect({
  orgOptions,
  value,
  onChange,
}: {
  orgOptions: OrgOption[] | undefined;
  value: string;
  onChange: (orgId: string) => void;
}) {
  return (
    <NativeSelect
      label="Org"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      data={[
        { value: '', label: orgOptions === undefined ? 'All orgs (loading…)' : 'All orgs' },
        ...(orgOptions ?? []),
      ]}
    />
  );
}

// What each kind of date range is typed as (its meaning, and what the API gets, are in lib/url-filters).
const DATE_INPUTS: Record<DateRangeKind, { type: string; from: string; to: string }> = {
  'local-time': { type: 'datetime-local', from: 'From', to: 'To' },
  'utc-day': { type: 'date', from: 'From (UTC day)', to: 'To (UTC day, inclusive)' },
};

/** A date range's From and To inputs; they apply at once. */
export function DateRangeInputs({
  kind,
  value,
  onChange,
}: {
  kind: DateRangeKind;
  value: DateRange;
  onChange: (key: keyof DateRange, value: string) => void;
}) {
  const inputs = DATE_INPUTS[kind];
  return (
    <>
      <TextInput
        label={inputs.from}
        type={inputs.type}
        value={value.from}
        onChange={(e) => onChange('from', e.currentTarget.value)}
      />
      <TextInput
        label={inputs.to}
        type={inputs.type}
        value={value.to}
        onChange={(e) => onChange('to', e.currentTarget.value)}
      />
    </>
  );
}
