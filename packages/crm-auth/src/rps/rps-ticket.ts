/**
 * The RPS ticket format agreed with the emulator's sign-in page (the real RPS format was never
 * public; see the package README):
 *
 *   ticket  = base64url(UTF-8 JSON payload) "." base64url(signature)   (no padding)
 *   payload = {"v":1,"puid":"0003BFFD8F3A5B21","liveId":"…","siteId":"…","iat":<unix s>,
 *              "exp":<unix s>,"nonce":"…","firstName":"…","lastName":"…"}
 *   signature = RSASSA-PKCS1-v1_5 with SHA-256 over the ASCII bytes of the first segment.
 */

/** The decoded payload of an RPS ticket. */
export interface RpsTicketPayload {
  v: 1;
  /** HexPUID: 16 hex digits. */
  puid: string;
  liveId: string;
  siteId: string;
  /** Issued at, Unix seconds. */
  iat: number;
  /** Expires at, Unix seconds. */
  exp: number;
  nonce?: string;
  firstName?: string;
  lastName?: string;
}

/** Longer tickets are refused unread; a real one is a few hundred characters. */
export const MAX_RPS_TICKET_CHARS = 8192;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The two segments of a ticket, split and shape-checked; null when the shape is wrong. */
export function splitRpsTicket(
  ticket: string,
): { signed: string; payload: Buffer; signature: Buffer } | null {
  if (ticket.length === 0 || ticket.length > MAX_RPS_TICKET_CHARS) return null;
  const parts = ticket.split('.');
  if (parts.length !== 2) return null;
  const [signed, sig] = parts as [string, string];
  if (!BASE64URL.test(signed) || !BASE64URL.test(sig)) return null;
  return { signed, payload: Buffer.from(signed, 'base64url'), signature: Buffer.from(sig, 'base64url') };
}
