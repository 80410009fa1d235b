import { describe, expect, it } from 'vitest';
import { buildRpsUrl } from '../../src/rps/build-rps-url';
import { RpsVerifier } from '../../src/rps/rps-verifier';
import { testKey } from '../helpers/test-pki';
import { NOW, nowSec, signing, ticket } from './rps-test-tickets';
import { INVALID_OPTIONS } from '../helpers/invalid-options';

const good = {
  v: 1,
  puid: '0003bffd8f3a5b21',
  liveId: 'jonw@contoso.example',
  siteId: 'onbehalf-portal',
  iat: nowSec - 60,
  exp: nowSec + 3600,
  nonce: 'n-1',
  firstName: 'Jon',
  lastName: 'Wilson',
};

const verifier = new RpsVerifier({
  signingCertPem: signing.pem,
  siteId: 'onbehalf-portal',
  clock: () => NOW,
  maxClockSkewSec: 120,
});

describe('RpsVerifier', () => {
  it('accepts a valid ticket and yields the upper-case HexPUID', () => {
    expect(verifier.verify({ ticket: ticket(good) })).toEqual({
      state: 'valid',
      hexPuid: '0003BFFD8F3A5B21',
      liveId: 'jonw@contoso.example',
      firstName: 'Jon',
      lastName: 'Wilson',
      expiresAt: new Date((nowSec + 3600) * 1000),
    });
  });

  it('refuses a ticket signed by another key', () => {
    expect(verifier.verify({ ticket: ticket(good, testKey('rogue')) })).toMatchObject({
      state: 'invalid',
      redirect: 'Auth',
    });
  });

  it('refuses a tampered payload with the original signature', () => {
    const [, sig] = ticket(good).split('.');
    const forged = Buffer.from(JSON.stringify({ ...good, puid: '00000000DEADBEEF' })).toString('base64url');
    expect(verifier.verify({ ticket: `${forged}.${sig}` })).toMatchObject({
      state: 'invalid',
      reason: expect.stringContaining('signature'),
    });
  });

  it('refuses a ticket issued to another site', () => {
    expect(verifier.verify({ ticket: ticket({ ...good, siteId: 'other-site' }) })).toMatchObject({
      state: 'invalid',
      reason: expect.stringContaining('another site'),
    });
  });

  it('refuses an expired ticket beyond the skew, accepts one within it', () => {
    expect(
      verifier.verify({ ticket: ticket({ ...good, iat: nowSec - 7200, exp: nowSec - 121 }) }),
    ).toMatchObject({
      state: 'invalid',
      reason: expect.stringContaining('expired'),
    });
    expect(
      verifier.verify({ ticket: ticket({ ...good, iat: nowSec - 7200, exp: nowSec - 100 }) }),
    ).toMatchObject({ state: 'valid' });
  });

  it('refuses a ticket from the future', () => {
    expect(
      verifier.verify({ ticket: ticket({ ...good, iat: nowSec + 600, exp: nowSec + 4000 }) }),
    ).toMatchObject({ state: 'invalid' });
  });

  it('refuses a wrong version, a malformed PUID and missing times', () => {
    for (const bad of [
      { ...good, v: 2 },
      { ...good, puid: '3BFFD8F3A5B21' },
      { ...good, puid: 'XYZ3BFFD8F3A5B21' },
      { ...good, iat: undefined },
    ]) {
      expect(verifier.verify({ ticket: ticket(bad) }).state).toBe('invalid');
    }
  });

  it('refuses malformed tickets without throwing', () => {
    for (const bad of ['abc', 'a.b.c', '!!!.???', '.', `${'a'.repeat(9000)}.b`]) {
      expect(verifier.verify({ ticket: bad })).toMatchObject({ state: 'invalid', redirect: 'Auth' });
    }
  });

  it('answers Maybe (SilentAuth) for RPSAuthState 2 without a ticket', () => {
    expect(verifier.verify({ rpsAuthState: '2' })).toEqual({ state: 'maybe', redirect: 'SilentAuth' });
  });

  it('answers none without a ticket otherwise', () => {
    expect(verifier.verify({})).toEqual({ state: 'none' });
    expect(verifier.verify({ ticket: null, rpsAuthState: '1' })).toEqual({ state: 'none' });
  });

  it('rejects bad options', () => {
    expect(() => new RpsVerifier({ signingCertPem: signing.pem, siteId: '' })).toThrow(INVALID_OPTIONS);
    expect(() => new RpsVerifier({ signingCertPem: 'nope', siteId: 's' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
    );
  });
});

describe('buildRpsUrl', () => {
  const opts = {
    rpsBaseUrl: 'https://localhost:8443/rps/',
    siteId: 'onbehalf-portal',
    returnUrl: 'https://isv.example/back?x=1',
  };
  it('builds Auth, SilentAuth and Logout URLs', () => {
    expect(buildRpsUrl('Auth', opts)).toBe(
      'https://localhost:8443/rps/login?siteId=onbehalf-portal&returnUrl=https%3A%2F%2Fisv.example%2Fback%3Fx%3D1',
    );
    expect(new URL(buildRpsUrl('SilentAuth', opts)).searchParams.get('mode')).toBe('silent');
    expect(new URL(buildRpsUrl('Logout', opts)).pathname).toBe('/rps/logout');
  });
  it('refuses relative or non-http URLs', () => {
    expect(() => buildRpsUrl('Auth', { ...opts, returnUrl: '/back' })).toThrow(INVALID_OPTIONS);
    expect(() => buildRpsUrl('Auth', { ...opts, returnUrl: 'javascript:alert(1)' })).toThrow(INVALID_OPTIONS);
    // @ts-expect-error deliberate misuse
    expect(() => buildRpsUrl('Other', opts)).toThrow(INVALID_OPTIONS);
  });
});
