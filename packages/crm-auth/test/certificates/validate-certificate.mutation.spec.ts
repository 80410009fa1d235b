/**
 * Mutation-testing additions (stryker/README.md) for certificate validation: the exact bounds of
 * the validity and CRL windows, which certificate each problem names, the option checks, the
 * path-building edges (pinned cross-certificates, forged pinned roots, the depth cap, a CA whose
 * key usage forbids signing), CRL reading edge by edge, and EC / RSA-PSS keys.
 */
import { generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { isCrmAuthError } from '../../src/errors';
import type { CertificateProblemCode, CertificateReport } from '../../src/certificates/certificate-report';
import { MAX_CRL_BYTES, parseCrl } from '../../src/certificates/parse-crl';
import { signatureAlgorithm } from '../../src/certificates/signature-algorithms';
import { supportedRootFromPem, type SupportedRoot } from '../../src/certificates/supported-roots';
import {
  commonNameOf,
  describe as describeCert,
  validateCertificate,
  type ValidateCertificateOptions,
} from '../../src/certificates/validate-certificate';
import {
  DAY,
  issue,
  makeCrl,
  standardHierarchy,
  testKey,
  toPem,
  type TestCert,
  type TestKey,
} from '../helpers/test-pki';
import { INVALID_OPTIONS, invalidOptions } from '../helpers/invalid-options';

const { root, intermediate, leaf } = standardHierarchy();
const roots: SupportedRoot[] = [supportedRootFromPem('Onbehalf Test Root', root.pem)];

function validate(
  cert: TestCert | X509Certificate,
  chain: Array<TestCert | X509Certificate>,
  options: Partial<ValidateCertificateOptions> = {},
): CertificateReport {
  const x = (c: TestCert | X509Certificate): X509Certificate => (c instanceof X509Certificate ? c : c.x509);
  return validateCertificate({ certificate: x(cert), chain: chain.map(x) }, { roots, ...options });
}

const codesOf = (report: CertificateReport): CertificateProblemCode[] => report.problems.map((p) => p.code);
const problem = (report: CertificateReport, code: CertificateProblemCode) =>
  report.problems.find((p) => p.code === code);

/** Second precision, as certificates store it. */
const wholeSecond = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

/** A copy of `cert` with other extensions, signed again by `signer`. */
function withExtensions(cert: TestCert, extensions: object[], signer: TestKey): X509Certificate {
  const copy = forge.pki.certificateFromPem(cert.pem);
  copy.setExtensions(extensions);
  copy.sign(forge.pki.privateKeyFromPem(signer.privateKeyPem), forge.md.sha256.create());
  return new X509Certificate(forge.pki.certificateToPem(copy));
}

/** A copy of `cert` carrying `spkiDer` as its public key, signed (sha256WithRSA) by `signer`. */
function withPublicKey(cert: TestCert, spkiDer: Buffer, signer: TestKey): X509Certificate {
  const { asn1 } = forge;
  // forge has getTBSCertificate at runtime; its type definitions leave it out.
  const pki = forge.pki as typeof forge.pki & {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  const tbs = pki.getTBSCertificate(forge.pki.certificateFromPem(cert.pem));
  (tbs.value as forge.asn1.Asn1[])[6] = asn1.fromDer(spkiDer.toString('binary'));
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, signer.privateKey);
  const algorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.OID,
      false,
      asn1.oidToDer('1.2.840.113549.1.1.11').getBytes(),
    ),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
  ]);
  return new X509Certificate(Buffer.from(asn1.toDer(certificate).getBytes(), 'binary'));
}

describe('validateCertificate: the certificate validity window, bound by bound', { timeout: 30_000 }, () => {
  const from = wholeSecond(Date.now() + 10 * DAY);
  const to = wholeSecond(Date.now() + 200 * DAY);
  const later = issue({
    commonName: 'ERP_Integration',
    key: testKey('leaf'),
    issuer: intermediate,
    notBefore: from,
    notAfter: to,
  });

  it('is valid at the very second of notBefore, and not yet valid one second before', () => {
    expect(validate(later, [intermediate], { now: from }).problems).toEqual([]);
    const report = validate(later, [intermediate], { now: new Date(from.getTime() - 1000) });
    expect(codesOf(report)).toEqual(['NOT_YET_VALID']);
    expect(problem(report, 'NOT_YET_VALID')?.message).toBe(
      `"ERP_Integration" is not valid before ${from.toISOString()}`,
    );
  });

  it('is still usable (expiring) at the very second of notAfter, and expired one second after', () => {
    const atEnd = validate(later, [intermediate], { now: to });
    expect(codesOf(atEnd)).toEqual(['EXPIRING_SOON']);
    expect(atEnd).toMatchObject({ ok: true, status: 'expiring' });
    const after = validate(later, [intermediate], { now: new Date(to.getTime() + 1000) });
    expect(codesOf(after)).toEqual(['EXPIRED']);
    expect(problem(after, 'EXPIRED')?.message).toBe(`"ERP_Integration" expired on ${to.toISOString()}`);
  });

  it('warns exactly when the time left is within expiringWithinDays, the bound included', () => {
    const atWindow = new Date(to.getTime() - 30 * DAY);
    const report = validate(later, [intermediate], { now: atWindow });
    expect(report.problems).toEqual([
      {
        code: 'EXPIRING_SOON',
        severity: 'warning',
        message: `"ERP_Integration" expires on ${to.toISOString()}`,
      },
    ]);
    expect(validate(later, [intermediate], { now: new Date(atWindow.getTime() - 1000) }).status).toBe(
      'valid',
    );
    // 0 days: only the last instant warns.
    expect(validate(later, [intermediate], { now: from, expiringWithinDays: 0 }).status).toBe('valid');
    expect(validate(later, [intermediate], { now: to, expiringWithinDays: 0 }).status).toBe('expiring');
  });

  it('reports validity problems of a chain certificate at its own bounds, naming it', () => {
    const intFrom = wholeSecond(Date.now() + 5 * DAY);
    const futureInt = issue({
      commonName: 'Future Intermediate',
      key: testKey('intermediate'),
      issuer: root,
      ca: true,
      notBefore: intFrom,
    });
    const child = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: futureInt,
      notBefore: new Date(Date.now() - DAY),
    });
    const before = validate(child, [futureInt]);
    expect(codesOf(before)).toEqual(['CHAIN_CERT_NOT_YET_VALID']);
    expect(problem(before, 'CHAIN_CERT_NOT_YET_VALID')?.message).toBe(
      `"Future Intermediate" in the chain is not valid before ${intFrom.toISOString()}`,
    );
    expect(codesOf(validate(child, [futureInt], { now: intFrom }))).toEqual([]);

    const intTo = new Date(intermediate.x509.validTo);
    const atEnd = validate(leaf, [intermediate], { now: intTo });
    expect(codesOf(atEnd)).not.toContain('CHAIN_CERT_EXPIRED');
    const after = validate(leaf, [intermediate], { now: new Date(intTo.getTime() + 1000) });
    expect(problem(after, 'CHAIN_CERT_EXPIRED')?.message).toBe(
      `"Onbehalf Test Intermediate" in the chain expired on ${intTo.toISOString()}`,
    );
  });
});

