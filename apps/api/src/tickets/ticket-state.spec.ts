import { describe, expect, it } from 'vitest';
import { ticketState } from './ticket-state';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const AHEAD = 10 * 60_000;
const at = (msFromNow: number) => new Date(NOW + msFromNow);

describe('ticketState', () => {
  it('is missing when no CRM ticket is stored, even after a failed refresh', () => {
    expect(ticketState(null, null, AHEAD, NOW)).toBe('missing');
    expect(ticketState(null, 'ERR_WLID_REFUSED', AHEAD, NOW)).toBe('missing');
  });

  it('is failing when the last refresh failed, whether the ticket is still good or already expired', () => {
    expect(ticketState(at(60 * 60_000), 'ERR_CONNECTION_RESET', AHEAD, NOW)).toBe('failing');
    expect(ticketState(at(-1), 'ERR_CONNECTION_RESET', AHEAD, NOW)).toBe('failing');
  });

  it('is expired from the moment of expiry on', () => {
    expect(ticketState(at(0), null, AHEAD, NOW)).toBe('expired');
    expect(ticketState(at(-60_000), null, AHEAD, NOW)).toBe('expired');
  });

  it('is expiring inside the refresh-ahead window and valid from its edge on', () => {
    expect(ticketState(at(1), null, AHEAD, NOW)).toBe('expiring');
    expect(ticketState(at(AHEAD - 1), null, AHEAD, NOW)).toBe('expiring');
    expect(ticketState(at(AHEAD), null, AHEAD, NOW)).toBe('valid');
    expect(ticketState(at(8 * 3_600_000), null, AHEAD, NOW)).toBe('valid');
  });
});
