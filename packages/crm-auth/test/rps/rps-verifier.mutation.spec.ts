/**
 * Mutation-testing additions (stryker/README.md): each test pins one rule of the RPS ticket check
 * that rps-verifier.spec.ts only checked by state — the exact reason, the bounds of the clock
 * window, the defaults, the option checks and the URL builder's edges.
 */
import { describe, expect, it } from 'vitest';
import { buildRpsUrl } from '../../src/rps/build-rps-url';
import { MAX_RPS_TICKET_CHARS, splitRpsTicket } from '../../src/rps/rps-ticket';
import { RpsVerifier } from '../../src/rps/rps-verifier';
import { testKey } from '../helpers/test-pki';
import { NOW, nowSec, rawTicket, signing, ticket } from './rps-test-tickets';

const SKEW = 120;

const good = {
  v: 1,
  puid: '0003bffd8f3a5b21',
  liveId: 'jonw@contoso.example',
  siteId: 'onbehalf-portal',
  iat: nowSec - 60,
  exp: nowSec + 3600,
};

const verifier = new RpsVerifier({
  signingCertPem: signing.pem,
  siteId: 'onbehalf-portal',
  clock: () => NOW,
  maxClockSkewSec: SKEW,
});
const reasonOf = (t: unknown, v: RpsVerifier = verifier): string | undefined => {
  const r = v.verify({ ticket: t as string });
  return r.state === 'invalid' ? r.reason : `not invalid: ${r.state}`;
};