describe('validateCertificate: key and extended key usage', { timeout: 30_000 }, () => {
  it('checks the key only when one is given: without a private key there is no KEY_MISMATCH', () => {
    expect(validate(leaf, [intermediate]).problems).toEqual([]);
    const report = validateCertificate(
      { certificate: leaf.x509, chain: [intermediate.x509], privateKey: testKey('stranger').privateKey },
      { roots },
    );
    expect(report.problems).toEqual([
      {
        code: 'KEY_MISMATCH',
        severity: 'error',
        message: 'the private key does not belong to "ERP_Integration"',
      },
    ]);
    const matching = validateCertificate(
      { certificate: leaf.x509, chain: [intermediate.x509], privateKey: leaf.key.privateKey },
      { roots },
    );
    expect(matching.problems).toEqual([]);
  });

  it('treats an empty extended key usage list like a missing one (a warning, not an error)', () => {
    const emptyEku = withExtensions(
      issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: intermediate }),
      [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage' },
      ],
      intermediate.key,
    );
    expect(emptyEku.keyUsage).toEqual([]);
    const report = validate(emptyEku, [intermediate]);
    expect(report).toMatchObject({ ok: true, status: 'valid' });
    expect(report.problems).toEqual([
      {
        code: 'NO_EXTENDED_KEY_USAGE',
        severity: 'warning',
        message: '"ERP_Integration" has no extended key usage; clientAuth is expected',
      },
    ]);
  });

  it('accepts anyExtendedKeyUsage in place of clientAuth, and names the certificate without clientAuth', () => {
    const anyEku = withExtensions(
      issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: intermediate }),
      [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        {
          id: '2.5.29.37',
          value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [
            forge.asn1.create(
              forge.asn1.Class.UNIVERSAL,
              forge.asn1.Type.OID,
              false,
              forge.asn1.oidToDer('2.5.29.37.0').getBytes(),
            ),
          ]),
        },
      ],
      intermediate.key,
    );
    expect(anyEku.keyUsage).toEqual(['2.5.29.37.0']);
    expect(validate(anyEku, [intermediate]).problems).toEqual([]);

    const serverOnly = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      eku: ['serverAuth'],
    });
    expect(validate(serverOnly, [intermediate]).problems).toEqual([
      {
        code: 'NO_CLIENT_AUTH',
        severity: 'error',
        message:
          '"ERP_Integration" is not allowed for TLS client authentication (no clientAuth extended key usage)',
      },
    ]);
  });

  it('refuses an RSA key under 2048 bits with its size, and not one of exactly 2048', () => {
    const weak = issue({ commonName: 'ERP_Integration', key: testKey('weak', 1024), issuer: intermediate });
    expect(validate(weak, [intermediate]).problems).toEqual([
      {
        code: 'KEY_TOO_SHORT',
        severity: 'error',
        message: '"ERP_Integration" has a 1024-bit RSA key (2048 or more required)',
      },
    ]);
    expect(leaf.x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(validate(leaf, [intermediate]).problems).toEqual([]);
  });

  it('refuses a short RSA-PSS key as any RSA key', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 1024 });
    const cert = withPublicKey(
      issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: intermediate }),
      pss.publicKey.export({ type: 'spki', format: 'der' }),
      intermediate.key,
    );
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa-pss');
    expect(codesOf(validate(cert, [intermediate]))).toEqual(['KEY_TOO_SHORT']);
  });

  it('warns about weak EC curves by name and accepts P-256', () => {
    const ecLeaf = (curve: string): X509Certificate =>
      withPublicKey(
        issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: intermediate }),
        generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ type: 'spki', format: 'der' }),
        intermediate.key,
      );
    expect(validate(ecLeaf('secp224r1'), [intermediate]).problems).toEqual([
      { code: 'WEAK_KEY', severity: 'warning', message: '"ERP_Integration" has a weak EC curve (secp224r1)' },
    ]);
    expect(codesOf(validate(ecLeaf('prime192v1'), [intermediate]))).toEqual(['WEAK_KEY']);
    expect(validate(ecLeaf('prime256v1'), [intermediate]).problems).toEqual([]);
    expect(validate(ecLeaf('secp384r1'), [intermediate]).problems).toEqual([]);
  });
});

