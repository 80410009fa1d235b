import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../auth/api-keys.repository';
import { checkOrgsExist, grantOf, view } from './api-keys.service';

const NOW = new Date('2026-12-03T10:00:00.000Z');
const A = '0B9E8A5C-1F2D-4C3B-9A8E-7D6C5B4A3F21';
const B = '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910';
const C = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';

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
        {
          scopes: ['calls', 'audit:read'],
          orgIds: [A, A.toLowerCase(), A, B, A],
          expiresAt: '2027-01-01T00:00:00Z',
        },
        NOW,
      ),
    ).toEqual({
      scopes: ['calls', 'audit:read'],
      orgIds: [A.toLowerCase(), B],
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

describe('checkOrgsExist (a calls key names orgs that exist)', () => {
  const existing = new Set([A.toLowerCase(), B]);

  it('accepts orgs that all exist', () => {
    expect(() => checkOrgsExist([A.toLowerCase(), B], existing)).not.toThrow();
    expect(() => checkOrgsExist([], existing)).not.toThrow();
  });

  it('refuses with 400 API_KEY_UNKNOWN_ORG naming every unknown id, and only those', () => {
    const other = '00000000-0000-4000-8000-000000000000';
    const e = refusal(() => checkOrgsExist([C, B, other], existing));
    expect(e).toMatchObject({ status: 400, code: 'API_KEY_UNKNOWN_ORG', details: { orgIds: [C, other] } });
    expect((e as Error).message).toBe(`No org has the id ${C}, ${other}.`);
  });
});

describe('view (a key as the list shows it)', () => {
  const row = (orgIds: string[]): ApiKeyRecord => ({
    id: 'k1',
    name: 'ISV link',
    keyHash: Buffer.alloc(32),
    prefix: 'obk_abcdefgh',
    createdBy: null,
    createdAt: NOW,
    lastUsedAt: null,
    revokedAt: null,
    scopes: ['calls'],
    orgIds,
    expiresAt: null,
    lastUsedIp: null,
    legacy: false,
  });

  it('lists the orgs of the key that no longer exist as deleted, keeping every id in orgIds', () => {
    const v = view(row([A.toLowerCase(), B, C]), new Set([B]));
    expect(v.orgIds).toEqual([A.toLowerCase(), B, C]);
    expect(v.deletedOrgIds).toEqual([A.toLowerCase(), C]);
  });

  it('compares ids in any case, and lists none when every org exists', () => {
    expect(view(row([A, B]), new Set([A.toLowerCase(), B])).deletedOrgIds).toEqual([]);
    expect(view(row([]), new Set()).deletedOrgIds).toEqual([]);
  });
});
