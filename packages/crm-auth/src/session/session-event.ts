import type { CrmAuthErrorCode } from '../errors';

/** What a {@link CrmSession} reports to `onEvent`, for ticket health and metrics. Never a ticket. */
export interface SessionEvent {
  type:
    | 'passport-ticket-issued'
    | 'crm-ticket-issued'
    | 'crm-ticket-refreshed'
    | 'expired-ticket-fault'
    | 'bad-ticket-fault'
    | 'refresh-failed'
    | 'round-trip';
  at: Date;
  /** The org's unique name, once known. */
  organizationName?: string;
  latencyMs?: number;
  /** The SOAP operation (round trips and faults). */
  operation?: string;
  errorCode?: CrmAuthErrorCode;
  /** For issued tickets: when they expire. */
  expiresAt?: Date;
}
