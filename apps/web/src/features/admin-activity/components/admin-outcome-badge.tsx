import { Badge, type MantineColor } from '@mantine/core';
import type { AdminAuditOutcome } from '@/types/api';

const OUTCOME: Record<AdminAuditOutcome, { color: MantineColor; label: string }> = {
  success: { color: 'green', label: 'Success' },
  failure: { color: 'red', label: 'Failure' },
};

export function AdminOutcomeBadge({ outcome }: { outcome: AdminAuditOutcome }) {
  const entry = OUTCOME[outcome] ?? { color: 'gray', label: outcome };
  return (
    <Badge color={entry.color} variant="light">
      {entry.label}
    </Badge>
  );
}
