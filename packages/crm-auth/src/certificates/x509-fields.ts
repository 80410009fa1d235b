import { DerTag, elementBytes, readChildren, readOid, readRoot } from './der-reader';

/**
 * Fields of an X.509 certificate that Node's `X509Certificate` does not expose on Node 20: the
 * signature algorithm and the exact DER of the issuer and subject Names (a CRL names its issuer
 * by that encoding). Internal to the certificates folder.
 */
export interface RawCertificateFields {
  signatureAlgorithmOid: string;
  issuerDer: Buffer;
  subjectDer: Buffer;
}

/** Reads {@link RawCertificateFields} from a DER certificate. Throws DerError on malformed input. */
export function readCertificateFields(der: Buffer): RawCertificateFields {
  const root = readRoot(der);
  const [tbs, algorithm] = readChildren(der, root);
  if (tbs?.tag !== DerTag.SEQUENCE || algorithm?.tag !== DerTag.SEQUENCE)
    throw new Error('not a certificate');
  const algorithmOid = readChildren(der, algorithm)[0];
  if (!algorithmOid) throw new Error('not a certificate');
  const fields = readChildren(der, tbs);
  // tbsCertificate: [0] version (optional), serial, signature, issuer, validity, subject, …
  const base = fields[0]?.tag === DerTag.CONTEXT_0 ? 1 : 0;
  const issuer = fields[base + 2];
  const subject = fields[base + 4];
  if (issuer?.tag !== DerTag.SEQUENCE || subject?.tag !== DerTag.SEQUENCE)
    throw new Error('not a certificate');
  return {
    signatureAlgorithmOid: readOid(der, algorithmOid),
    issuerDer: Buffer.from(elementBytes(der, issuer)),
    subjectDer: Buffer.from(elementBytes(der, subject)),
  };
}