describe('validateCertificate: SHA-1 signatures', { timeout: 30_000 }, () => {
  it('ignores SHA-1 on the self-signature of a pinned root, and names a SHA-1 signed intermediate', () => {
    const sha1Root = issue({ commonName: 'SHA1 Root', key: testKey('root'), ca: true, md: 'sha1' });
    const sha1Int = issue({
      commonName: 'SHA1 Intermediate',
      key: testKey('intermediate'),
      issuer: sha1Root,
      ca: true,
      md: 'sha1',
    });
    const child = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: sha1Int });
    const pinned = [supportedRootFromPem('SHA1 Root', sha1Root.pem)];
    const report = validate(child, [sha1Int], { roots: pinned });
    expect(report.problems).toEqual([
      {
        code: 'SHA1_SIGNATURE',
        severity: 'warning',
        message: '"SHA1 Intermediate" is signed with sha1WithRSAEncryption',
      },
    ]);
    expect(report.chain).toHaveLength(3);
  });

  it('flags SHA-1 on a self-signed root that is not pinned (nothing else vouches for it)', () => {
    const sha1Root = issue({ commonName: 'Unpinned SHA1 Root', key: testKey('root'), ca: true, md: 'sha1' });
    const child = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: sha1Root });
    expect(codesOf(validate(child, [sha1Root])).sort()).toEqual(['SHA1_SIGNATURE', 'UNTRUSTED_ROOT']);
  });
});

describe('validateCertificate: building the path', { timeout: 30_000 }, () => {
  it('describes each link: subject, issuer, thumbprints, validity, root and pin flags', () => {
    const report = validate(leaf, [intermediate]);
    const link = report.chain[0];
    expect(link).toEqual({
      subject: leaf.x509.subject,
      issuer: leaf.x509.issuer,
      thumbprintSha1Hex: leaf.x509.fingerprint.toLowerCase().replace(/:/g, ' '),
      thumbprintSha1Base64: Buffer.from(leaf.x509.fingerprint.replace(/:/g, ''), 'hex')
        .toString('base64')
        .replace(/=+$/, ''),
      notBefore: new Date(leaf.x509.validFrom),
      notAfter: new Date(leaf.x509.validTo),
      isRoot: false,
      isPinned: false,
    });
    expect(report.chain[2]).toMatchObject({
      subject: root.x509.subject,
      issuer: root.x509.subject,
      isRoot: true,
      isPinned: true,
    });
  });

  it('keeps walking past a pinned certificate that is not self-signed (a cross-certificate)', () => {
    const pinnedIntermediate = [{ name: 'int', thumbprintSha1Hex: intermediate.x509.fingerprint }];
    const report = validate(leaf, [intermediate, root], { roots: pinnedIntermediate });
    expect(codesOf(report)).toEqual(['UNTRUSTED_ROOT']);
    expect(problem(report, 'UNTRUSTED_ROOT')?.message).toBe(
      'the chain ends at "Onbehalf Test Root", which is not a supported root',
    );
    expect(report.chain.map((l) => [l.isRoot, l.isPinned])).toEqual([
      [false, false],
      [false, true],
      [true, false],
    ]);
  });

  it('refuses a pinned self-issued certificate whose self-signature does not verify', () => {
    const fakeRoot = issue({
      commonName: 'Fake Root',
      key: testKey('fake-root'),
      ca: true,
      signingKey: testKey('rogue'),
    });
    const child = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: fakeRoot });
    const pinned = [{ name: 'fake', thumbprintSha1Hex: fakeRoot.x509.fingerprint }];
    const report = validate(child, [fakeRoot], { roots: pinned });
    expect(report.problems).toEqual([
      {
        code: 'BAD_SIGNATURE',
        severity: 'error',
        message: 'the self-signature of the supported root "Fake Root" does not verify',
      },
    ]);
    expect(report.chain.map((l) => [l.isRoot, l.isPinned])).toEqual([
      [false, false],
      [false, true],
    ]);
  });

  describe('the depth cap of 8 certificates', () => {
    // One tower shared by both tests, built on first use: root, Deep 1 … Deep 7; an 8-certificate
    // chain ends under Deep 6, a 9-certificate one under Deep 7.
    let built: { top: TestCert; tower: TestCert[] } | undefined;
    const chainUnder = (depth: number) => {
      if (!built) {
        const top = issue({ commonName: 'Deep Root', key: testKey('deep-root'), ca: true });
        const tower: TestCert[] = [];
        let issuer = top;
        for (let i = 1; i <= 7; i += 1) {
          issuer = issue({ commonName: `Deep ${i}`, key: testKey('deep-int'), issuer, ca: true });
          tower.push(issuer);
        }
        built = { top, tower };
      }
      const { top, tower } = built;
      const end = issue({
        commonName: 'ERP_Integration',
        key: testKey('leaf'),
        issuer: tower[depth - 1] as TestCert,
      });
      return validate(end, [...tower, top], { roots: [supportedRootFromPem('deep', top.pem)] });
    };

    it('accepts a chain of exactly 8 certificates', () => {
      const report = chainUnder(6);
      expect(report.problems).toEqual([]);
      expect(report.chain).toHaveLength(8);
    });

    it('stops at 8 certificates when the root would be the 9th', () => {
      const report = chainUnder(7);
      expect(report.problems).toEqual([
        { code: 'CHAIN_TOO_LONG', severity: 'error', message: 'the chain is longer than 8 certificates' },
      ]);
      expect(report.chain).toHaveLength(8);
    });
  });

  it('names the certificate whose issuer is missing, and the issuer name on one line', () => {
    const report = validate(leaf, []);
    expect(report.problems).toEqual([
      {
        code: 'CHAIN_INCOMPLETE',
        severity: 'error',
        message:
          'the issuer of "ERP_Integration" (O=Onbehalf Tests, CN=Onbehalf Test Intermediate) is neither in the bundle nor a supported root with a certificate',
      },
    ]);
  });

  it('names the certificate whose signature does not verify', () => {
    const forged = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      signingKey: testKey('rogue'),
    });
    expect(validate(forged, [intermediate]).problems).toEqual([
      {
        code: 'BAD_SIGNATURE',
        severity: 'error',
        message: 'the signature of "ERP_Integration" does not verify with the key of its issuer',
      },
    ]);
  });

  it('reports a CA certificate whose key usage leaves out keyCertSign as not a CA', () => {
    const noCertSign = withExtensions(
      issue({ commonName: 'Signing-less CA', key: testKey('intermediate'), issuer: root, ca: true }),
      [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ],
      root.key,
    );
    const child = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuerName: [
        { name: 'organizationName', value: 'Onbehalf Tests' },
        { name: 'commonName', value: 'Signing-less CA' },
      ],
      signingKey: testKey('intermediate'),
    });
    const report = validate(child, [noCertSign]);
    expect(codesOf(report)).toEqual(['ISSUER_NOT_CA']);
    expect(report.chain).toHaveLength(3);
  });

  it("refuses as issuer a CA that the certificate's authority key identifier does not name", () => {
    const wrongAkid = withExtensions(
      issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: intermediate }),
      [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
        { name: 'authorityKeyIdentifier', keyIdentifier: 'not the key id of the CA' },
      ],
      intermediate.key,
    );
    const report = validate(wrongAkid, [intermediate]);
    expect(report.problems).toEqual([
      {
        code: 'ISSUER_NOT_CA',
        severity: 'error',
        message:
          '"Onbehalf Test Intermediate" may not sign certificates (key usage or key identifiers do not allow it)',
      },
    ]);
    expect(report.chain).toHaveLength(3);
  });

  it('names both the certificate and the leaf that signed it when a leaf acts as a CA', () => {
    const rogue = issue({ commonName: 'Rogue', key: testKey('rogue'), issuer: leaf });
    const report = validate(rogue, [leaf, intermediate]);
    expect(problem(report, 'ISSUER_NOT_CA')?.message).toBe(
      '"Rogue" is signed by "ERP_Integration", which is not a CA (no basicConstraints CA:TRUE)',
    );
  });

  it('names the certificate where a loop closes', () => {
    const nameA = [
      { name: 'organizationName', value: 'Onbehalf Tests' },
      { name: 'commonName', value: 'Loop A' },
    ];
    const nameB = [
      { name: 'organizationName', value: 'Onbehalf Tests' },
      { name: 'commonName', value: 'Loop B' },
    ];
    const a = issue({
      commonName: 'Loop A',
      key: testKey('loop-a'),
      ca: true,
      issuerName: nameB,
      signingKey: testKey('loop-b'),
    });
    const b = issue({
      commonName: 'Loop B',
      key: testKey('loop-b'),
      ca: true,
      issuerName: nameA,
      signingKey: testKey('loop-a'),
    });
    const child = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: a });
    expect(validate(child, [a, b]).problems).toEqual([
      {
        code: 'CHAIN_LOOP',
        severity: 'error',
        message: 'the issuer of "Loop B" is already in the chain (a loop)',
      },
    ]);
  });

  it('does not call a certificate a root because it verifies with its own key: its issuer name must be its own', () => {
    const selfKeyed = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuerName: intermediate.forgeCert.subject.attributes,
      signingKey: testKey('leaf'),
    });
    const report = validate(selfKeyed, [intermediate]);
    expect(codesOf(report)).toEqual(['BAD_SIGNATURE']);
    expect(report.chain.map((l) => l.isRoot)).toEqual([false]);
  });

  it('reads a certificate supplied twice as one: a self-named CA that did not sign itself has no issuer, not a loop', () => {
    const selfNamed = issue({
      commonName: 'Self Named CA',
      key: testKey('fake-root'),
      ca: true,
      signingKey: testKey('rogue'),
    });
    const child = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: selfNamed });
    const twice = [new X509Certificate(selfNamed.pem), new X509Certificate(selfNamed.pem)];
    const report = validate(child, twice);
    expect(codesOf(report)).toEqual(['CHAIN_INCOMPLETE']);
    expect(report.chain).toHaveLength(2);
  });

  it('uses a certificate supplied twice once, and takes a root certificate given in the options', () => {
    const report = validate(leaf, [intermediate, intermediate, root]);
    expect(report.problems).toEqual([]);
    expect(report.chain).toHaveLength(3);
  });

  it('names a certificate without a CN by its whole subject on one line, and a CN by the last one', () => {
    const noCn = forge.pki.createCertificate();
    const key = testKey('no-cn');
    noCn.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
    noCn.serialNumber = '0badc0de';
    noCn.validity.notBefore = new Date(Date.now() - DAY);
    noCn.validity.notAfter = new Date(Date.now() + DAY);
    const name = [
      { name: 'organizationName', value: 'Onbehalf Tests' },
      { name: 'organizationalUnitName', value: 'No Name' },
    ];
    noCn.setSubject(name);
    noCn.setIssuer(name);
    noCn.sign(forge.pki.privateKeyFromPem(key.privateKeyPem), forge.md.sha256.create());
    const cert = new X509Certificate(forge.pki.certificateToPem(noCn));
    expect(describeCert(cert)).toBe('"O=Onbehalf Tests, OU=No Name"');
    expect(describeCert(leaf.x509)).toBe('"ERP_Integration"');
    expect(commonNameOf('CN=first\nO=x\nCN=second')).toBe('second');
    expect(commonNameOf('O=x\nOU=CN=not a cn')).toBeUndefined();
  });
});

