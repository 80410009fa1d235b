/**
 * What {@link CertificateBundle.validate} reports: every problem found with a service-account
 * certificate and its chain, not only the first.
 */

/** The closed set of problem codes a {@link CertificateReport} can list. */
export type CertificateProblemCode =
  | 'KEY_MISMATCH' // the private key does not belong to the certificate
  | 'EXPIRED' // the certificate's notAfter has passed
  | 'NOT_YET_VALID' // the certificate's notBefore is in the future
  | 'EXPIRING_SOON' // warning: notAfter falls within the configured window
  | 'NO_CLIENT_AUTH' // extended key usage present without TLS client authentication
  | 'NO_EXTENDED_KEY_USAGE' // warning: no extended key usage at all (any use allowed, yet unusual)
  | 'UNTRUSTED_ROOT' // the chain ends at a self-signed root that is not a supported root
  | 'CHAIN_INCOMPLETE' // an issuer certificate is neither in the bundle nor among the roots' certificates
  | 'CHAIN_TOO_LONG' // more links than the depth cap
  | 'CHAIN_LOOP' // the only issuers found are already in the chain
  | 'ISSUER_NOT_CA' // a certificate in the chain was signed by one that may not sign certificates (cA false or absent)
  | 'PATH_LENGTH_EXCEEDED' // more intermediate CAs below a CA than its pathLenConstraint allows (RFC 5280 §4.2.1.9)
  | 'NAME_NOT_PERMITTED' // a subject or alt name outside a CA's permittedSubtrees (RFC 5280 §4.2.1.10)
  | 'NAME_EXCLUDED' // a subject or alt name inside a CA's excludedSubtrees (RFC 5280 §4.2.1.10)
  | 'NAME_CONSTRAINTS_UNSUPPORTED' // a CA constrains a name form not checked here: error when critical, else warning
  | 'CONSTRAINTS_UNREADABLE' // a certificate's extensions cannot be read, so its constraints cannot be checked
  | 'BAD_SIGNATURE' // a signature in the chain does not verify
  | 'CHAIN_CERT_EXPIRED' // an intermediate or root has expired
  | 'CHAIN_CERT_NOT_YET_VALID' // an intermediate or root is not yet valid
  | 'REVOKED' // a supplied CRL lists the certificate's serial number
  | 'CRL_MISSING' // requireCrl was set and no usable CRL covers a link
  | 'CRL_STALE' // a CRL's nextUpdate has passed (fail closed: it may miss revocations)
  | 'CRL_INVALID' // a CRL is unreadable, badly signed or not yet valid
  | 'CRL_UNUSED' // warning: a CRL was issued by no certificate in the chain
  | 'KEY_TOO_SHORT' // RSA shorter than 2048 bits; a warning instead when allowLegacyRsaKeys admits it (1024 or more)
  | 'WEAK_KEY' // warning: an EC key on a curve shorter than 256 bits
  | 'SHA1_SIGNATURE'; // warning: a certificate in the chain is signed with SHA-1 (or MD5)

/** One problem in a {@link CertificateReport}. */
export interface CertificateProblem {
  code: CertificateProblemCode;
  /** `error` problems make the report not ok; `warning` problems are shown but allowed. */
  severity: 'error' | 'warning';
  /** For people; names the certificate concerned. Never the contract. */
  message: string;
}

/** One certificate of the chain as built, leaf first. */
export interface CertificateChainLink {
  subject: string;
  issuer: string;
  thumbprintSha1Hex: string;
  thumbprintSha1Base64: string;
  notBefore: Date;
  notAfter: Date;
  /** Self-signed. */
  isRoot: boolean;
  /** Its SHA-1 thumbprint is one of the supported roots. */
  isPinned: boolean;
}

/** The result of validating a certificate bundle. */
export interface CertificateReport {
  /** No problem of severity `error`. */
  ok: boolean;
  /** `invalid` with any error; otherwise `expiring` when EXPIRING_SOON is listed; otherwise `valid`. */
  status: 'valid' | 'expiring' | 'invalid';
  problems: CertificateProblem[];
  /** The chain as far as it could be built, leaf first. */
  chain: CertificateChainLink[];
}
