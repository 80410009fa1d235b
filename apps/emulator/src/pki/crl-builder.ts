import { sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** One revoked certificate as listed in a CRL. */
export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
}

/** Inputs of one CRL issue. */
export interface CrlSpec {
  issuerCertPem: string;
  issuerKey: KeyObject;
  revoked: RevokedEntry[];
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber: number;
}

const { asn1 } = forge;
const SHA256_RSA = '1.2.840.113549.1.1.11';
const OID_CRL_NUMBER = '2.5.29.20';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';

function seq(values: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, values);
}

function time(date: Date): forge.asn1.Asn1 {
  // RFC 5280 §5.1.2.4: UTCTime through 2049, GeneralizedTime after.
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

function integerFromHex(hex: string): forge.asn1.Asn1 {
  let bytes = forge.util.hexToBytes(hex.length % 2 ? `0${hex}` : hex);
  if (bytes.charCodeAt(0) & 0x80) bytes = `\u0000${bytes}`;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, bytes);
}

function algorithm(): forge.asn1.Asn1 {
  return seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(SHA256_RSA).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
}

function extension(oid: string, valueDer: string): forge.asn1.Asn1 {
  return seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, valueDer),
  ]);
}

/**
 * Builds a DER X.509 v2 CRL (RFC 5280 §5). Neither Node nor forge writes CRLs, so the ASN.1 is laid
 * out here and signed with Node's crypto.
 */
export function buildCrl(spec: CrlSpec): Buffer {
  const issuer = forge.pki.certificateFromPem(spec.issuerCertPem);
  const revoked = spec.revoked.map((entry) => seq([integerFromHex(entry.serialHex), time(entry.revokedAt)]));
  const keyId = issuer.generateSubjectKeyIdentifier().getBytes();
  const akid = asn1.toDer(seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, keyId)])).getBytes();
  const crlNumber = asn1.toDer(integerFromHex(spec.crlNumber.toString(16))).getBytes();
  const tbsParts: forge.asn1.Asn1[] = [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    algorithm(),
    forge.pki.distinguishedNameToAsn1(issuer.subject),
    time(spec.thisUpdate),
    time(spec.nextUpdate),
  ];
  if (revoked.length) tbsParts.push(seq(revoked));
  tbsParts.push(
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      seq([extension(OID_AUTHORITY_KEY_ID, akid), extension(OID_CRL_NUMBER, crlNumber)]),
    ]),
  );
  const tbs = seq(tbsParts);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, spec.issuerKey);
  const crl = seq([
    tbs,
    algorithm(),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
  ]);
  return Buffer.from(asn1.toDer(crl).getBytes(), 'binary');
}
