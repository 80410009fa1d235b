/**
 * A certificate whose subject is empty (legal in X.509 when subjectAltName names it) is read and reported like any
 * other: Node's X509Certificate gives such a name as undefined, and the validator and the bundle used to call
 * `.split` on it and throw a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import { supportedRootFromPem } from '../../src/certificates/supported-roots';
import { describe as describeCert, validateCertificate } from '../../src/certificates/validate-certificate';
import { issue, standardHierarchy, testKey } from '../helpers/test-pki';

const { root, intermediate } = standardHierarchy();
const roots = [supportedRootFromPem('Onbehalf Test Root', root.pem)];
const key = testKey('empty-subject');
const anonymous = issue({
  commonName: 'unused',
  key,
  issuer: intermediate,
  subject: [],
  altNames: { dns: ['erp.contoso.example'] },
});

describe('a certificate with an empty subject', { timeout: 60_000 }, () => {
  it('is validated without throwing, its chain link showing the empty subject as an empty string', () => {
    expect(anonymous.x509.subject ?? '').toBe('');
    const report = validateCertificate(
      { certificate: anonymous.x509, chain: [intermediate.x509] },
      { roots },
    );
    expect(report.problems.map((p) => p.code)).toEqual([]);
    expect(report.chain[0]!.subject).toBe('');
    expect(report.chain[0]!.issuer).toBe(intermediate.x509.subject);
  });

  it('is named in messages by its serial number', () => {
    expect(describeCert(anonymous.x509)).toBe(
      `the certificate with an empty subject (serial ${anonymous.x509.serialNumber})`,
    );
    const expired = issue({
      commonName: 'unused',
      key,
      issuer: intermediate,
      subject: [],
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const report = validateCertificate({ certificate: expired.x509, chain: [intermediate.x509] }, { roots });
    const problem = report.problems.find((p) => p.code === 'EXPIRED');
    expect(problem?.message).toContain(
      `the certificate with an empty subject (serial ${expired.x509.serialNumber})`,
    );
  });

  it('loads into a CertificateBundle whose subject is an empty string and common name undefined', () => {
    const bundle = CertificateBundle.fromPem({
      certificatePem: anonymous.pem,
      privateKeyPem: key.privateKeyPem,
    });
    expect(bundle.subject).toBe('');
    expect(bundle.commonName).toBeUndefined();
    expect(bundle.issuer).toBe(intermediate.x509.subject);
    expect(bundle.toJSON()).toMatchObject({ subject: '' });
  });
});