describe('validateCertificate: report status', { timeout: 30_000 }, () => {
  it('is valid (not expiring) with warnings other than EXPIRING_SOON, and invalid with any error', () => {
    const weak = issue({ commonName: 'ERP_Integration', key: testKey('weak', 1024), issuer: intermediate });
    expect(validate(weak, [intermediate], { allowLegacyRsaKeys: true })).toMatchObject({
      ok: true,
      status: 'valid',
    });
    const soonAndBroken = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      eku: ['serverAuth'],
      notAfter: new Date(Date.now() + 3 * DAY),
    });
    const report = validate(soonAndBroken, [intermediate]);
    expect(codesOf(report).sort()).toEqual(['EXPIRING_SOON', 'NO_CLIENT_AUTH']);
    expect(report).toMatchObject({ ok: false, status: 'invalid' });
  });
});

describe('validateCertificate: options', { timeout: 30_000 }, () => {
  const subject = { certificate: leaf.x509, chain: [intermediate.x509] };
  const run = (options: unknown) => () => validateCertificate(subject, options as ValidateCertificateOptions);

  it('refuses each malformed option with ERR_INVALID_OPTIONS naming it', () => {
    expect(run(null)).toThrow(invalidOptions('validate options must be an object'));
    expect(run('roots')).toThrow(invalidOptions('validate options must be an object'));
    expect(run({ roots: 'x' })).toThrow(invalidOptions('roots must be an array of SupportedRoot'));
    const shape = invalidOptions('each root must be { name, thumbprintSha1Hex, certificatePem? }');
    expect(run({ roots: [null] })).toThrow(shape);
    expect(run({ roots: ['root'] })).toThrow(shape);
    expect(run({ roots: [{ thumbprintSha1Hex: root.x509.fingerprint }] })).toThrow(shape);
    expect(run({ roots: [{ name: 'r', thumbprintSha1Hex: root.x509.fingerprint256 }] })).toThrow(
      invalidOptions('root r: thumbprintSha1Hex must be a SHA-1 thumbprint'),
    );
    expect(run({ roots, now: '2026-01-01' })).toThrow(invalidOptions('now must be a valid Date'));
    expect(run({ roots, expiringWithinDays: '30' })).toThrow(
      invalidOptions('expiringWithinDays must be a number >= 0'),
    );
    expect(run({ roots, expiringWithinDays: Number.NaN })).toThrow(INVALID_OPTIONS);
    expect(run({ roots, crls: 'crl' })).toThrow(invalidOptions('crls must be an array'));
  });

  it('refuses an unreadable root certificate with ERR_INVALID_OPTIONS naming the root', () => {
    let thrown: unknown;
    try {
      run({
        roots: [
          { name: 'Broken Root', thumbprintSha1Hex: root.x509.fingerprint, certificatePem: 'not a pem' },
        ],
      })();
    } catch (err) {
      thrown = err;
    }
    expect(isCrmAuthError(thrown, 'ERR_INVALID_OPTIONS')).toBe(true);
    expect((thrown as Error).message).toBe('root Broken Root: certificatePem is unreadable');
    expect((thrown as Error).cause).toBeInstanceOf(Error);
  });

  it('accepts expiringWithinDays 0 and requires CRLs only when requireCrl is exactly true', () => {
    expect(validateCertificate(subject, { roots, expiringWithinDays: 0 }).ok).toBe(true);
    expect(run({ roots, requireCrl: 'yes' })().problems).toEqual([]);
    expect(codesOf(validateCertificate(subject, { roots, requireCrl: true }))).toEqual([
      'CRL_MISSING',
      'CRL_MISSING',
    ]);
  });

  it('validates at the current time when now is not given', () => {
    const shortLived = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      notBefore: new Date(Date.now() - 2 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    expect(
      codesOf(validateCertificate({ certificate: shortLived.x509, chain: [intermediate.x509] }, { roots })),
    ).toEqual(['EXPIRED']);
  });
});

// ---------------------------------------------------------------------------------------------
// CRLs
// ---------------------------------------------------------------------------------------------

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;
const SHA256_RSA = '1.2.840.113549.1.1.11';

const algorithmId = (oid: string) =>
  asn1.create(U, T.SEQUENCE, true, [
    asn1.create(U, T.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(U, T.NULL, false, ''),
  ]);

interface RawCrlOptions {
  issuer?: TestCert;
  /** tbsCertList fields; default v2, sha256WithRSA, issuer, thisUpdate a day ago, nextUpdate in a week. */
  fields?: forge.asn1.Asn1[];
  outerAlgorithm?: forge.asn1.Asn1;
  /** The whole BIT STRING content (first byte: unused bits). */
  bitString?: string;
  signingKey?: TestKey;
  /** The outer algorithm OID (also used for the default inner one). */
  oid?: string;
}

function utc(date: Date) {
  return asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(date));
}

function defaultFields(issuer: TestCert, oid: string): forge.asn1.Asn1[] {
  return [
    asn1.create(U, T.INTEGER, false, String.fromCharCode(1)),
    algorithmId(oid),
    forge.pki.distinguishedNameToAsn1(issuer.forgeCert.subject),
    utc(new Date(Date.now() - DAY)),
    utc(new Date(Date.now() + 7 * DAY)),
  ];
}

/** A CRL built field by field, signed for real with the issuer's (or `signingKey`) RSA key. */
function rawCrl(opts: RawCrlOptions = {}): Buffer {
  const issuer = opts.issuer ?? intermediate;
  const oid = opts.oid ?? SHA256_RSA;
  const tbs = asn1.create(U, T.SEQUENCE, true, opts.fields ?? defaultFields(issuer, oid));
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, (opts.signingKey ?? issuer.key).privateKey);
  const list = asn1.create(U, T.SEQUENCE, true, [
    tbs,
    opts.outerAlgorithm ?? algorithmId(oid),
    asn1.create(U, T.BITSTRING, false, opts.bitString ?? `\u0000${signature.toString('binary')}`),
  ]);
  return Buffer.from(asn1.toDer(list).getBytes(), 'binary');
}

