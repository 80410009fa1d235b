import { Badge, type MantineColor } from '@mantine/core';
import type { LedgerOutcome } from '@/types/api';

const OUTCOME: Record<LedgerOutcome, { color: MantineColor; label: string }> = {
  pending: { color: 'blue', label: 'Pending' },
  completed: { color: 'green', label: 'Completed' },
  failed: { color: 'red', label: 'Failed' },
};

export function OutcomeBadge({ outcome, errorCode }: { outcome: LedgerOutcome; errorCode?: string | null }) {
  const entry = OUTCOME[outcome] ?? { color: 'gray', label: outcome };
  return (
    <Badge color={entry.color} variant="light" title={errorCode ?? undefined}>
      {entry.label}
    </Badge>
  );
}
