/** What the console shows for an org's CRM ticket. */
export type TicketState = 'valid' | 'expiring' | 'expired' | 'missing' | 'failing';

/**
 * The one rule for a ticket's state, in this order: no CRM ticket stored is `missing`; a last refresh that
 * failed is `failing` (whatever the expiry, since the next refresh may fail too); past its expiry it is
 * `expired`; inside the refresh-ahead window it is `expiring` (the refresh job is due); otherwise `valid`.
 */
export function ticketState(
  crmExpiresAt: Date | null,
  lastErrorCode: string | null,
  refreshAheadMs: number,
  now: number = Date.now(),
): TicketState {
  if (!crmExpiresAt) return 'missing';
  if (lastErrorCode) return 'failing';
  const left = crmExpiresAt.getTime() - now;
  if (left <= 0) return 'expired';
  return left < refreshAheadMs ? 'expiring' : 'valid';
}