describe('RpsVerifier (mutation additions)', () => {
  it('names the reason of each refusal', () => {
    expect(reasonOf(42)).toBe('the ticket is not a string');
    expect(reasonOf('a.b.c')).toBe('the ticket is not two base64url segments');
    expect(reasonOf(ticket(good, testKey('other')))).toBe('the ticket signature does not verify');
    expect(reasonOf(rawTicket('{not json'))).toBe('the ticket payload is not JSON');
    expect(reasonOf(rawTicket('null'))).toBe('the ticket payload is not an object');
    expect(reasonOf(rawTicket('[1]'))).toBe('the ticket payload is not an object');
    expect(reasonOf(rawTicket('"text"'))).toBe('the ticket payload is not an object');
    expect(reasonOf(ticket({ ...good, v: 2 }))).toBe('unsupported ticket version');
    expect(reasonOf(ticket({ ...good, siteId: 'other-site' }))).toBe('the ticket was issued to another site');
    expect(reasonOf(ticket({ ...good, iat: undefined }))).toBe('the ticket times are missing');
    expect(reasonOf(ticket({ ...good, exp: nowSec + 0.5 }))).toBe('the ticket times are missing');
    expect(reasonOf(ticket({ ...good, puid: 'XYZ3BFFD8F3A5B21' }))).toBe(
      'the ticket PUID is not 16 hex digits',
    );
    expect(reasonOf(ticket({ ...good, puid: 1234567890123456 }))).toBe(
      'the ticket PUID is not 16 hex digits',
    );
    expect(reasonOf(ticket({ ...good, liveId: '' }))).toBe('the ticket has no Live ID');
    expect(reasonOf(ticket({ ...good, liveId: 7 }))).toBe('the ticket has no Live ID');
  });

  it('refuses every refusal with redirect Auth', () => {
    expect(verifier.verify({ ticket: ticket({ ...good, v: 2 }) })).toEqual({
      state: 'invalid',
      reason: 'unsupported ticket version',
      redirect: 'Auth',
    });
  });

  it('refuses a ticket that expires at the second it is issued, accepts one a second later', () => {
    expect(reasonOf(ticket({ ...good, iat: nowSec, exp: nowSec }))).toBe(
      'the ticket expires before it is issued',
    );
    expect(verifier.verify({ ticket: ticket({ ...good, iat: nowSec, exp: nowSec + 1 }) }).state).toBe(
      'valid',
    );
  });

  it('accepts a ticket expired exactly skew seconds ago and refuses one a second older', () => {
    expect(
      verifier.verify({ ticket: ticket({ ...good, iat: nowSec - 999, exp: nowSec - SKEW }) }).state,
    ).toBe('valid');
    expect(reasonOf(ticket({ ...good, iat: nowSec - 999, exp: nowSec - SKEW - 1 }))).toBe(
      'the ticket has expired',
    );
  });

  it('accepts a ticket issued exactly skew seconds ahead and refuses one a second further', () => {
    expect(
      verifier.verify({ ticket: ticket({ ...good, iat: nowSec + SKEW, exp: nowSec + 999 }) }).state,
    ).toBe('valid');
    expect(reasonOf(ticket({ ...good, iat: nowSec + SKEW + 1, exp: nowSec + 999 }))).toBe(
      'the ticket is not yet valid',
    );
  });

  it('floors the clock to whole seconds before comparing', () => {
    const late = new RpsVerifier({
      signingCertPem: signing.pem,
      siteId: 'onbehalf-portal',
      clock: () => NOW + 999,
      maxClockSkewSec: 0,
    });
    expect(late.verify({ ticket: ticket({ ...good, iat: nowSec - 10, exp: nowSec }) }).state).toBe('valid');
  });

  it('yields the Live ID, the expiry as a Date and the names only when they are strings', () => {
    const r = verifier.verify({ ticket: ticket({ ...good, firstName: 'Jon', lastName: 'Wilson' }) });
    expect(r).toEqual({
      state: 'valid',
      hexPuid: '0003BFFD8F3A5B21',
      liveId: 'jonw@contoso.example',
      firstName: 'Jon',
      lastName: 'Wilson',
      expiresAt: new Date((nowSec + 3600) * 1000),
    });
    const bare = verifier.verify({ ticket: ticket({ ...good, firstName: 5, lastName: null }) });
    expect(bare).not.toHaveProperty('firstName');
    expect(bare).not.toHaveProperty('lastName');
  });

  it('defaults the clock skew to 300 seconds', () => {
    const v = new RpsVerifier({ signingCertPem: signing.pem, siteId: 'onbehalf-portal', clock: () => NOW });
    expect(v.verify({ ticket: ticket({ ...good, iat: nowSec - 999, exp: nowSec - 300 }) }).state).toBe(
      'valid',
    );
    expect(v.verify({ ticket: ticket({ ...good, iat: nowSec - 999, exp: nowSec - 301 }) }).state).toBe(
      'invalid',
    );
  });

  it('defaults the clock to Date.now', () => {
    const v = new RpsVerifier({ signingCertPem: signing.pem, siteId: 'onbehalf-portal' });
    const t = Math.floor(Date.now() / 1000);
    expect(v.verify({ ticket: ticket({ ...good, iat: t - 10, exp: t + 600 }) }).state).toBe('valid');
    expect(v.verify({ ticket: ticket({ ...good, iat: t - 9999, exp: t - 3000 }) }).state).toBe('invalid');
  });

  it('answers none for an empty ticket even with RPSAuthState 2 absent, and maybe only for "2"', () => {
    expect(verifier.verify({ ticket: '' })).toEqual({ state: 'none' });
    expect(verifier.verify({ ticket: '', rpsAuthState: '2' })).toEqual({
      state: 'maybe',
      redirect: 'SilentAuth',
    });
    expect(verifier.verify({ ticket: undefined, rpsAuthState: '3' })).toEqual({ state: 'none' });
  });

  it('answers none, without throwing, when called with no input at all', () => {
    expect(verifier.verify(undefined as never)).toEqual({ state: 'none' });
  });

  it('checks each option with its own message', () => {
    const base = { signingCertPem: signing.pem, siteId: 's' };
    expect(() => new RpsVerifier(null as never)).toThrow('RpsVerifier options must be an object');
    expect(() => new RpsVerifier('x' as never)).toThrow('RpsVerifier options must be an object');
    expect(() => new RpsVerifier({ ...base, siteId: 5 as never })).toThrow(
      'siteId must be a non-empty string',
    );
    expect(() => new RpsVerifier({ ...base, siteId: '' })).toThrow('siteId must be a non-empty string');
    expect(() => new RpsVerifier({ ...base, signingCertPem: 5 as never })).toThrow(
      'signingCertPem must be a PEM string',
    );
    expect(() => new RpsVerifier({ ...base, clock: 5 as never })).toThrow('clock must be a function');
    for (const skew of [-1, 3601, Number.NaN, '10' as never]) {
      expect(() => new RpsVerifier({ ...base, maxClockSkewSec: skew })).toThrow(
        'maxClockSkewSec must be between 0 and 3600',
      );
    }
    expect(() => new RpsVerifier({ ...base, maxClockSkewSec: 0 })).not.toThrow();
    expect(() => new RpsVerifier({ ...base, maxClockSkewSec: 3600 })).not.toThrow();
    expect(() => new RpsVerifier({ ...base, signingCertPem: 'nope' })).toThrow(
      'signingCertPem is not a readable certificate',
    );
  });

  it('refuses a signing certificate whose key is not RSA', () => {
    // A self-signed P-256 certificate (openssl req -x509 -newkey ec), valid until 2126.
    const ecPem = [
      '-----BEGIN CERTIFICATE-----',
      'MIIBlzCCAT2gAwIBAgIUbKhyYwDf/biLpVy9GhVbigISjZ4wCgYIKoZIzj0EAwIw',
      'IDEeMBwGA1UEAwwVRUMgUlBTIHNpZ25pbmcgKHRlc3QpMCAXDTI2MTIwMjE2MzEw',
      'MVoYDzIxMjYxMTA4MTYzMTAxWjAgMR4wHAYDVQQDDBVFQyBSUFMgc2lnbmluZyAo',
      'dGVzdCkwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAART+EFy7ejWlO7z3vSuwwm/',
      'tcRJKu5bqVoAvJgOnvYNGxAC8IXZYIM/gJ0YVQi8e5ShC+yCqNasn31kkf5U0IvG',
      'o1MwUTAdBgNVHQ4EFgQUbZz9RZfeNuEvq++BQ8/9HNNXloYwHwYDVR0jBBgwFoAU',
      'bZz9RZfeNuEvq++BQ8/9HNNXloYwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD',
      'AgNIADBFAiAz4oek9lcPz1UOwObC74vUk9pwgKSB7N5UdnBJVzqFjAIhAJgPCV3n',
      '1L/DSd05erLRffYRZad87CwWkIHTKY8C7NbB',
      '-----END CERTIFICATE-----',
    ].join('\n');
    expect(() => new RpsVerifier({ signingCertPem: ecPem, siteId: 's' })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_OPTIONS',
        message: expect.stringContaining('must carry an RSA key'),
      }),
    );
  });
});

