import { describe, expect, it } from 'vitest';
import { grantOf } from './api-keys.service';

const NOW = new Date('2026-12-03T10:00:00.000Z');
const A = '0B9E8A5C-1F2D-4C3B-9A8E-7D6C5B4A3F21';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('accepted');
};

describe('grantOf (what a new key may do)', () => {
  it('gives an admin key exactly the admin scope, no orgs and no expiry', () => {
    expect(grantOf({ scopes: ['admin'] }, NOW)).toEqual({ scopes: ['admin'], orgIds: [], expiresAt: null });
  });

  it('keeps a calls key to its orgs (lower-cased, once each) and its expiry', () => {
    expect(
      grantOf(
        { scopes: ['calls', 'audit:read'], orgIds: [A, A.toLowerCase()], expiresAt: '2027-01-01T00:00:00Z' },
        NOW,
      ),
    ).toEqual({
      scopes: ['calls', 'audit:read'],
      orgIds: [A.toLowerCase()],
      expiresAt: new Date('2027-01-01T00:00:00Z'),
    });
  });

  it('refuses calls without orgs with 400 API_KEY_ORGS_REQUIRED', () => {
    for (const orgIds of [undefined, []]) {
      expect(refusal(() => grantOf({ scopes: ['calls'], orgIds }, NOW))).toMatchObject({
        status: 400,
        code: 'API_KEY_ORGS_REQUIRED',
      });
    }
  });

  it('refuses orgs on a key without calls with 400 API_KEY_ORGS_WITHOUT_CALLS', () => {
    expect(refusal(() => grantOf({ scopes: ['admin'], orgIds: [A] }, NOW))).toMatchObject({
      status: 400,
      code: 'API_KEY_ORGS_WITHOUT_CALLS',
    });
  });

  it('refuses an expiry that is not in the future (now included) with 400 API_KEY_EXPIRY_PAST', () => {
    expect(refusal(() => grantOf({ scopes: ['admin'], expiresAt: NOW.toISOString() }, NOW))).toMatchObject({
      status: 400,
      code: 'API_KEY_EXPIRY_PAST',
    });
    expect(grantOf({ scopes: ['admin'], expiresAt: '2026-12-03T10:00:00.001Z' }, NOW).expiresAt).toEqual(
      new Date('2026-12-03T10:00:00.001Z'),
    );
    expect(grantOf({ scopes: ['admin'], expiresAt: null }, NOW).expiresAt).toBeNull();
  });
});
