import { generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/**
 * Test certificate authorities: keys from Node (fast), certificates from node-forge, CRLs built
 * with forge.asn1 and signed with Node. Nothing here is used outside tests.
 */

export interface TestKey {
  privateKey: KeyObject;
  privateKeyPem: string;
  publicKeyPem: string;
}

const keyCache = new Map<string, TestKey>();

/** An RSA key, cached by name so that each test file generates each role's key once. */
export function testKey(name: string, bits = 2048): TestKey {
  const id = `${name}/${bits}`;
  let key = keyCache.get(id);
  if (!key) {
    const pair = generateKeyPairSync('rsa', { modulusLength: bits });
    key = {
      privateKey: pair.privateKey,
      privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    keyCache.set(id, key);
  }
  return key;
}

export interface TestCert {
  pem: string;
  x509: X509Certificate;
  forgeCert: forge.pki.Certificate;
  key: TestKey;
  serialHex: string;
}

export interface IssueOptions {
  commonName: string;
  key: TestKey;
  /** Omit for a self-signed certificate. */
  issuer?: TestCert;
  /** Sign with this key instead of the issuer's (to forge a bad signature). */
  signingKey?: TestKey;
  notBefore?: Date;
  notAfter?: Date;
  /** CA:TRUE basicConstraints + keyCertSign. */
  ca?: boolean;
  /** Leave basicConstraints out entirely. */
  omitBasicConstraints?: boolean;
  /** Extended key usages; null omits the extension. Default clientAuth. */
  eku?: Array<'clientAuth' | 'serverAuth'> | null;
  /** Override the issuer name written into the certificate. */
  issuerName?: forge.pki.CertificateField[];
  md?: 'sha256' | 'sha1';
  /** DNS names and IP addresses for subjectAltName (TLS server certificates). */
  altNames?: { dns?: string[]; ip?: string[] };
  /** basicConstraints pathLenConstraint (with `ca`). */
  pathLen?: number;
  /** The subject's attributes; default O=Onbehalf Tests, CN=<commonName>. */
  subject?: forge.pki.CertificateField[];
  /** More extensions, as forge takes them (`{ id, critical, value }` for ones forge cannot build). */
  extraExtensions?: object[];
}

let serialCounter = 0x1000;
const DAY = 24 * 60 * 60 * 1000;

/** Issues a certificate (self-signed without `issuer`). */
export function issue(opts: IssueOptions): TestCert {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.key.publicKeyPem);
  serialCounter += 1;
  const serialHex = `01${serialCounter.toString(16).padStart(6, '0')}${Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
  cert.serialNumber = serialHex;
  cert.validity.notBefore = opts.notBefore ?? new Date(Date.now() - DAY);
  cert.validity.notAfter = opts.notAfter ?? new Date(Date.now() + 365 * DAY);
  const subject: forge.pki.CertificateField[] = opts.subject ?? [
    { name: 'organizationName', value: 'Onbehalf Tests' },
    { name: 'commonName', value: opts.commonName },
  ];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuerName ?? (opts.issuer ? opts.issuer.forgeCert.subject.attributes : subject));
  const extensions: object[] = [];
  if (!opts.omitBasicConstraints)
    extensions.push({
      name: 'basicConstraints',
      cA: opts.ca === true,
      critical: true,
      ...(opts.pathLen === undefined ? {} : { pathLenConstraint: opts.pathLen }),
    });
  extensions.push(
    opts.ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
  );
  const eku = opts.eku === undefined ? ['clientAuth'] : opts.eku;
  if (eku !== null && !opts.ca) {
    extensions.push({
      name: 'extKeyUsage',
      clientAuth: eku.includes('clientAuth'),
      serverAuth: eku.includes('serverAuth'),
    });
  }
  if (opts.altNames) {
    extensions.push({
      name: 'subjectAltName',
      altNames: [
        ...(opts.altNames.dns ?? []).map((value) => ({ type: 2, value })),
        ...(opts.altNames.ip ?? []).map((ip) => ({ type: 7, ip })),
      ],
    });
  }
  extensions.push({ name: 'subjectKeyIdentifier' }, ...(opts.extraExtensions ?? []));
  cert.setExtensions(extensions);
  const signer = opts.signingKey ?? opts.issuer?.key ?? opts.key;
  const md = opts.md === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create();
  cert.sign(forge.pki.privateKeyFromPem(signer.privateKeyPem), md);
  const pem = forge.pki.certificateToPem(cert);
  return { pem, x509: new X509Certificate(pem), forgeCert: cert, key: opts.key, serialHex };
}

export interface CrlOptions {
  issuer: TestCert;
  revoked?: TestCert[];
  thisUpdate?: Date;
  nextUpdate?: Date;
  /** Sign with another key (a forged CRL). */
  signingKey?: TestKey;
}

/** Builds a v2 CRL in DER. */
export function makeCrl(opts: CrlOptions): Buffer {
  const { asn1 } = forge;
  const U = asn1.Class.UNIVERSAL;
  const T = asn1.Type;
  const algorithm = asn1.create(U, T.SEQUENCE, true, [
    asn1.create(U, T.OID, false, asn1.oidToDer('1.2.840.113549.1.1.11').getBytes()),
    asn1.create(U, T.NULL, false, ''),
  ]);
  const fields: forge.asn1.Asn1[] = [
    asn1.create(U, T.INTEGER, false, String.fromCharCode(1)),
    algorithm,
    forge.pki.distinguishedNameToAsn1(opts.issuer.forgeCert.subject),
    asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(opts.thisUpdate ?? new Date(Date.now() - DAY))),
    asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(opts.nextUpdate ?? new Date(Date.now() + 7 * DAY))),
  ];
  const revoked = opts.revoked ?? [];
  if (revoked.length > 0) {
    fields.push(
      asn1.create(
        U,
        T.SEQUENCE,
        true,
        revoked.map((c) =>
          asn1.create(U, T.SEQUENCE, true, [
            asn1.create(U, T.INTEGER, false, forge.util.hexToBytes(c.serialHex)),
            asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(new Date(Date.now() - DAY))),
          ]),
        ),
      ),
    );
  }
  const tbs = asn1.create(U, T.SEQUENCE, true, fields);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, (opts.signingKey ?? opts.issuer.key).privateKey);
  const list = asn1.create(U, T.SEQUENCE, true, [
    tbs,
    algorithm,
    asn1.create(U, T.BITSTRING, false, String.fromCharCode(0) + signature.toString('binary')),
  ]);
  return Buffer.from(asn1.toDer(list).getBytes(), 'binary');
}

/** Converts DER to PEM with the given label. */
export function toPem(der: Buffer, label: string): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

export interface Hierarchy {
  root: TestCert;
  intermediate: TestCert;
  leaf: TestCert;
}

let hierarchy: Hierarchy | undefined;

/** The standard root → intermediate → leaf (clientAuth) hierarchy, built once per test file. */
export function standardHierarchy(): Hierarchy {
  if (!hierarchy) {
    const root = issue({
      commonName: 'Onbehalf Test Root',
      key: testKey('root'),
      ca: true,
      notAfter: new Date(Date.now() + 3650 * DAY),
    });
    const intermediate = issue({
      commonName: 'Onbehalf Test Intermediate',
      key: testKey('intermediate'),
      issuer: root,
      ca: true,
    });
    const leaf = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: intermediate });
    hierarchy = { root, intermediate, leaf };
  }
  return hierarchy;
}

/** A PKCS#12 of a certificate, its key and chain, made by node-forge. */
export function makePkcs12(
  leaf: TestCert,
  chain: TestCert[],
  password: string,
  algorithm: 'aes256' | '3des',
): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(leaf.key.privateKeyPem),
    [leaf.forgeCert, ...chain.map((c) => c.forgeCert)],
    password,
    { algorithm, friendlyName: 'service account' },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

export { DAY };