describe('splitRpsTicket (mutation additions)', () => {
  it('accepts a ticket of exactly the maximum length and refuses one a character longer', () => {
    const sig = 'b';
    const atMax = `${'a'.repeat(MAX_RPS_TICKET_CHARS - 2)}.${sig}`;
    expect(atMax.length).toBe(MAX_RPS_TICKET_CHARS);
    expect(splitRpsTicket(atMax)).not.toBeNull();
    expect(splitRpsTicket(`a${atMax}`)).toBeNull();
  });
  it('refuses an empty ticket, an empty segment and a segment with other characters', () => {
    expect(splitRpsTicket('')).toBeNull();
    expect(splitRpsTicket('abc.')).toBeNull();
    expect(splitRpsTicket('.abc')).toBeNull();
    expect(splitRpsTicket('ab=.cd')).toBeNull();
    expect(splitRpsTicket('ab.c+d')).toBeNull();
  });
  it('decodes the payload segment and keeps the signed text as sent', () => {
    const first = Buffer.from('{"v":1}').toString('base64url');
    const parts = splitRpsTicket(`${first}.AQID`);
    expect(parts?.signed).toBe(first);
    expect(parts?.payload.toString('utf8')).toBe('{"v":1}');
    expect([...(parts?.signature ?? [])]).toEqual([1, 2, 3]);
  });
});

describe('buildRpsUrl (mutation additions)', () => {
  const opts = {
    rpsBaseUrl: 'http://localhost:8443/rps//',
    siteId: 'site',
    returnUrl: 'https://isv.example/back',
  };
  it('joins the path after every trailing slash of the base and sets no mode for Auth', () => {
    const url = new URL(buildRpsUrl('Auth', opts));
    expect(url.pathname).toBe('/rps/login');
    expect(url.protocol).toBe('http:');
    expect(url.searchParams.has('mode')).toBe(false);
    expect(new URL(buildRpsUrl('Logout', opts)).searchParams.has('mode')).toBe(false);
  });
  it('names the refused option in its message', () => {
    expect(() => buildRpsUrl('Auth', { ...opts, siteId: '' })).toThrow('siteId must be a non-empty string');
    expect(() => buildRpsUrl('Auth', { ...opts, siteId: 3 as never })).toThrow(
      'siteId must be a non-empty string',
    );
    expect(() => buildRpsUrl('Auth', { ...opts, rpsBaseUrl: 5 as never })).toThrow(
      'rpsBaseUrl must be a string',
    );
    expect(() => buildRpsUrl('Auth', { ...opts, rpsBaseUrl: 'not a url' })).toThrow(
      'rpsBaseUrl must be an absolute URL',
    );
    expect(() => buildRpsUrl('Auth', { ...opts, returnUrl: 'ftp://x/' })).toThrow(
      'returnUrl must be http(s)',
    );
    expect(() => buildRpsUrl('toString' as never, opts)).toThrow('unknown RPS URL kind: toString');
  });
});

describe('RPS option errors (mutation additions)', () => {
  it('buildRpsUrl without options throws its own siteId message, not a property-access error', () => {
    expect(() => buildRpsUrl('Auth', undefined as never)).toThrow('siteId must be a non-empty string');
  });
  it('an unreadable signing certificate keeps the parse error as its cause', () => {
    let thrown: unknown;
    try {
      new RpsVerifier({ signingCertPem: 'nope', siteId: 's' });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error).cause).toBeInstanceOf(Error);
  });
});
