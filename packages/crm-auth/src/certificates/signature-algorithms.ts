/**
 * Signature algorithm OIDs that certificates and CRLs use, mapped to the digest name Node's
 * `crypto.verify` takes. Internal to the certificates folder.
 */

interface SignatureAlgorithm {
  /** Digest for `crypto.verify`; null for algorithms with a built-in digest (Ed25519, Ed448). */
  digest: string | null;
  /** True for SHA-1 (and weaker) signatures, which collide in practice. */
  weak: boolean;
  name: string;
}

const ALGORITHMS: Readonly<Record<string, SignatureAlgorithm>> = {
  '1.2.840.113549.1.1.4': { digest: 'md5', weak: true, name: 'md5WithRSAEncryption' },
  '1.2.840.113549.1.1.5': { digest: 'sha1', weak: true, name: 'sha1WithRSAEncryption' },
  '1.2.840.113549.1.1.11': { digest: 'sha256', weak: false, name: 'sha256WithRSAEncryption' },
  '1.2.840.113549.1.1.12': { digest: 'sha384', weak: false, name: 'sha384WithRSAEncryption' },
  '1.2.840.113549.1.1.13': { digest: 'sha512', weak: false, name: 'sha512WithRSAEncryption' },
  '1.2.840.10045.4.1': { digest: 'sha1', weak: true, name: 'ecdsa-with-SHA1' },
  '1.2.840.10045.4.3.2': { digest: 'sha256', weak: false, name: 'ecdsa-with-SHA256' },
  '1.2.840.10045.4.3.3': { digest: 'sha384', weak: false, name: 'ecdsa-with-SHA384' },
  '1.2.840.10045.4.3.4': { digest: 'sha512', weak: false, name: 'ecdsa-with-SHA512' },
  '1.3.101.112': { digest: null, weak: false, name: 'Ed25519' },
  '1.3.101.113': { digest: null, weak: false, name: 'Ed448' },
};

/** Looks up a signature algorithm OID; undefined when crm-auth cannot verify it (e.g. RSASSA-PSS). */
export function signatureAlgorithm(oid: string): SignatureAlgorithm | undefined {
  return Object.prototype.hasOwnProperty.call(ALGORITHMS, oid) ? ALGORITHMS[oid] : undefined;
}