function crlError(input: Buffer | string): string {
  try {
    parseCrl(input);
  } catch (err) {
    return (err as Error).message;
  }
  return 'parsed';
}

describe('parseCrl: the fields of a CertificateList', { timeout: 30_000 }, () => {
  const issuerName = () => forge.pki.distinguishedNameToAsn1(intermediate.forgeCert.subject);
  const thisUpdate = wholeSecond(Date.now() - DAY);

  it('reads a v1 CRL (no version), without nextUpdate and without entries', () => {
    const parsed = parseCrl(rawCrl({ fields: [algorithmId(SHA256_RSA), issuerName(), utc(thisUpdate)] }));
    expect(parsed.thisUpdate).toEqual(thisUpdate);
    expect(parsed.nextUpdate).toBeUndefined();
    expect('nextUpdate' in parsed).toBe(false);
    expect(parsed.revokedSerials.size).toBe(0);
    expect(parsed.signatureAlgorithmOid).toBe(SHA256_RSA);
    expect(parsed.issuerDer.equals(Buffer.from(asn1.toDer(issuerName()).getBytes(), 'binary'))).toBe(true);
  });

  it('reads entries right after thisUpdate when nextUpdate is absent, and GeneralizedTime dates', () => {
    const general = asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(thisUpdate));
    const entries = asn1.create(U, T.SEQUENCE, true, [
      asn1.create(U, T.SEQUENCE, true, [
        asn1.create(U, T.INTEGER, false, forge.util.hexToBytes('00ab12')),
        utc(thisUpdate),
      ]),
      asn1.create(U, T.SEQUENCE, true, [
        asn1.create(U, T.INTEGER, false, forge.util.hexToBytes('0c')),
        utc(thisUpdate),
      ]),
    ]);
    const parsed = parseCrl(rawCrl({ fields: [algorithmId(SHA256_RSA), issuerName(), general, entries] }));
    expect(parsed.thisUpdate).toEqual(thisUpdate);
    expect(parsed.nextUpdate).toBeUndefined();
    expect([...parsed.revokedSerials]).toEqual(['AB12', 'C']);
  });

  it('gives the exact signed bytes and the signature without the unused-bits byte', () => {
    const der = makeCrl({ issuer: intermediate });
    const parsed = parseCrl(der);
    const tbs = (asn1.fromDer(der.toString('binary')).value as forge.asn1.Asn1[])[0] as forge.asn1.Asn1;
    expect(parsed.tbsDer.equals(Buffer.from(asn1.toDer(tbs).getBytes(), 'binary'))).toBe(true);
    expect(parsed.signature).toHaveLength(256);
    expect(parsed.signature.equals(der.subarray(der.length - 256))).toBe(true);
  });

  it('refuses each broken part with a message naming it', () => {
    const next = utc(new Date(Date.now() + DAY));
    expect(
      crlError(
        rawCrl({
          fields: [algorithmId(SHA256_RSA), issuerName(), utc(thisUpdate)],
          bitString: '\u0001\u00ff',
        }),
      ),
    ).toBe('CRL signature BIT STRING is malformed');
    expect(crlError(rawCrl({ bitString: '\u0000' }))).toBe('CRL signature BIT STRING is malformed');
    expect(crlError(rawCrl({ bitString: '\u0000\u0001' }))).toBe('parsed');
    expect(crlError(rawCrl({ fields: [asn1.create(U, T.INTEGER, false, '\u0001'), utc(thisUpdate)] }))).toBe(
      'CRL tbsCertList has no signature algorithm',
    );
    expect(crlError(rawCrl({ fields: [asn1.create(U, T.INTEGER, false, '\u0001')] }))).toBe(
      'CRL tbsCertList has no signature algorithm',
    );
    expect(
      crlError(rawCrl({ fields: [algorithmId('1.2.840.113549.1.1.5'), issuerName(), utc(thisUpdate)] })),
    ).toBe('CRL signature algorithm fields disagree');
    expect(
      crlError(rawCrl({ fields: [asn1.create(U, T.SEQUENCE, true, []), issuerName(), utc(thisUpdate)] })),
    ).toBe('CRL signature algorithm fields disagree');
    expect(crlError(rawCrl({ fields: [algorithmId(SHA256_RSA), utc(thisUpdate)] }))).toBe(
      'CRL issuer missing',
    );
    expect(crlError(rawCrl({ fields: [algorithmId(SHA256_RSA)] }))).toBe('CRL issuer missing');
    expect(crlError(rawCrl({ fields: [algorithmId(SHA256_RSA), issuerName()] }))).toBe(
      'CRL thisUpdate missing',
    );
    expect(crlError(rawCrl({ fields: [algorithmId(SHA256_RSA), issuerName(), next] }))).toBe('parsed');
    const entryWithoutSerial = asn1.create(U, T.SEQUENCE, true, [asn1.create(U, T.SEQUENCE, true, [])]);
    expect(
      crlError(
        rawCrl({
          fields: [algorithmId(SHA256_RSA), issuerName(), utc(thisUpdate), next, entryWithoutSerial],
        }),
      ),
    ).toBe('CRL entry without serial number');
    expect(crlError(rawCrl({ outerAlgorithm: asn1.create(U, T.SEQUENCE, true, []) }))).toBe(
      'CRL signature algorithm missing',
    );
    expect(
      crlError(
        rawCrl({ outerAlgorithm: asn1.create(U, T.OID, false, asn1.oidToDer(SHA256_RSA).getBytes()) }),
      ),
    ).toBe('not a CertificateList');
  });

  it('refuses a CertificateList whose parts have the wrong types', () => {
    const seq = (children: forge.asn1.Asn1[]) =>
      Buffer.from(asn1.toDer(asn1.create(U, T.SEQUENCE, true, children)).getBytes(), 'binary');
    const alg = algorithmId(SHA256_RSA);
    const bits = asn1.create(U, T.BITSTRING, false, '\u0000\u0001');
    const tbs = asn1.create(U, T.SEQUENCE, true, [alg]);
    expect(crlError(seq([asn1.create(U, T.INTEGER, false, '\u0001'), alg, bits]))).toBe(
      'not a CertificateList',
    );
    expect(crlError(seq([tbs, alg, asn1.create(U, T.OCTETSTRING, false, '\u0000\u0001')]))).toBe(
      'CRL signature is not a BIT STRING',
    );
    expect(crlError(seq([tbs, alg]))).toBe('CRL signature is not a BIT STRING');
    expect(crlError(seq([tbs]))).toBe('not a CertificateList');
    expect(crlError(seq([]))).toBe('not a CertificateList');
    expect(crlError(seq([asn1.create(U, T.SEQUENCE, true, []), alg, bits]))).toBe(
      'CRL tbsCertList has no signature algorithm',
    );
    // PEM may carry any DER: a SET with the right children is still not a CertificateList.
    const setDer = Buffer.from(
      asn1.toDer(asn1.create(U, T.SET, true, [tbs, alg, bits])).getBytes(),
      'binary',
    );
    expect(crlError(toPem(setDer, 'X509 CRL'))).toBe('not a CertificateList');
    // A SET that otherwise looks right is not a SEQUENCE; it is read as (absent) PEM.
    const set = Buffer.from(asn1.toDer(asn1.create(U, T.SET, true, [tbs, alg, bits])).getBytes(), 'binary');
    expect(crlError(set)).toBe('no X509 CRL block in PEM');
  });
});

