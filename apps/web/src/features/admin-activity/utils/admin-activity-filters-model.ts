import type { AdminAuditOutcome } from '@/types/api';
import { choiceFilter, dateRangeFilters, defineUrlFilters, textFilter } from '@/lib/url-filters';

// The admin activity filters, in the URL and in `GET /api/admin-audit` (the same names for both).

export interface AdminActivityFilters {
  /** Action name, exact (e.g. `admin-user.create`). */
  action: string;
  /** The actor's email (exact, any letter case). */
  actor: string;
  orgId: string;
  outcome: '' | AdminAuditOutcome;
  /** `YYYY-MM-DD` (a UTC day), as a date input gives it; the API reads a bare `to` as "through that day". */
  from: string;
  to: string;
}

// One kind for both the filters (what the API gets) and the form (which inputs, which labels).
export const ADMIN_ACTIVITY_DATE_RANGE = 'utc-day';

export const adminActivityFiltersModel = defineUrlFilters<AdminActivityFilters>({
  action: textFilter(),
  actor: textFilter(),
  orgId: textFilter(),
  outcome: choiceFilter<AdminAuditOutcome>(['success', 'failure']),
  ...dateRangeFilters(ADMIN_ACTIVITY_DATE_RANGE),
});

export const EMPTY_ADMIN_ACTIVITY_FILTERS = adminActivityFiltersModel.empty;
