import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export interface EndUser {
  puid: string;
  liveId: string;
  firstName: string | null;
  lastName: string | null;
  orgId: string;
  /** Epoch ms. */
  expiresAt: number;
}

export const END_USER_COOKIE = 'onbehalf_eu';
export const RPS_STATE_COOKIE = 'onbehalf_rps_state';

/** Ties an RPS callback to a sign-in this browser started (against login CSRF). */
export interface RpsState {
  orgId: string;
  nonce: string;
  expiresAt: number;
}
const LIFETIME_MS = 30 * 60_000;

/**
 * The short-lived end-user session of "test as an end user": the verified PUID in an HMAC-signed
 * cookie. Stateless, so any API instance can read it; the key is derived from the KEK, so it is
 * as secret as the secrets at rest and changes when the KEK does.
 */
export class EndUserSessions {
  private readonly key: Buffer;

  constructor(kek: Buffer) {
    this.key = Buffer.from(
      hkdfSync('sha256', kek, Buffer.alloc(0), Buffer.from('onbehalf end-user session v1'), 32),
    );
  }

  issue(u: Omit<EndUser, 'expiresAt'>, now = Date.now()): { value: string; user: EndUser } {
    const user: EndUser = { ...u, expiresAt: now + LIFETIME_MS };
    const body = Buffer.from(JSON.stringify(user)).toString('base64url');
    return { value: `${body}.${this.sign(body)}`, user };
  }

  read(value: string | undefined, now = Date.now()): EndUser | null {
    if (!value) return null;
    const [body, sig] = value.split('.');
    if (!body || !sig) return null;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const user = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as EndUser;
      return user.expiresAt > now ? user : null;
    } catch {
      return null;
    }
  }

  issueState(orgId: string, now = Date.now()): { value: string; state: RpsState } {
    const state: RpsState = {
      orgId,
      nonce: randomBytes(16).toString('base64url'),
      expiresAt: now + 10 * 60_000,
    };
    const body = Buffer.from(JSON.stringify(state)).toString('base64url');
    return { value: `${body}.${this.sign(`state|${body}`)}`, state };
  }

  readState(value: string | undefined, now = Date.now()): RpsState | null {
    if (!value) return null;
    const [body, sig] = value.split('.');
    if (!body || !sig) return null;
    const expected = Buffer.from(this.sign(`state|${body}`));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const s = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as RpsState;
      return s.expiresAt > now ? s : null;
    } catch {
      return null;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
