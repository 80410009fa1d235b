import { createHash } from 'node:crypto';
import { invalidOptions, requireString } from '../option-checks';

/**
 * Certificate thumbprints in the forms people meet them: the CRM SDK and Windows show SHA-1 as spaced
 * lower-case hex (`80 1d 62 d0 …`) or as unpadded base64 (`gB1i0HtEnVxcA1yY6mH6RDwqWP4`), OpenSSL as
 * colon-separated upper-case hex. Every helper here accepts any of them.
 */

/** The three forms of a certificate's fingerprints that crm-auth exposes. */
export interface Thumbprints {
  /** SHA-1 of the DER certificate, lower-case hex bytes separated by spaces (`80 1d 62 d0 …`). */
  thumbprintSha1Hex: string;
  /** SHA-1 of the DER certificate, base64 without padding (`gB1i0HtEnVxcA1yY6mH6RDwqWP4`). */
  thumbprintSha1Base64: string;
  /** SHA-256 of the DER certificate, lower-case hex without separators. */
  thumbprintSha256: string;
}

const HEX_SEPARATORS = /[\s:-]/g;
const HEX_ONLY = /^[0-9a-f]+$/i;
const BASE64_ONLY = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Turns a thumbprint written as hex (spaced, colon-separated or plain, any case) or as base64
 * (standard or URL alphabet, padded or not) into plain lower-case hex. Accepts SHA-1 (20 bytes)
 * and SHA-256 (32 bytes) digests.
 *
 * @throws CrmAuthError ERR_INVALID_OPTIONS when the text is no digest of either length in either form.
 */
export function normalizeThumbprint(input: string): string {
  const trimmed = requireString(input, 'thumbprint').trim();
  const hex = trimmed.replace(HEX_SEPARATORS, '');
  // 40 or 64 hex digits cannot be a base64 digest of 20 or 32 bytes (27/28 or 43/44 characters),
  // so reading hex first never misreads base64.
  if (HEX_ONLY.test(hex) && (hex.length === 40 || hex.length === 64)) return hex.toLowerCase();
  if (BASE64_ONLY.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 20 || bytes.length === 32) return bytes.toString('hex');
  }
  throw invalidOptions('not a SHA-1 or SHA-256 thumbprint in hex or base64');
}

/** Writes a digest (any accepted form) as spaced lower-case hex, the way the CRM SDK prints it. */
export function formatThumbprintHex(thumbprint: string): string {
  const hex = normalizeThumbprint(thumbprint);
  return (hex.match(/../g) ?? []).join(' ');
}

/** Writes a digest (any accepted form) as base64 without padding, the way the CRM SDK prints it. */
export function formatThumbprintBase64(thumbprint: string): string {
  return Buffer.from(normalizeThumbprint(thumbprint), 'hex').toString('base64').replace(/=+$/, '');
}

/** True when both texts are the same digest, whatever form each is written in. False if either is unreadable. */
export function thumbprintsEqual(a: string, b: string): boolean {
  try {
    return normalizeThumbprint(a) === normalizeThumbprint(b);
  } catch {
    return false;
  }
}

/** Computes the {@link Thumbprints} of a DER-encoded certificate. */
export function computeThumbprints(der: Buffer): Thumbprints {
  const sha1 = createHash('sha1').update(der).digest();
  return {
    thumbprintSha1Hex: formatThumbprintHex(sha1.toString('hex')),
    thumbprintSha1Base64: sha1.toString('base64').replace(/=+$/, ''),
    thumbprintSha256: createHash('sha256').update(der).digest('hex'),
  };
}