describe('parseCrl: input forms and size', { timeout: 30_000 }, () => {
  const der = makeCrl({ issuer: intermediate, revoked: [leaf] });

  it('reads PEM from a string and from a Buffer, with text around the block', () => {
    const pem = `issued by the test CA\n${toPem(der, 'X509 CRL')}trailer\n`;
    expect([...parseCrl(pem).revokedSerials]).toEqual([...parseCrl(der).revokedSerials]);
    expect(parseCrl(Buffer.from(pem, 'latin1')).tbsDer.equals(parseCrl(der).tbsDer)).toBe(true);
  });

  it('refuses PEM without a CRL block, or with an empty one', () => {
    expect(crlError(toPem(der, 'CERTIFICATE'))).toBe('no X509 CRL block in PEM');
    expect(crlError('-----BEGIN X509 CRL----------END X509 CRL-----')).toBe('no X509 CRL block in PEM');
  });

  it('refuses input that is neither a Buffer nor a string with ERR_INVALID_OPTIONS', () => {
    expect(() => parseCrl(42 as unknown as string)).toThrow(
      invalidOptions('a CRL must be a Buffer or a string'),
    );
    expect(() => parseCrl(new Uint8Array(der) as unknown as Buffer)).toThrow(INVALID_OPTIONS);
  });

  it('accepts DER up to MAX_CRL_BYTES and refuses one byte more, before parsing', () => {
    const big = Buffer.alloc(MAX_CRL_BYTES + 1, 0);
    big[0] = 0x30;
    expect(crlError(big)).toBe('CRL too large');
    const atCap = Buffer.alloc(MAX_CRL_BYTES, 0);
    atCap[0] = 0x30;
    // Not too large: it gets as far as the DER reader, which finds it malformed.
    expect(crlError(atCap)).not.toBe('CRL too large');
  });

  it('refuses PEM text over twice the cap at once, and PEM whose DER exceeds the cap', () => {
    expect(crlError('x'.repeat(MAX_CRL_BYTES * 2 + 1))).toBe('CRL too large');
    expect(crlError('x'.repeat(MAX_CRL_BYTES * 2))).toBe('no X509 CRL block in PEM');
    const bigBody = Buffer.alloc(MAX_CRL_BYTES + 3, 0x30).toString('base64');
    expect(crlError(`-----BEGIN X509 CRL-----\n${bigBody}\n-----END X509 CRL-----`)).toBe('CRL too large');
    const capBody = Buffer.alloc(MAX_CRL_BYTES, 0x30).toString('base64');
    expect(crlError(`-----BEGIN X509 CRL-----\n${capBody}\n-----END X509 CRL-----`)).not.toBe(
      'CRL too large',
    );
  });
});

