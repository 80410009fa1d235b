import { Badge, type MantineColor } from '@mantine/core';
import type { BreakerState, CertificateStatus, OrgStatus, TicketState } from '@/types/api';

// Badges always carry their state as text (colour alone says nothing to a screen reader or a test).

const TICKET: Record<TicketState, { color: MantineColor; label: string }> = {
  valid: { color: 'green', label: 'Valid' },
  expiring: { color: 'yellow', label: 'Expiring' },
  expired: { color: 'orange', label: 'Expired' },
  missing: { color: 'gray', label: 'Missing' },
  failing: { color: 'red', label: 'Failing' },
};

export function TicketStateBadge({ state }: { state: TicketState | null | undefined }) {
  const entry = state ? TICKET[state] : undefined;
  return (
    <Badge color={entry?.color ?? 'gray'} variant="light">
      {entry?.label ?? 'No ticket'}
    </Badge>
  );
}

const ORG: Record<OrgStatus, { color: MantineColor; label: string }> = {
  onboarding: { color: 'blue', label: 'Onboarding' },
  active: { color: 'green', label: 'Active' },
  failed: { color: 'red', label: 'Failed' },
};

export function OrgStatusBadge({ status }: { status: OrgStatus }) {
  const entry = ORG[status] ?? { color: 'gray', label: status };
  return (
    <Badge color={entry.color} variant="light">
      {entry.label}
    </Badge>
  );
}

const CERT: Record<CertificateStatus, { color: MantineColor; label: string }> = {
  valid: { color: 'green', label: 'Valid' },
  expiring: { color: 'yellow', label: 'Expiring' },
  invalid: { color: 'red', label: 'Invalid' },
};

export function CertificateStatusBadge({ status }: { status: CertificateStatus }) {
  const entry = CERT[status] ?? { color: 'gray', label: status };
  return (
    <Badge color={entry.color} variant="light">
      {entry.label}
    </Badge>
  );
}

const BREAKER: Record<BreakerState, { color: MantineColor; label: string }> = {
  closed: { color: 'green', label: 'Circuit closed' },
  'half-open': { color: 'yellow', label: 'Circuit half-open' },
  open: { color: 'red', label: 'Circuit open' },
};

export function BreakerBadge({ state }: { state: BreakerState }) {
  const entry = BREAKER[state] ?? { color: 'gray', label: state };
  return (
    <Badge color={entry.color} variant="outline">
      {entry.label}
    </Badge>
  );
}
