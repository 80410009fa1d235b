import type { AdminAuditOutcome } from '@/types/api';

// Admin activity filters live in the URL (shareable, survive reload, Back works). Pure functions, tested.

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

export const EMPTY_ADMIN_ACTIVITY_FILTERS: AdminActivityFilters = {
  action: '',
  actor: '',
  orgId: '',
  outcome: '',
  from: '',
  to: '',
};

const OUTCOMES: ReadonlySet<string> = new Set<AdminAuditOutcome>(['success', 'failure']);
const KEYS = ['action', 'actor', 'orgId', 'outcome', 'from', 'to'] as const;

export function filtersFromSearchParams(params: URLSearchParams): AdminActivityFilters {
  const outcome = params.get('outcome') ?? '';
  return {
    action: params.get('action') ?? '',
    actor: params.get('actor') ?? '',
    orgId: params.get('orgId') ?? '',
    outcome: OUTCOMES.has(outcome) ? (outcome as AdminAuditOutcome) : '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

/** The filters that are set, trimmed, in a fixed order: the URL's search params and the API's query alike. */
export function filtersToApiQuery(filters: AdminActivityFilters): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of KEYS) {
    const value = filters[key].trim();
    if (value !== '') query[key] = value;
  }
  return query;
}

export function filtersToSearchParams(filters: AdminActivityFilters): URLSearchParams {
  return new URLSearchParams(filtersToApiQuery(filters));
}

export function hasActiveFilters(filters: AdminActivityFilters): boolean {
  return Object.keys(filtersToApiQuery(filters)).length > 0;
}