describe('validateCertificate: CRLs', { timeout: 30_000 }, () => {
  const crlCodes = (crls: Array<Buffer | string>, options: Partial<ValidateCertificateOptions> = {}) =>
    codesOf(validate(leaf, [intermediate], { crls, ...options }));

  it('numbers CRLs from 1 in messages and names the issuer', () => {
    const report = validate(leaf, [intermediate], {
      crls: [
        makeCrl({ issuer: intermediate }),
        Buffer.from('garbage'),
        makeCrl({ issuer: intermediate, signingKey: testKey('rogue') }),
      ],
    });
    expect(report.problems.map((p) => p.message)).toEqual([
      'CRL #2 is unreadable: no X509 CRL block in PEM',
      'the signature of CRL #3 does not verify with the key of "Onbehalf Test Intermediate"',
    ]);
  });

  it('names the CRL from an issuer outside the chain', () => {
    const stranger = issue({ commonName: 'Stranger CA', key: testKey('stranger-ca'), ca: true });
    expect(validate(leaf, [intermediate], { crls: [makeCrl({ issuer: stranger })] }).problems).toEqual([
      {
        code: 'CRL_UNUSED',
        severity: 'warning',
        message: 'CRL #1 was issued by no certificate in the chain',
      },
    ]);
  });

  it('refuses a CRL with a signature algorithm it cannot verify (RSASSA-PSS), naming the OID', () => {
    const pss = rawCrl({ oid: '1.2.840.113549.1.1.10' });
    const report = validate(leaf, [intermediate], { crls: [pss] });
    expect(report.problems).toEqual([
      {
        code: 'CRL_INVALID',
        severity: 'error',
        message: 'CRL #1 uses an unsupported signature algorithm (1.2.840.113549.1.1.10)',
      },
    ]);
  });

  it('refuses a CRL not valid yet, and takes one from the very second of thisUpdate', () => {
    const thisUpdate = wholeSecond(Date.now() + DAY);
    const crl = makeCrl({
      issuer: intermediate,
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + 7 * DAY),
    });
    const report = validate(leaf, [intermediate], {
      crls: [crl],
      requireCrl: true,
      now: new Date(thisUpdate.getTime() - 1000),
    });
    expect(report.problems).toEqual([
      {
        code: 'CRL_INVALID',
        severity: 'error',
        message: `CRL #1 from "Onbehalf Test Intermediate" is not valid before ${thisUpdate.toISOString()}`,
      },
      expect.objectContaining({ code: 'CRL_MISSING', message: 'no current CRL covers "ERP_Integration"' }),
      expect.objectContaining({
        code: 'CRL_MISSING',
        message: 'no current CRL covers "Onbehalf Test Intermediate"',
      }),
    ]);
    expect(crlCodes([crl], { requireCrl: true, now: thisUpdate })).toEqual(['CRL_MISSING']);
  });

  it('takes a CRL until the very second of nextUpdate and calls it stale one second later', () => {
    const nextUpdate = wholeSecond(Date.now() + DAY);
    const crl = makeCrl({ issuer: intermediate, nextUpdate });
    expect(crlCodes([crl], { requireCrl: true, now: nextUpdate })).toEqual(['CRL_MISSING']);
    const stale = validate(leaf, [intermediate], {
      crls: [crl],
      requireCrl: true,
      now: new Date(nextUpdate.getTime() + 1000),
    });
    expect(stale.problems.map((p) => [p.code, p.message])).toEqual([
      [
        'CRL_STALE',
        `CRL #1 from "Onbehalf Test Intermediate" was due for renewal on ${nextUpdate.toISOString()}`,
      ],
      ['CRL_MISSING', 'no current CRL covers "ERP_Integration"'],
      ['CRL_MISSING', 'no current CRL covers "Onbehalf Test Intermediate"'],
    ]);
  });

  it('takes a CRL without nextUpdate as current', () => {
    const noNext = rawCrl({
      fields: [
        asn1.create(U, T.INTEGER, false, String.fromCharCode(1)),
        algorithmId(SHA256_RSA),
        forge.pki.distinguishedNameToAsn1(intermediate.forgeCert.subject),
        utc(new Date(Date.now() - DAY)),
      ],
    });
    expect(crlCodes([noNext, makeCrl({ issuer: root })], { requireCrl: true })).toEqual([]);
  });

  it('names the revoked certificate, its serial and the CRL issuer', () => {
    const report = validate(leaf, [intermediate], {
      crls: [makeCrl({ issuer: intermediate, revoked: [leaf] })],
    });
    expect(report.problems).toEqual([
      {
        code: 'REVOKED',
        severity: 'error',
        message: `"ERP_Integration" (serial ${leaf.x509.serialNumber}) is revoked by "Onbehalf Test Intermediate"`,
      },
    ]);
  });

  it("applies a CRL only to its issuer's own children: the root's CRL listing the leaf's serial revokes nothing", () => {
    expect(crlCodes([makeCrl({ issuer: root, revoked: [leaf] })])).toEqual([]);
  });

  it('asks for a CRL for every certificate of a chain that reaches no supported root, its top included', () => {
    const otherRoot = issue({ commonName: 'Elsewhere Root', key: testKey('other-root'), ca: true });
    const otherLeaf = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: otherRoot });
    const report = validate(otherLeaf, [otherRoot], {
      requireCrl: true,
      crls: [makeCrl({ issuer: otherRoot })],
    });
    expect(report.problems.map((p) => [p.code, p.message])).toEqual([
      ['UNTRUSTED_ROOT', 'the chain ends at "Elsewhere Root", which is not a supported root'],
      ['CRL_MISSING', 'no current CRL covers "Elsewhere Root"'],
    ]);
  });

  it('counts a signature check that throws as failed: a CRL whose issuer key cannot do its algorithm is refused', () => {
    const base = issue({ commonName: 'Ed Leaf', key: testKey('leaf'), issuer: intermediate });
    const edLeaf = withPublicKey(
      base,
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }),
      intermediate.key,
    );
    // sha256WithRSA with an Ed25519 key: crypto.verify throws rather than answering false.
    const report = validate(edLeaf, [intermediate], { crls: [rawCrl({ issuer: base })] });
    expect(report.problems).toEqual([
      {
        code: 'CRL_INVALID',
        severity: 'error',
        message: 'the signature of CRL #1 does not verify with the key of "Ed Leaf"',
      },
    ]);
  });

  it('leaves a CRL signed by a key of another type refused, not thrown', () => {
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const fields = defaultFields(intermediate, '1.2.840.10045.4.3.2');
    const tbs = asn1.create(U, T.SEQUENCE, true, fields);
    const signature = sign('sha256', Buffer.from(asn1.toDer(tbs).getBytes(), 'binary'), ecKey.privateKey);
    const list = asn1.create(U, T.SEQUENCE, true, [
      tbs,
      asn1.create(U, T.SEQUENCE, true, [
        asn1.create(U, T.OID, false, asn1.oidToDer('1.2.840.10045.4.3.2').getBytes()),
      ]),
      asn1.create(U, T.BITSTRING, false, `\u0000${signature.toString('binary')}`),
    ]);
    const crl = Buffer.from(asn1.toDer(list).getBytes(), 'binary');
    expect(crlCodes([crl])).toEqual(['CRL_INVALID']);
  });
});

