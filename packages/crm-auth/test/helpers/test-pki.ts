import { generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/**
 * Test certificate authorities: keys from Node (fast), certificates from node-forge, CRLs built
 * with forge.asn1 and signed with Node; the name-constraint and subjectAltName extensions the chain
 * constraint specs put in them (forge.asn1), and minimal DER built by hand for the specs that feed
 * the constraint reader structures Node would not parse. Nothing here is used outside tests.
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

// --- chains for the constraint checks -----------------------------------------------------------

/** The leaf "ERP_Integration" (the cached leaf key) under `issuer`. */
export const leafUnder = (issuer: TestCert, extra: Partial<IssueOptions> = {}): TestCert =>
  issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer, ...extra });

/** A CA certificate named `commonName`, with a key of that name, under `issuer`. */
export const caUnder = (issuer: TestCert, commonName: string, extra: Partial<IssueOptions> = {}): TestCert =>
  issue({ commonName, key: testKey(commonName), issuer, ca: true, ...extra });

// --- name constraints and subjectAltName, with forge.asn1 ---------------------------------------

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const CTX = asn1.Class.CONTEXT_SPECIFIC;

/** One RDN: its attributes as [type OID, value, ASN.1 string type (PrintableString unless given)]. */
export type Rdn = Array<[oid: string, value: string, type?: number]>;
export const O = '2.5.4.10';
export const CN = '2.5.4.3';

/** A Name; each RDN a SET of its attributes (several make a multi-valued RDN). */
export function nameAsn1(rdns: Rdn[]): forge.asn1.Asn1 {
  return asn1.create(
    U,
    asn1.Type.SEQUENCE,
    true,
    rdns.map((rdn) =>
      asn1.create(
        U,
        asn1.Type.SET,
        true,
        rdn.map(([oid, value, type]) =>
          asn1.create(U, asn1.Type.SEQUENCE, true, [
            asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
            asn1.create(U, type ?? asn1.Type.PRINTABLESTRING, false, value),
          ]),
        ),
      ),
    ),
  );
}

export type GeneralName =
  { dns: string } | { dn: Rdn[] } | { email: string } | { ip: string } | { raw: forge.asn1.Asn1 };

export function generalName(gn: GeneralName): forge.asn1.Asn1 {
  if ('raw' in gn) return gn.raw;
  if ('dns' in gn) return asn1.create(CTX, 2, false, gn.dns);
  if ('email' in gn) return asn1.create(CTX, 1, false, gn.email);
  if ('ip' in gn) return asn1.create(CTX, 7, false, gn.ip);
  return asn1.create(CTX, 4, true, [nameAsn1(gn.dn)]);
}

export interface SubtreeSpec {
  permitted?: GeneralName[];
  excluded?: GeneralName[];
  critical?: boolean;
  /** Extra fields after the base of every subtree (minimum / maximum). */
  range?: forge.asn1.Asn1[];
}

/** A nameConstraints extension as forge takes it (critical unless said otherwise). */
export function nameConstraints(spec: SubtreeSpec): object {
  const subtrees = (tag: number, names: GeneralName[]) =>
    asn1.create(
      CTX,
      tag,
      true,
      names.map((n) => asn1.create(U, asn1.Type.SEQUENCE, true, [generalName(n), ...(spec.range ?? [])])),
    );
  const parts: forge.asn1.Asn1[] = [];
  if (spec.permitted) parts.push(subtrees(0, spec.permitted));
  if (spec.excluded) parts.push(subtrees(1, spec.excluded));
  return {
    id: '2.5.29.30',
    critical: spec.critical ?? true,
    value: asn1.create(U, asn1.Type.SEQUENCE, true, parts),
  };
}

/** A subjectAltName extension of these names, as forge takes it. */
export function subjectAltName(names: GeneralName[]): object {
  return { id: '2.5.29.17', value: asn1.create(U, asn1.Type.SEQUENCE, true, names.map(generalName)) };
}

/** A CA under the standard root with these name constraints. */
export const constrainedCa = (spec: SubtreeSpec, commonName = 'Constrained CA'): TestCert =>
  caUnder(standardHierarchy().root, commonName, { extraExtensions: [nameConstraints(spec)] });

/** The leaf under `issuer` with these DNS names as subjectAltName. */
export const withDns = (issuer: TestCert, ...dns: string[]): TestCert =>
  leafUnder(issuer, { altNames: { dns } });

// --- minimal DER, by hand -----------------------------------------------------------------------

/** One DER element: tag, definite length (short or long form), content. */
export function tlv(tag: number, ...content: Array<Buffer | number[]>): Buffer {
  const body = Buffer.concat(content.map((c) => (Buffer.isBuffer(c) ? c : Buffer.from(c))));
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

export const seq = (...content: Buffer[]): Buffer => tlv(0x30, ...content);
export const set = (...content: Buffer[]): Buffer => tlv(0x31, ...content);
/** An INTEGER of exactly these content bytes. */
export const integer = (...bytes: number[]): Buffer => tlv(0x02, bytes);
export const printable = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'latin1'));

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const out = [first * 40 + second];
  for (const arc of rest) {
    const sub = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) sub.unshift((v & 0x7f) | 0x80);
    out.push(...sub);
  }
  return tlv(0x06, Buffer.from(out));
}

export { DAY };
