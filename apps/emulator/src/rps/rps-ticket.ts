import { randomBytes, sign, type KeyObject } from 'node:crypto';
import type { LiveAccount } from '../state/emulator-state.model';

/** The RPS ticket payload: the contract agreed with the client core's RpsVerifier (README, "RPS tickets"). */
export interface RpsTicketPayload {
  v: 1;
  puid: string;
  liveId: string;
  siteId: string;
  iat: number;
  exp: number;
  nonce: string;
  firstName: string;
  lastName: string;
}

/**
 * Issues an RPS ticket: base64url(UTF-8 JSON payload) + "." + base64url(RSASSA-PKCS1-v1_5 SHA-256
 * signature over the ASCII of the first segment), no padding.
 */
export function issueRpsTicket(
  account: LiveAccount,
  siteId: string,
  lifetimeSec: number,
  key: KeyObject,
  now = Date.now(),
): string {
  const iat = Math.floor(now / 1000);
  const payload: RpsTicketPayload = {
    v: 1,
    puid: account.puid.toUpperCase(),
    liveId: account.liveId,
    siteId,
    iat,
    exp: iat + lifetimeSec,
    nonce: randomBytes(12).toString('base64url'),
    firstName: account.firstName,
    lastName: account.lastName,
  };
  const first = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const signature = sign('sha256', Buffer.from(first, 'ascii'), key).toString('base64url');
  return `${first}.${signature}`;
}
