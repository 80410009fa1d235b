import {
  DerTag,
  contentBytes,
  elementBytes,
  isTime,
  readChildren,
  readOid,
  readRoot,
  readSerialHex,
  readTime,
} from './der-reader';
import { invalidOptions } from '../option-checks';
import { throughLastMarker } from './pem-text';

/**
 * A certificate revocation list (RFC 5280 §5) read from DER or PEM. Node has no CRL parser and
 * node-forge no CRL support, so crm-auth reads the few fields it needs itself. Internal to the
 * certificates folder: {@link validateCertificate} is the public way to use CRLs.
 */
export interface ParsedCrl {
  /** The DER of the issuer Name, compared byte for byte with the issuing certificate's subject. */
  issuerDer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Revoked serial numbers, upper-case hex without leading zeros. */
  revokedSerials: ReadonlySet<string>;
  /** The exact bytes the signature covers. */
  tbsDer: Buffer;
  signatureAlgorithmOid: string;
  signature: Buffer;
}

/** Larger CRLs are refused before parsing; public CAs' CRLs stay well below this. */
export const MAX_CRL_BYTES = 8 * 1024 * 1024;

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/;

/** Reads a CRL from DER bytes or PEM text. Throws an Error (message safe to show) when unreadable. */
export function parseCrl(input: Buffer | string): ParsedCrl {
  const der = toDer(input);
  const root = readRoot(der);
  const [tbs, outerAlgorithm, signatureValue] = readChildren(der, root);
  if (
    root.tag !== DerTag.SEQUENCE ||
    tbs?.tag !== DerTag.SEQUENCE ||
    outerAlgorithm?.tag !== DerTag.SEQUENCE
  ) {
    throw new Error('not a CertificateList');
  }
  if (signatureValue?.tag !== DerTag.BIT_STRING) throw new Error('CRL signature is not a BIT STRING');
  const outerOid = readChildren(der, outerAlgorithm)[0];
  if (!outerOid) throw new Error('CRL signature algorithm missing');
  const signatureAlgorithmOid = readOid(der, outerOid);

  const fields = readChildren(der, tbs);
  let i = 0;
  if (fields[i]?.tag === DerTag.INTEGER) i += 1; // version v2 (optional)
  const innerAlgorithm = fields[i++];
  if (innerAlgorithm?.tag !== DerTag.SEQUENCE) throw new Error('CRL tbsCertList has no signature algorithm');
  const innerOid = readChildren(der, innerAlgorithm)[0];
  // RFC 5280 §5.1.1.2: the two algorithm fields must match; a mismatch is a substitution attempt.
  if (!innerOid || readOid(der, innerOid) !== signatureAlgorithmOid) {
    throw new Error('CRL signature algorithm fields disagree');
  }
  const issuer = fields[i++];
  if (issuer?.tag !== DerTag.SEQUENCE) throw new Error('CRL issuer missing');
  const thisUpdateEl = fields[i++];
  if (!isTime(thisUpdateEl)) throw new Error('CRL thisUpdate missing');
  const thisUpdate = readTime(der, thisUpdateEl);
  let nextUpdate: Date | undefined;
  const maybeNext = fields[i];
  if (isTime(maybeNext)) {
    nextUpdate = readTime(der, maybeNext);
    i += 1;
  }
  const revokedSerials = new Set<string>();
  const maybeRevoked = fields[i];
  if (maybeRevoked?.tag === DerTag.SEQUENCE) {
    for (const entry of readChildren(der, maybeRevoked)) {
      const serial = readChildren(der, entry)[0];
      if (!serial) throw new Error('CRL entry without serial number');
      revokedSerials.add(readSerialHex(der, serial));
    }
  }

  const bits = contentBytes(der, signatureValue);
  // The first byte of a BIT STRING counts unused bits; signatures are whole bytes.
  if (bits.length < 2 || bits[0] !== 0) throw new Error('CRL signature BIT STRING is malformed');

  return {
    issuerDer: Buffer.from(elementBytes(der, issuer)),
    thisUpdate,
    ...(nextUpdate ? { nextUpdate } : {}),
    revokedSerials,
    tbsDer: Buffer.from(elementBytes(der, tbs)),
    signatureAlgorithmOid,
    signature: Buffer.from(bits.subarray(1)),
  };
}

function toDer(input: Buffer | string): Buffer {
  if (typeof input !== 'string' && !Buffer.isBuffer(input))
    throw invalidOptions('a CRL must be a Buffer or a string');
  if (input.length > MAX_CRL_BYTES * 2) throw new Error('CRL too large');
  // DER starts with a SEQUENCE tag; anything else is read as PEM text (which may carry a preamble).
  if (typeof input === 'string' || input[0] !== DerTag.SEQUENCE) {
    const text = typeof input === 'string' ? input : input.toString('latin1');
    const match = PEM_CRL.exec(throughLastMarker(text, '-----END X509 CRL-----'));
    if (!match?.[1]) throw new Error('no X509 CRL block in PEM');
    const der = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
    if (der.length > MAX_CRL_BYTES) throw new Error('CRL too large');
    return der;
  }
  if (input.length > MAX_CRL_BYTES) throw new Error('CRL too large');
  return input;
}
