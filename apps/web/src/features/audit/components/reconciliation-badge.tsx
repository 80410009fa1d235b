import { Badge, type MantineColor } from '@mantine/core';
import type { Reconciliation } from '@/types/api';

const RECONCILIATION: Record<Reconciliation, { color: MantineColor; title: string }> = {
  match: { color: 'green', title: "CRM's stamps agree with the ledger" },
  mismatch: { color: 'red', title: "CRM's stamps disagree with the ledger" },
  missing: { color: 'orange', title: 'The record is missing in CRM' },
  'not-stamped': {
    color: 'red',
    title:
      'On behalf of a user was requested, but the platform ran the call without stamping it on their behalf',
  },
  unverified: { color: 'gray', title: 'Not checked against CRM yet' },
};

/** The reconciliation state, written out (match / mismatch / missing / not-stamped / unverified). */
export function ReconciliationBadge({ value }: { value: Reconciliation }) {
  const entry = RECONCILIATION[value] ?? { color: 'gray', title: value };
  return (
    <Badge
      color={entry.color}
      variant={value === 'mismatch' || value === 'not-stamped' ? 'filled' : 'light'}
      title={entry.title}
      tt="lowercase"
    >
      {value}
    </Badge>
  );
}
