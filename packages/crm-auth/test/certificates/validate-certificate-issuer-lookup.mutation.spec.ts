/**
 * Mutation-testing additions (stryker/README.md): malformed root entries are a misuse error, an
 * issuer is found by OpenSSL's name match (case-insensitive) as well as by Node's subject string,
 * the leaf itself counts as already in the chain, and a path that stops at a missing issuer has no
 * anchor (its top certificate needs a CRL and is checked for SHA-1).
 */
import { describe, expect, it } from 'vitest';
import type { CertificateReport } from '../../src/certificates/certificate-report';
import { supportedRootFromPem, type SupportedRoot } from '../../src/certificates/supported-roots';
import {
  validateCertificate,
  type ValidateCertificateOptions,
} from '../../src/certificates/validate-certificate';
import { invalidOptions } from '../helpers/invalid-options';
import { issue, standardHierarchy, testKey, type TestCert } from '../helpers/test-pki';

const { root, intermediate } = standardHierarchy();
const roots: SupportedRoot[] = [supportedRootFromPem('Onbehalf Test Root', root.pem)];

function validate(
  cert: TestCert,
  chain: TestCert[],
  options: Partial<ValidateCertificateOptions> = {},
): CertificateReport {
  return validateCertificate(
    { certificate: cert.x509, chain: chain.map((c) => c.x509) },
    { roots, ...options },
  );
}

const codesOf = (report: CertificateReport): string[] => report.problems.map((p) => p.code);

describe('validateCertificate: root entries, issuer lookup and unanchored paths', { timeout: 60_000 }, () => {
  it('rejects a root entry whose name is not a string, or that is null, as a misuse', () => {
    const leaf = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: intermediate });
    const message = 'each root must be { name, thumbprintSha1Hex, certificatePem? }';
    const badName = { name: 42, thumbprintSha1Hex: root.x509.fingerprint } as unknown as SupportedRoot;
    expect(() => validate(leaf, [intermediate], { roots: [badName] })).toThrow(invalidOptions(message));
    const nullRoot = null as unknown as SupportedRoot;
    expect(() => validate(leaf, [intermediate], { roots: [nullRoot] })).toThrow(invalidOptions(message));
  });

  it('finds an issuer whose subject matches the issuer name only case-insensitively (OpenSSL name match)', () => {
    const leaf = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      issuerName: [
        { name: 'organizationName', value: 'ONBEHALF TESTS' },
        { name: 'commonName', value: 'ONBEHALF TEST INTERMEDIATE' },
      ],
    });
    expect(leaf.x509.issuer).not.toBe(intermediate.x509.subject);
    const report = validate(leaf, [intermediate]);
    expect(report.problems).toEqual([]);
    expect(report.chain.map((link) => link.subject)).toEqual([
      leaf.x509.subject,
      intermediate.x509.subject,
      root.x509.subject,
    ]);
  });

  it('reports a loop, not a bad signature, when a CA in the bundle names the leaf as its issuer', () => {
    const loopCaKey = testKey('loop-ca');
    const leafSubject = [
      { name: 'organizationName', value: 'Onbehalf Tests' },
      { name: 'commonName', value: 'ERP_Integration' },
    ];
    // The CA claims the leaf as its issuer but is signed by an unrelated key.
    const loopCa = issue({
      commonName: 'Loop CA',
      key: loopCaKey,
      ca: true,
      issuerName: leafSubject,
      signingKey: testKey('rogue'),
    });
    const leaf = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: loopCa });
    const report = validate(leaf, [loopCa, leaf]);
    expect(codesOf(report)).toEqual(['CHAIN_LOOP']);
    expect(report.problems[0]?.message).toBe('the issuer of "Loop CA" is already in the chain (a loop)');
  });

  it('checks the top of a path that stops at a missing issuer like any other: CRL required, SHA-1 flagged', () => {
    const leaf = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      md: 'sha1',
    });
    const report = validate(leaf, [], { requireCrl: true });
    expect(codesOf(report)).toEqual(['CHAIN_INCOMPLETE', 'SHA1_SIGNATURE', 'CRL_MISSING']);
    expect(report.problems[2]?.message).toBe('no current CRL covers "ERP_Integration"');
  });
});
