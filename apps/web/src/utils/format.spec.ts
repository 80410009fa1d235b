import { describe, expect, it } from 'vitest';
import {
  formatCountdown,
  formatDays,
  formatDn,
  formatDuration,
  formatRelative,
  formatSpan,
  shortId,
} from './format';

const NOW = Date.parse('2025-01-01T12:00:00Z');

describe('formatCountdown', () => {
  it('counts down to a future expiry', () => {
    expect(formatCountdown('2025-01-01T12:04:09Z', NOW)).toBe('expires in 4 min 09 s');
    expect(formatCountdown('2025-01-01T12:00:12Z', NOW)).toBe('expires in 12 s');
    expect(formatCountdown('2025-01-01T13:05:00Z', NOW)).toBe('expires in 1 h 05 min');
    expect(formatCountdown('2025-01-04T16:00:00Z', NOW)).toBe('expires in 3 d 4 h');
  });

  it('says how long ago a past expiry was', () => {
    expect(formatCountdown('2025-01-01T11:59:48Z', NOW)).toBe('expired 12 s ago');
    expect(formatCountdown('2025-01-01T12:00:00Z', NOW)).toBe('expired 0 s ago');
  });

  it('copes with no or unreadable expiry', () => {
    expect(formatCountdown(null, NOW)).toBe('no expiry known');
    expect(formatCountdown('not a date', NOW)).toBe('no expiry known');
  });
});

describe('formatSpan / formatDuration', () => {
  it('keeps the two largest units', () => {
    expect(formatSpan(59_999)).toBe('59 s');
    expect(formatSpan(60_000)).toBe('1 min 00 s');
    expect(formatSpan(-90_000)).toBe('1 min 30 s');
  });

  it('formats latencies', () => {
    expect(formatDuration(42)).toBe('42 ms');
    expect(formatDuration(1_234)).toBe('1.23 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('formatRelative / formatDays / shortId', () => {
  it('formats relative times', () => {
    expect(formatRelative('2025-01-01T11:57:00Z', NOW)).toBe('3 min 00 s ago');
    expect(formatRelative('2025-01-01T14:00:00Z', NOW)).toBe('in 2 h 00 min');
    expect(formatRelative(null, NOW)).toBe('—');
  });

  it('formats days to expiry', () => {
    expect(formatDays(30)).toBe('30 d left');
    expect(formatDays(0)).toBe('expires today');
    expect(formatDays(-2)).toBe('expired 2 d ago');
  });

  it('shortens ids', () => {
    expect(shortId('1234567890abcdef')).toBe('12345678…');
    expect(shortId(null)).toBe('—');
  });
});

describe('formatDn', () => {
  it('puts the newline-separated RDNs of a distinguished name on one line', () => {
    expect(formatDn('CN=ERP_Integration\nO=Contoso ISV (demo)')).toBe(
      'CN=ERP_Integration, O=Contoso ISV (demo)',
    );
    expect(formatDn('CN=One')).toBe('CN=One');
    expect(formatDn('')).toBe('—');
  });
});
