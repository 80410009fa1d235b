import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a Passport ticket (issued by the STS) asserts. Times in epoch milliseconds. */
export interface PassportTicketClaims {
  liveId: string;
  puid: string;
  policy: string;
  /** The partner domain of the RST's `wsp:AppliesTo`, lower case: the only one the ticket is good for. */
  appliesTo: string;
  iat: number;
  exp: number;
  jti: string;
}

/** What a CRM ticket (issued by discovery) asserts: one org, one account. */
export interface CrmTicketClaims {
  org: string;
  orgId: string;
  liveId: string;
  iat: number;
  exp: number;
  jti: string;
}

/** The RPS session cookie: who signed in, until when. */
export interface RpsCookieClaims {
  liveId: string;
  exp: number;
}

type Purpose = 'passport' | 'crm' | 'rps-cookie';
const MAC_LENGTH = 32;
/**
 * Passport and CRM tickets start with these bytes, which base64 writes as `+/+/`, and are padded so
 * that their base64 ends in `==`. Real tickets are standard base64 of binary data; this makes every
 * emulator ticket hold `+`, `/` and `=` (and the Passport ticket its `&`), so that a client or a
 * store that escapes, URL-decodes or trims them badly fails every time, not one time in a few.
 */
const MARKER = Buffer.from([0xfb, 0xff, 0xbf]);

/**
 * Self-verifying tickets: JSON claims followed by an HMAC-SHA256 under the key kept in the data
 * directory. They survive a restart, cost microseconds to check (no RSA on the hot path), and a
 * forged or garbled ticket fails the MAC. The purpose is mixed into the MAC so that one kind of
 * ticket can never be replayed as another.
 */
export class TicketCodec {
  constructor(private readonly key: Buffer) {}

  /** A random ticket id. */
  static newId(): string {
    return randomBytes(9).toString('base64url');
  }

  /** `t=<base64>&p=`, the compact Passport ticket the STS returns (standard base64: `+`, `/`, `=`). */
  issuePassport(claims: PassportTicketClaims): string {
    return `t=${this.seal('passport', claims, true).toString('base64')}&p=`;
  }

  /** Reads a Passport ticket; undefined when garbled or forged. */
  readPassport(ticket: string): PassportTicketClaims | undefined {
    const m = /^t=([A-Za-z0-9+/]+={0,2})(?:&p=[^&]*)?$/.exec(ticket.trim());
    if (!m?.[1]) return undefined;
    const claims = this.open('passport', canonical(m[1], 'base64'), true);
    return isPassportClaims(claims) ? claims : undefined;
  }

  /** The opaque CRM ticket, in standard base64 like the real one (it holds `+`, `/` and `=`). */
  issueCrm(claims: CrmTicketClaims): string {
    return this.seal('crm', claims, true).toString('base64');
  }

  /** Reads a CRM ticket; undefined when garbled or forged. */
  readCrm(ticket: string): CrmTicketClaims | undefined {
    const text = ticket.trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
    const claims = this.open('crm', canonical(text, 'base64'), true);
    return isCrmClaims(claims) ? claims : undefined;
  }

  /** The RPS sign-in cookie value. */
  issueRpsCookie(claims: RpsCookieClaims): string {
    return this.seal('rps-cookie', claims).toString('base64url');
  }

  /** Reads the RPS cookie; undefined when garbled, forged or expired. */
  readRpsCookie(value: string, now: number): RpsCookieClaims | undefined {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
    const claims = this.open('rps-cookie', canonical(value, 'base64url'));
    if (
      typeof claims !== 'object' ||
      claims === null ||
      typeof (claims as RpsCookieClaims).liveId !== 'string' ||
      typeof (claims as RpsCookieClaims).exp !== 'number'
    ) {
      return undefined;
    }
    const cookie = claims as RpsCookieClaims;
    return cookie.exp > now ? cookie : undefined;
  }

  private mac(purpose: Purpose, payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(purpose).update('\0').update(payload).digest();
  }

  /** Claims as JSON, then the MAC; a ticket (`marked`) gets MARKER first and JSON padding for `==`. */
  private seal(purpose: Purpose, claims: object, marked = false): Buffer {
    let json = JSON.stringify(claims);
    if (marked) {
      const length = MARKER.length + Buffer.byteLength(json, 'utf8') + MAC_LENGTH;
      // Trailing spaces are valid JSON; one byte over a multiple of 3 makes base64 end in `==`.
      json += ' '.repeat((((1 - length) % 3) + 3) % 3);
    }
    const payload = Buffer.from(json, 'utf8');
    return Buffer.concat([...(marked ? [MARKER] : []), payload, this.mac(purpose, payload)]);
  }

  private open(purpose: Purpose, bytes: Buffer | undefined, marked = false): unknown {
    if (!bytes) return undefined;
    if (marked && !bytes.subarray(0, MARKER.length).equals(MARKER)) return undefined;
    const sealed = marked ? bytes.subarray(MARKER.length) : bytes;
    if (sealed.length <= MAC_LENGTH) return undefined;
    const payload = sealed.subarray(0, sealed.length - MAC_LENGTH);
    const mac = sealed.subarray(sealed.length - MAC_LENGTH);
    if (!timingSafeEqual(mac, this.mac(purpose, payload))) return undefined;
    try {
      return JSON.parse(payload.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}

/**
 * Decodes base64 only when the text is the exact encoding of its bytes: Node ignores stray
 * trailing characters, and a garbled ticket must not pass for the original.
 */
function canonical(text: string, encoding: 'base64' | 'base64url'): Buffer | undefined {
  const bytes = Buffer.from(text, encoding);
  return bytes.toString(encoding) === text ? bytes : undefined;
}

function isPassportClaims(value: unknown): value is PassportTicketClaims {
  const v = value as PassportTicketClaims | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.liveId === 'string' &&
    typeof v.puid === 'string' &&
    typeof v.policy === 'string' &&
    typeof v.appliesTo === 'string' &&
    typeof v.iat === 'number' &&
    typeof v.exp === 'number' &&
    typeof v.jti === 'string'
  );
}

function isCrmClaims(value: unknown): value is CrmTicketClaims {
  const v = value as CrmTicketClaims | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.org === 'string' &&
    typeof v.orgId === 'string' &&
    typeof v.liveId === 'string' &&
    typeof v.iat === 'number' &&
    typeof v.exp === 'number' &&
    typeof v.jti === 'string'
  );
}
