import { describe, expect, it } from 'vitest';
import { EMPTY_KEY_FORM, keyState, orgLabels, SCOPE_CHOICES, toCreateBody } from './api-key-form';

const NOW = new Date('2026-12-03T10:00:00.000Z');
const ORG = '0b9e8a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21';

describe('toCreateBody (the key form → POST /api/api-keys)', () => {
  it('builds a calls key for the chosen orgs with an expiry the chosen number of days ahead', () => {
    expect(toCreateBody({ name: ' ERP ', scopes: ['calls'], orgIds: [ORG], expiry: '30' }, NOW)).toEqual({
      body: { name: 'ERP', scopes: ['calls'], orgIds: [ORG], expiresAt: '2027-01-02T10:00:00.000Z' },
    });
  });

  it('sends no orgs without calls and no expiry for "never"', () => {
    expect(
      toCreateBody({ name: 'SIEM', scopes: ['audit:read'], orgIds: [ORG], expiry: 'never' }, NOW),
    ).toEqual({
      body: { name: 'SIEM', scopes: ['audit:read'] },
    });
  });

  it('asks for a name, a scope and, for calls, the orgs', () => {
    expect(toCreateBody({ ...EMPTY_KEY_FORM, name: '  ' }, NOW).errors).toEqual({
      name: 'Enter what the key is for',
      orgIds: 'Choose the orgs this key may call',
    });
    expect(toCreateBody({ ...EMPTY_KEY_FORM, name: 'x', scopes: [] }, NOW).errors).toEqual({
      scopes: 'Choose at least one scope',
    });
  });
});

describe('SCOPE_CHOICES (what the create form offers)', () => {
  it('offers every scope the API knows, metrics:read among them, once each', () => {
    expect(SCOPE_CHOICES.map((c) => c.value)).toEqual(['calls', 'audit:read', 'metrics:read', 'admin']);
  });

  it('builds a metrics:read key with no orgs', () => {
    expect(
      toCreateBody({ name: 'Prometheus', scopes: ['metrics:read'], orgIds: [], expiry: 'never' }, NOW),
    ).toEqual({ body: { name: 'Prometheus', scopes: ['metrics:read'] } });
  });
});

describe("orgLabels (a key's orgs in the list)", () => {
  const OTHER = '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910';
  const names = new Map([[ORG, 'Contoso Ltd']]);

  it('names known orgs and shows the start of the id of an org the console does not know', () => {
    expect(orgLabels({ orgIds: [ORG, OTHER], deletedOrgIds: [] }, names)).toEqual([
      'Contoso Ltd',
      '7f6e5d4c',
    ]);
  });

  it('marks an org deleted since the key was made', () => {
    expect(orgLabels({ orgIds: [ORG, OTHER], deletedOrgIds: [OTHER] }, names)).toEqual([
      'Contoso Ltd',
      '7f6e5d4c (deleted)',
    ]);
  });
});

describe('keyState', () => {
  it('tells revoked, expired (at its expiry instant) and active keys apart', () => {
    const t = NOW.getTime();
    expect(keyState({ revokedAt: NOW.toISOString(), expiresAt: null }, t)).toBe('revoked');
    expect(keyState({ revokedAt: null, expiresAt: NOW.toISOString() }, t)).toBe('expired');
    expect(keyState({ revokedAt: null, expiresAt: NOW.toISOString() }, t - 1)).toBe('active');
    expect(keyState({ revokedAt: null, expiresAt: null }, t)).toBe('active');
  });
});
