import { verify as verifySignature, X509Certificate, type KeyObject } from 'node:crypto';
import {
  invalidOptions,
  nonEmptyString,
  optionalFunction,
  requireObject,
  requireString,
} from '../option-checks';
import { splitRpsTicket, type RpsTicketPayload } from './rps-ticket';

/** Options of {@link RpsVerifier}. */
export interface RpsVerifierOptions {
  /** The certificate of the RPS signing key, in PEM (the emulator serves it at `/rps/signing-cert.pem`). */
  signingCertPem: string;
  /** This site's id; a ticket issued to another site is refused. */
  siteId: string;
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: () => number;
  /** Tolerated clock difference with the sign-in server, seconds. Default 300. */
  maxClockSkewSec?: number;
}

/** The result of {@link RpsVerifier.verify}: the four RPS ticket states. */
export type RpsVerification =
  | {
      state: 'valid';
      /** 16 upper-case hex digits. */
      hexPuid: string;
      liveId: string;
      firstName?: string;
      lastName?: string;
      expiresAt: Date;
    }
  | { state: 'none' }
  | { state: 'invalid'; reason: string; redirect: 'Auth' }
  | { state: 'maybe'; redirect: 'SilentAuth' };

/** Input of {@link RpsVerifier.verify}: what the sign-in page sent back (`t=` and `RPSAuthState=`). */
export interface RpsVerifyInput {
  ticket?: string | null;
  rpsAuthState?: string | null;
}

const HEX_PUID = /^[0-9a-fA-F]{16}$/;

/**
 * Checks RPS tickets from the sign-in page and yields the user's HexPUID, as `RPSHttpAuth.Authenticate`
 * and `RPSTicket.Validate` did in the RPS server SDK.
 */
export class RpsVerifier {
  readonly #key: KeyObject;
  readonly #siteId: string;
  readonly #clock: () => number;
  readonly #skewSec: number;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options (an unreadable or non-RSA certificate too). */
  constructor(options: RpsVerifierOptions) {
    requireObject(options, 'RpsVerifier options');
    nonEmptyString(options.siteId, 'siteId');
    requireString(options.signingCertPem, 'signingCertPem', 'a PEM string');
    optionalFunction(options.clock, 'clock');
    const skew = options.maxClockSkewSec ?? 300;
    if (typeof skew !== 'number' || !(skew >= 0) || skew > 3600)
      throw invalidOptions('maxClockSkewSec must be between 0 and 3600');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(options.signingCertPem);
    } catch (cause) {
      throw invalidOptions('signingCertPem is not a readable certificate', cause);
    }
    // The format fixes RSASSA-PKCS1-v1_5; accepting another key type would let an algorithm
    // other than the agreed one decide validity.
    if (cert.publicKey.asymmetricKeyType !== 'rsa') {
      throw invalidOptions('the RPS signing certificate must carry an RSA key');
    }
    this.#key = cert.publicKey;
    this.#siteId = options.siteId;
    this.#clock = options.clock ?? Date.now;
    this.#skewSec = skew;
  }

  /**
   * Classifies what the sign-in page returned. A ticket, when present, decides; without one,
   * `RPSAuthState` 2 means "Maybe" (a ticket exists but could not be read: redirect to
   * SilentAuth), anything else means no session.
   */
  verify(input: RpsVerifyInput): RpsVerification {
    const ticket = input?.ticket;
    if (ticket === undefined || ticket === null || ticket === '') {
      return input?.rpsAuthState === '2' ? { state: 'maybe', redirect: 'SilentAuth' } : { state: 'none' };
    }
    if (typeof ticket !== 'string') return invalid('the ticket is not a string');
    const parts = splitRpsTicket(ticket);
    if (!parts) return invalid('the ticket is not two base64url segments');

    // Signature before anything in the payload is believed (or even parsed).
    let signed: boolean;
    try {
      signed = verifySignature('sha256', Buffer.from(parts.signed, 'ascii'), this.#key, parts.signature);
    } catch {
      signed = false;
    }
    if (!signed) return invalid('the ticket signature does not verify');

    let payload: unknown;
    try {
      payload = JSON.parse(parts.payload.toString('utf8'));
    } catch {
      return invalid('the ticket payload is not JSON');
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
      return invalid('the ticket payload is not an object');
    const p = payload as Partial<Record<keyof RpsTicketPayload, unknown>>;
    // A version we do not know may mean fields we would misread.
    if (p.v !== 1) return invalid('unsupported ticket version');
    // A ticket for another site must not sign a user into this one.
    if (p.siteId !== this.#siteId) return invalid('the ticket was issued to another site');
    if (!Number.isInteger(p.iat) || !Number.isInteger(p.exp)) return invalid('the ticket times are missing');
    const iat = p.iat as number;
    const exp = p.exp as number;
    if (exp <= iat) return invalid('the ticket expires before it is issued');
    const nowSec = Math.floor(this.#clock() / 1000);
    // Replays of old tickets are bounded by exp; tickets from the future by iat; both with skew.
    if (nowSec > exp + this.#skewSec) return invalid('the ticket has expired');
    if (iat > nowSec + this.#skewSec) return invalid('the ticket is not yet valid');
    if (typeof p.puid !== 'string' || !HEX_PUID.test(p.puid))
      return invalid('the ticket PUID is not 16 hex digits');
    if (typeof p.liveId !== 'string' || p.liveId.length === 0) return invalid('the ticket has no Live ID');
    const result: RpsVerification = {
      state: 'valid',
      hexPuid: p.puid.toUpperCase(),
      liveId: p.liveId,
      expiresAt: new Date(exp * 1000),
    };
    if (typeof p.firstName === 'string') result.firstName = p.firstName;
    if (typeof p.lastName === 'string') result.lastName = p.lastName;
    return result;
  }
}

function invalid(reason: string): RpsVerification {
  return { state: 'invalid', reason, redirect: 'Auth' };
}