describe('signatureAlgorithm and supportedRootFromPem', { timeout: 30_000 }, () => {
  it('knows the SHA-1 and MD5 signatures as weak and SHA-256 as not, and nothing inherited from Object', () => {
    expect(signatureAlgorithm('1.2.840.113549.1.1.5')).toEqual({
      digest: 'sha1',
      weak: true,
      name: 'sha1WithRSAEncryption',
    });
    expect(signatureAlgorithm('1.2.840.113549.1.1.11')?.weak).toBe(false);
    expect(signatureAlgorithm('toString')).toBeUndefined();
    expect(signatureAlgorithm('__proto__')).toBeUndefined();
    expect(signatureAlgorithm('1.2.840.113549.1.1.10')).toBeUndefined();
  });

  it('pins a root by its spaced SHA-1 thumbprint and keeps its PEM', () => {
    const pinned = supportedRootFromPem('Test Root', root.pem);
    expect(pinned).toEqual({
      name: 'Test Root',
      thumbprintSha1Hex: root.x509.fingerprint.toLowerCase().replace(/:/g, ' '),
      certificatePem: root.x509.toString(),
    });
  });

  it('refuses a missing name or PEM with ERR_INVALID_OPTIONS and an unreadable PEM with ERR_CERT_UNREADABLE', () => {
    expect(() => supportedRootFromPem('', root.pem)).toThrow(
      invalidOptions('name must be a non-empty string'),
    );
    expect(() => supportedRootFromPem(7 as unknown as string, root.pem)).toThrow(INVALID_OPTIONS);
    expect(() => supportedRootFromPem('Root', Buffer.from(root.pem) as unknown as string)).toThrow(
      invalidOptions('pem must be a string'),
    );
    let thrown: unknown;
    try {
      supportedRootFromPem('Root', 'garbage');
    } catch (err) {
      thrown = err;
    }
    expect(isCrmAuthError(thrown, 'ERR_CERT_UNREADABLE')).toBe(true);
    expect((thrown as Error).message).toBe('the root certificate PEM could not be read');
    expect((thrown as Error).cause).toBeInstanceOf(Error);
  });
});
