import { generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

/** An RSA key pair in Node's form; RSA-2048 keeps every TLS stack and PKCS#12 reader happy. */
export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Generates keys with Node (native, on the thread pool): forge's pure-JS keygen is far slower. */
export async function generateRsaKeyPair(): Promise<KeyPair> {
  return generateKeyPairAsync('rsa', { modulusLength: 2048 });
}

/** PKCS#8 PEM of a private key. */
export function privateKeyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** What a new certificate says about itself. */
export interface CertificateSpec {
  /** The subject's CN; an empty string leaves the CN out (a subject of O only, or none at all). */
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  email?: string;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  /** Present for CA certificates. */
  ca?: { pathLength?: number };
  extendedKeyUsage?: Array<'serverAuth' | 'clientAuth'>;
  subjectAltNames?: string[];
  /** When absent the certificate is self-signed with `signingKey`. */
  issuer?: { certPem: string };
  signingKey: KeyObject;
}

/** A random positive serial number (RFC 5280: at most 20 octets). */
export function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex').toUpperCase();
}

interface ForgeTbsAccess {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

/**
 * Builds a certificate with forge and signs it with Node's crypto: forge only lays out the ASN.1,
 * which keeps private keys in Node and the signing native (a few ms instead of forge's RSA).
 */
export function createCertificate(spec: CertificateSpec, serialHex = randomSerialHex()): string {
  const cert = forge.pki.createCertificate();
  const spkiPem = spec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  cert.publicKey = forge.pki.publicKeyFromPem(spkiPem);
  cert.serialNumber = serialHex;
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  const subject: forge.pki.CertificateField[] = spec.commonName
    ? [{ shortName: 'CN', value: spec.commonName }]
    : [];
  if (spec.organization) subject.push({ shortName: 'O', value: spec.organization });
  if (spec.organizationalUnit) subject.push({ shortName: 'OU', value: spec.organizationalUnit });
  cert.setSubject(subject);

  const issuerCert = spec.issuer ? forge.pki.certificateFromPem(spec.issuer.certPem) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);

  const extensions: Array<Record<string, unknown>> = [];
  if (spec.ca) {
    const basic: Record<string, unknown> = { name: 'basicConstraints', cA: true, critical: true };
    if (spec.ca.pathLength !== undefined) basic['pathLenConstraint'] = spec.ca.pathLength;
    extensions.push(basic, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  } else {
    extensions.push(
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    );
  }
  if (spec.extendedKeyUsage?.length) {
    const eku: Record<string, unknown> = { name: 'extKeyUsage' };
    for (const usage of spec.extendedKeyUsage) eku[usage] = true;
    extensions.push(eku);
  }
  const altNames: Array<Record<string, unknown>> = [];
  for (const name of spec.subjectAltNames ?? []) {
    altNames.push(isIP(name) ? { type: 7, ip: name } : { type: 2, value: name });
  }
  if (spec.email) altNames.push({ type: 1, value: spec.email });
  if (altNames.length) extensions.push({ name: 'subjectAltName', altNames });
  extensions.push({ name: 'subjectKeyIdentifier' });
  const authorityKeyId = (issuerCert ?? cert).generateSubjectKeyIdentifier().getBytes();
  extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId });
  cert.setExtensions(extensions);

  cert.siginfo.algorithmOid = forge.pki.oids['sha256WithRSAEncryption'] ?? '1.2.840.113549.1.1.11';
  cert.signatureOid = cert.siginfo.algorithmOid;
  const tbs = (forge.pki as unknown as ForgeTbsAccess).getTBSCertificate(cert);
  cert.tbsCertificate = tbs;
  const der = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, spec.signingKey).toString('binary');
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

/** A PKCS#12 file holding the key, the certificate and its chain, protected with 3DES for broad readers. */
export function createPkcs12(keyPem: string, certPem: string, chainPems: string[], password: string): Buffer {
  const key = forge.pki.privateKeyFromPem(keyPem);
  const certs = [certPem, ...chainPems].map((pem) => forge.pki.certificateFromPem(pem));
  const p12 = forge.pkcs12.toPkcs12Asn1(key, certs, password, {
    algorithm: '3des',
    friendlyName: 'onbehalf',
  });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}
