import type { LedgerOutcome } from '@/types/api';

// Audit filters live in the URL (shareable, survive reload, Back works). Pure functions, tested.

export interface AuditFilters {
  orgId: string;
  /** Service account (the API's `actor`). */
  actor: string;
  /** The user acted for. */
  onBehalfOf: string;
  entity: string;
  /** `YYYY-MM-DDTHH:mm` in local time, as a datetime-local input gives it. */
  from: string;
  to: string;
  outcome: '' | LedgerOutcome;
  mismatchesOnly: boolean;
}

export const EMPTY_AUDIT_FILTERS: AuditFilters = {
  orgId: '',
  actor: '',
  onBehalfOf: '',
  entity: '',
  from: '',
  to: '',
  outcome: '',
  mismatchesOnly: false,
};

const OUTCOMES = new Set(['pending', 'completed', 'failed']);

export function filtersFromSearchParams(params: URLSearchParams): AuditFilters {
  const outcome = params.get('outcome') ?? '';
  return {
    orgId: params.get('orgId') ?? '',
    actor: params.get('actor') ?? '',
    onBehalfOf: params.get('onBehalfOf') ?? '',
    entity: params.get('entity') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    outcome: OUTCOMES.has(outcome) ? (outcome as LedgerOutcome) : '',
    mismatchesOnly: params.get('reconciliation') === 'mismatch',
  };
}

export function filtersToSearchParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  const put = (key: string, value: string) => {
    if (value.trim() !== '') params.set(key, value.trim());
  };
  put('orgId', filters.orgId);
  put('actor', filters.actor);
  put('onBehalfOf', filters.onBehalfOf);
  put('entity', filters.entity);
  put('from', filters.from);
  put('to', filters.to);
  put('outcome', filters.outcome);
  if (filters.mismatchesOnly) params.set('reconciliation', 'mismatch');
  return params;
}

/** A local datetime-local value as an ISO instant; '' when empty or unreadable. */
export function localToIso(local: string): string {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** The query string values for `GET /api/audit` and its CSV export (same filters for both). */
export function filtersToApiQuery(filters: AuditFilters): Record<string, string> {
  const query: Record<string, string> = {};
  const put = (key: string, value: string) => {
    if (value.trim() !== '') query[key] = value.trim();
  };
  put('orgId', filters.orgId);
  put('actor', filters.actor);
  put('onBehalfOf', filters.onBehalfOf);
  put('entity', filters.entity);
  put('from', localToIso(filters.from));
  put('to', localToIso(filters.to));
  put('outcome', filters.outcome);
  if (filters.mismatchesOnly) query.reconciliation = 'mismatch';
  return query;
}

export function hasActiveFilters(filters: AuditFilters): boolean {
  return filtersToSearchParams(filters).toString() !== '';
}
