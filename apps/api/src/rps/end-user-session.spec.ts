import { describe, expect, it } from 'vitest';
import { EndUserSessions } from './end-user-session';

const KEK = Buffer.alloc(32, 7);
const OTHER_KEK = Buffer.alloc(32, 8);
const T0 = new Date('2026-03-01T12:00:00.000Z').getTime();
const MINUTE = 60_000;
const ORG = '11111111-0000-4000-8000-000000000001';
const ANN = {
  puid: '0003BFFD8F3A5B21',
  liveId: 'ann@contoso.example',
  firstName: 'Ann',
  lastName: null,
  orgId: ORG,
};

/** The cookie value with its body replaced by this JSON, keeping the old signature. */
const withBody = (value: string, json: unknown) =>
  `${Buffer.from(JSON.stringify(json)).toString('base64url')}.${value.split('.')[1]}`;

describe('EndUserSessions: the end-user session cookie', () => {
  it('reads back the user it issued, expiring 30 minutes after issue', () => {
    const s = new EndUserSessions(KEK);
    const { value, user } = s.issue(ANN, T0);
    expect(user).toEqual({ ...ANN, expiresAt: T0 + 30 * MINUTE });
    expect(s.read(value, T0)).toEqual(user);
    expect(s.read(value, T0 + 30 * MINUTE - 1)).toEqual(user);
  });

  it('reads nothing once the session has expired (at its expiry and after)', () => {
    const s = new EndUserSessions(KEK);
    const { value } = s.issue(ANN, T0);
    expect(s.read(value, T0 + 30 * MINUTE)).toBeNull();
    expect(s.read(value, T0 + 31 * MINUTE)).toBeNull();
  });

  it('reads another API instance with the same KEK its cookie, but not one signed under another KEK', () => {
    const { value } = new EndUserSessions(KEK).issue(ANN, T0);
    expect(new EndUserSessions(KEK).read(value, T0)?.puid).toBe(ANN.puid);
    expect(new EndUserSessions(OTHER_KEK).read(value, T0)).toBeNull();
  });

  it('reads nothing from a cookie whose body was changed (another PUID, a later expiry)', () => {
    const s = new EndUserSessions(KEK);
    const { value, user } = s.issue(ANN, T0);
    expect(s.read(withBody(value, { ...user, puid: '0003BFFD00000000' }), T0)).toBeNull();
    expect(s.read(withBody(value, { ...user, expiresAt: T0 + 600 * MINUTE }), T0 + 60 * MINUTE)).toBeNull();
  });

  it('reads nothing, without throwing, from a missing, empty, unsigned or mis-signed cookie', () => {
    const s = new EndUserSessions(KEK);
    const { value } = s.issue(ANN, T0);
    const [body, sig] = value.split('.') as [string, string];
    expect(s.read(undefined, T0)).toBeNull();
    expect(s.read('', T0)).toBeNull();
    expect(s.read(body, T0)).toBeNull();
    expect(s.read(`${body}.`, T0)).toBeNull();
    expect(s.read(`.${sig}`, T0)).toBeNull();
    // A signature of the right length but wrong, and one of another length (timingSafeEqual would throw).
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(s.read(`${body}.${flipped}`, T0)).toBeNull();
    expect(s.read(`${body}.${sig.slice(1)}`, T0)).toBeNull();
    expect(s.read(`${body}.${sig}x`, T0)).toBeNull();
  });

  it('does not take a sign-in state cookie for a session', () => {
    const s = new EndUserSessions(KEK);
    const { value } = s.issueState(ORG, T0);
    expect(s.read(value, T0)).toBeNull();
  });
});

describe('EndUserSessions: the RPS sign-in state cookie', () => {
  it('reads back the org and nonce it issued, expiring 10 minutes after issue', () => {
    const s = new EndUserSessions(KEK);
    const { value, state } = s.issueState(ORG, T0);
    expect(state).toEqual({
      orgId: ORG,
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      expiresAt: T0 + 10 * MINUTE,
    });
    expect(s.readState(value, T0 + 10 * MINUTE - 1)).toEqual(state);
    expect(s.readState(value, T0 + 10 * MINUTE)).toBeNull();
  });

  it('gives every sign-in a fresh nonce', () => {
    const s = new EndUserSessions(KEK);
    const nonces = new Set(Array.from({ length: 20 }, () => s.issueState(ORG, T0).state.nonce));
    expect(nonces.size).toBe(20);
  });

  it('reads nothing from a state cookie whose body was changed or that another KEK signed', () => {
    const s = new EndUserSessions(KEK);
    const { value, state } = s.issueState(ORG, T0);
    expect(
      s.readState(withBody(value, { ...state, orgId: '22222222-0000-4000-8000-000000000002' }), T0),
    ).toBeNull();
    expect(new EndUserSessions(OTHER_KEK).readState(value, T0)).toBeNull();
  });

  it('reads nothing, without throwing, from a missing, empty, unsigned or mis-signed state cookie', () => {
    const s = new EndUserSessions(KEK);
    const { value } = s.issueState(ORG, T0);
    const [body, sig] = value.split('.') as [string, string];
    expect(s.readState(undefined, T0)).toBeNull();
    expect(s.readState('', T0)).toBeNull();
    expect(s.readState(body, T0)).toBeNull();
    expect(s.readState(`${body}.`, T0)).toBeNull();
    expect(s.readState(`.${sig}`, T0)).toBeNull();
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(s.readState(`${body}.${flipped}`, T0)).toBeNull();
    expect(s.readState(`${body}.${sig.slice(1)}`, T0)).toBeNull();
  });

  it('does not take an end-user session cookie for a sign-in state', () => {
    const s = new EndUserSessions(KEK);
    const { value } = s.issue(ANN, T0);
    expect(s.readState(value, T0)).toBeNull();
  });
});
