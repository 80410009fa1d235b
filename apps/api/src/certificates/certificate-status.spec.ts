import { describe, expect, it } from 'vitest';
import { certificateStatus, daysToExpiry, EXPIRING_WITHIN_DAYS, needsRenewal } from './certificate-status';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW + days * DAY);

describe('certificateStatus: the one rule for a stored certificate', () => {
  it('an invalid certificate that expires within 30 days is invalid, not expiring (the overview showed "expiring")', () => {
    expect(certificateStatus({ status: 'invalid', notAfter: at(10) }, NOW)).toBe('invalid');
    expect(certificateStatus({ status: 'invalid', notAfter: at(EXPIRING_WITHIN_DAYS) }, NOW)).toBe('invalid');
  });

  it('an invalid certificate far from expiry stays invalid', () => {
    expect(certificateStatus({ status: 'invalid', notAfter: at(400) }, NOW)).toBe('invalid');
  });

  it('a valid certificate is invalid once notAfter has passed, including at the very instant', () => {
    expect(certificateStatus({ status: 'valid', notAfter: new Date(NOW) }, NOW)).toBe('invalid');
    expect(certificateStatus({ status: 'valid', notAfter: at(-3) }, NOW)).toBe('invalid');
    expect(certificateStatus({ status: 'expiring', notAfter: new Date(NOW - 1) }, NOW)).toBe('invalid');
  });

  it('a valid certificate is expiring from 30 whole days before notAfter, valid before that', () => {
    expect(certificateStatus({ status: 'valid', notAfter: new Date(NOW + 1) }, NOW)).toBe('expiring');
    expect(certificateStatus({ status: 'valid', notAfter: at(30) }, NOW)).toBe('expiring');
    expect(certificateStatus({ status: 'valid', notAfter: new Date(NOW + 31 * DAY - 1) }, NOW)).toBe(
      'expiring',
    );
    expect(certificateStatus({ status: 'valid', notAfter: at(31) }, NOW)).toBe('valid');
  });

  it('the dates only make a status worse: stored "expiring" far from expiry reads valid (the clock is the truth)', () => {
    expect(certificateStatus({ status: 'expiring', notAfter: at(200) }, NOW)).toBe('valid');
  });
});

describe('daysToExpiry and needsRenewal', () => {
  it('counts whole days left, rounded down, negative once expired', () => {
    expect(daysToExpiry(at(10), NOW)).toBe(10);
    expect(daysToExpiry(new Date(NOW + 10 * DAY - 1), NOW)).toBe(9);
    expect(daysToExpiry(new Date(NOW - 1), NOW)).toBe(-1);
  });

  it('needs renewal within the same 30-day window the status uses, and once expired', () => {
    expect(needsRenewal(EXPIRING_WITHIN_DAYS)).toBe(true);
    expect(needsRenewal(-5)).toBe(true);
    expect(needsRenewal(EXPIRING_WITHIN_DAYS + 1)).toBe(false);
  });
});
