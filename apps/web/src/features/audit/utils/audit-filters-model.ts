import type { LedgerOutcome } from '@/types/api';
import { choiceFilter, dateRangeFilters, defineUrlFilters, flagFilter, textFilter } from '@/lib/url-filters';

// The audit's filters, in the URL and in `GET /api/audit` and its CSV export (the same filters for both).

export interface AuditFilters {
  orgId: string;
  /** Service account (the API's `actor`). */
  actor: string;
  /** The user acted for. */
  onBehalfOf: string;
  entity: string;
  /** `YYYY-MM-DDTHH:mm` in local time, as a datetime-local input gives it; the API gets an ISO instant. */
  from: string;
  to: string;
  outcome: '' | LedgerOutcome;
  /** `reconciliation=mismatch,not-stamped`: the calls whose stamps disagree, or were not made on behalf of the user. */
  mismatchesOnly: boolean;
}

// One kind for both the filters (what the API gets) and the form (which inputs, which labels).
export const AUDIT_DATE_RANGE = 'local-time';

export const auditFiltersModel = defineUrlFilters<AuditFilters>({
  orgId: textFilter(),
  actor: textFilter(),
  onBehalfOf: textFilter(),
  entity: textFilter(),
  ...dateRangeFilters(AUDIT_DATE_RANGE),
  outcome: choiceFilter<LedgerOutcome>(['pending', 'completed', 'failed']),
  // An older link's `reconciliation=mismatch` still ticks it.
  mismatchesOnly: {
    ...flagFilter('reconciliation', 'mismatch,not-stamped'),
    read: (raw) => raw === 'mismatch,not-stamped' || raw === 'mismatch',
  },
});

export const EMPTY_AUDIT_FILTERS = auditFiltersModel.empty;
