/** A certificate's status as every reply shows it (its own page, the list, the overview). */
export type CertificateStatus = 'valid' | 'expiring' | 'invalid';

/** Days before `notAfter` from which a usable certificate shows as expiring (and crm-auth warns EXPIRING_SOON). */
export const EXPIRING_WITHIN_DAYS = 30;

const DAY_MS = 86_400_000;

/** Whole days left before `notAfter`, rounded down: negative once it has expired. */
export function daysToExpiry(notAfter: Date, now: number): number {
  return Math.floor((notAfter.getTime() - now) / DAY_MS);
}

/**
 * The one rule for a stored certificate's status. `stored` is what validation found at upload (or later);
 * the dates can only make it worse, never better:
 * - invalid stays invalid, however far its expiry (an unusable certificate is not "expiring");
 * - past `notAfter` it is invalid;
 * - within {@link EXPIRING_WITHIN_DAYS} days of `notAfter` it is expiring;
 * - otherwise valid.
 */
export function certificateStatus(
  c: { status: CertificateStatus; notAfter: Date },
  now: number,
): CertificateStatus {
  if (c.status === 'invalid') return 'invalid';
  if (c.notAfter.getTime() <= now) return 'invalid';
  return needsRenewal(daysToExpiry(c.notAfter, now)) ? 'expiring' : 'valid';
}

/** Expires within the warning window, or has expired: what the overview counts as "certificates expiring". */
export function needsRenewal(daysLeft: number): boolean {
  return daysLeft <= EXPIRING_WITHIN_DAYS;
}
