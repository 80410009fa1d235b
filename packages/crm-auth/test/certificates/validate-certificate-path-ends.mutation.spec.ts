/**
 * Mutation-testing additions (stryker/README.md) for how a path ends. A path that stops without
 * reaching a supported root (a pinned root whose self-signature fails, the depth cap, an issuer
 * whose key does not verify the signature) has no anchor: its top certificate is checked like any
 * other, so it needs a CRL under requireCrl and SHA-1 on it is flagged. Also: a certificate
 * signed with an algorithm crm-auth does not know is validated, not thrown on.
 */
import { sign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import type { CertificateProblemCode, CertificateReport } from '../../src/certificates/certificate-report';
import { signatureAlgorithm } from '../../src/certificates/signature-algorithms';
import { supportedRootFromPem, type SupportedRoot } from '../../src/certificates/supported-roots';
import {
  validateCertificate,
  type ValidateCertificateOptions,
} from '../../src/certificates/validate-certificate';
import { issue, standardHierarchy, testKey, type TestCert, type TestKey } from '../helpers/test-pki';

const { root, intermediate } = standardHierarchy();
const roots: SupportedRoot[] = [supportedRootFromPem('Onbehalf Test Root', root.pem)];

function validate(
  cert: TestCert | X509Certificate,
  chain: TestCert[],
  options: Partial<ValidateCertificateOptions> = {},
): CertificateReport {
  const x509 = cert instanceof X509Certificate ? cert : cert.x509;
  return validateCertificate({ certificate: x509, chain: chain.map((c) => c.x509) }, { roots, ...options });
}

const messagesOf = (report: CertificateReport, code: CertificateProblemCode): string[] =>
  report.problems.filter((p) => p.code === code).map((p) => p.message);

/** A copy of `cert` whose signature algorithm (both fields) is `oid`, signed with `digest` by `signer`. */
function resigned(cert: TestCert, oid: string, digest: string, signer: TestKey): X509Certificate {
  const { asn1 } = forge;
  // forge has getTBSCertificate at runtime; its type definitions leave it out.
  const pki = forge.pki as typeof forge.pki & {
    getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
  };
  const algorithm = () =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]);
  const tbs = pki.getTBSCertificate(forge.pki.certificateFromPem(cert.pem));
  // tbsCertificate: [0] version, serialNumber, signature, issuer, …
  (tbs.value as forge.asn1.Asn1[])[2] = algorithm();
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign(digest, tbsDer, signer.privateKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithm(),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
  ]);
  return new X509Certificate(Buffer.from(asn1.toDer(certificate).getBytes(), 'binary'));
}

describe(
  'validateCertificate: a path that ends without a supported root has no anchor',
  { timeout: 60_000 },
  () => {
    it('checks a pinned self-issued certificate whose self-signature fails like any other: CRL required, SHA-1 flagged', () => {
      const fakeRoot = issue({
        commonName: 'Fake Root',
        key: testKey('fake-root'),
        ca: true,
        signingKey: testKey('rogue'),
        md: 'sha1',
      });
      const child = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: fakeRoot });
      const pinned = [{ name: 'fake', thumbprintSha1Hex: fakeRoot.x509.fingerprint }];
      const report = validate(child, [fakeRoot], { roots: pinned, requireCrl: true });
      expect(report.problems.map((p) => p.code)).toEqual([
        'BAD_SIGNATURE',
        'SHA1_SIGNATURE',
        'CRL_MISSING',
        'CRL_MISSING',
      ]);
      expect(messagesOf(report, 'SHA1_SIGNATURE')).toEqual([
        '"Fake Root" is signed with sha1WithRSAEncryption',
      ]);
      expect(messagesOf(report, 'CRL_MISSING')).toEqual([
        'no current CRL covers "ERP_Integration"',
        'no current CRL covers "Fake Root"',
      ]);
    });

    it('asks for a CRL for all 8 certificates of a chain cut at the depth cap, the 8th included', () => {
      const top = issue({ commonName: 'Deep Root', key: testKey('deep-root'), ca: true });
      let issuer = top;
      const tower: TestCert[] = [];
      for (let i = 1; i <= 7; i += 1) {
        issuer = issue({ commonName: `Deep ${i}`, key: testKey('deep-int'), issuer, ca: true });
        tower.push(issuer);
      }
      const end = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer });
      const report = validate(end, [...tower, top], {
        roots: [supportedRootFromPem('deep', top.pem)],
        requireCrl: true,
      });
      expect(report.problems[0]?.code).toBe('CHAIN_TOO_LONG');
      expect(report.chain).toHaveLength(8);
      expect(messagesOf(report, 'CRL_MISSING')).toEqual([
        'no current CRL covers "ERP_Integration"',
        ...[7, 6, 5, 4, 3, 2, 1].map((i) => `no current CRL covers "Deep ${i}"`),
      ]);
    });

    it('checks a certificate whose signature does not verify with its issuer key like any other: CRL required, SHA-1 flagged', () => {
      const forged = issue({
        commonName: 'ERP_Integration',
        key: testKey('leaf'),
        issuer: intermediate,
        signingKey: testKey('rogue'),
        md: 'sha1',
      });
      const report = validate(forged, [intermediate], { requireCrl: true });
      expect(report.problems.map((p) => [p.code, p.message])).toEqual([
        ['BAD_SIGNATURE', 'the signature of "ERP_Integration" does not verify with the key of its issuer'],
        ['SHA1_SIGNATURE', '"ERP_Integration" is signed with sha1WithRSAEncryption'],
        ['CRL_MISSING', 'no current CRL covers "ERP_Integration"'],
      ]);
    });
  },
);

describe('validateCertificate: signature algorithms crm-auth does not know', { timeout: 60_000 }, () => {
  it('validates a chain whose leaf is signed with sha224WithRSA (not in the table) without a SHA-1 warning or a throw', () => {
    const SHA224_RSA = '1.2.840.113549.1.1.14';
    expect(signatureAlgorithm(SHA224_RSA)).toBeUndefined();
    const leaf = resigned(
      issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: intermediate }),
      SHA224_RSA,
      'sha224',
      intermediate.key,
    );
    expect(leaf.verify(intermediate.x509.publicKey)).toBe(true);
    const report = validate(leaf, [intermediate]);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, status: 'valid' });
    expect(report.chain).toHaveLength(3);
  });
});
