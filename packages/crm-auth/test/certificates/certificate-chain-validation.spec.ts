import { describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import type { CertificateProblemCode } from '../../src/certificates/certificate-report';
import { supportedRootFromPem, type SupportedRoot } from '../../src/certificates/supported-roots';
import { DAY, issue, standardHierarchy, testKey, type TestCert } from '../helpers/test-pki';
import { INVALID_OPTIONS } from '../helpers/invalid-options';

const { root, intermediate, leaf } = standardHierarchy();
const roots: SupportedRoot[] = [supportedRootFromPem('Onbehalf Test Root', root.pem)];

function bundleOf(cert: TestCert, chain: TestCert[], keyPem = cert.key.privateKeyPem): CertificateBundle {
  return CertificateBundle.fromPem({
    certificatePem: cert.pem,
    privateKeyPem: keyPem,
    chainPem: chain.map((c) => c.pem).join(''),
  });
}

function codes(
  bundle: CertificateBundle,
  options: Partial<Parameters<CertificateBundle['validate']>[0]> = {},
): CertificateProblemCode[] {
  return bundle.validate({ roots, ...options }).problems.map((p) => p.code);
}

describe('CertificateBundle.validate: chain to a pinned root', () => {
  it('accepts root → intermediate → leaf with clientAuth', () => {
    const report = bundleOf(leaf, [intermediate]).validate({ roots });
    expect(report).toMatchObject({ ok: true, status: 'valid', problems: [] });
    expect(report.chain.map((l) => [l.isRoot, l.isPinned])).toEqual([
      [false, false],
      [false, false],
      [true, true],
    ]);
    expect(report.chain[0]?.subject).toContain('CN=ERP_Integration');
    expect(report.chain[2]?.thumbprintSha1Hex).toBe(roots[0]?.thumbprintSha1Hex);
  });

  it('accepts a bundle that carries the root itself, with roots pinned by thumbprint only', () => {
    const pinnedOnly = [{ name: 'root', thumbprintSha1Hex: root.x509.fingerprint }];
    const report = bundleOf(leaf, [intermediate, root]).validate({ roots: pinnedOnly });
    expect(report.ok).toBe(true);
  });

  it('reports an untrusted root when the chain ends at a root that is not pinned', () => {
    const otherRoot = issue({ commonName: 'Elsewhere Root', key: testKey('other-root'), ca: true });
    const otherLeaf = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: otherRoot });
    expect(codes(bundleOf(otherLeaf, [otherRoot]))).toEqual(['UNTRUSTED_ROOT']);
  });

  it('reports an incomplete chain when the intermediate is missing', () => {
    expect(codes(bundleOf(leaf, []))).toEqual(['CHAIN_INCOMPLETE']);
  });

  it('reports a chain to the SDK roots as incomplete when the root certificate is not available', () => {
    const report = bundleOf(leaf, [intermediate]).validate({
      roots: [{ name: 'Entrust', thumbprintSha1Hex: 'gB1i0HtEnVxcA1yY6mH6RDwqWP4' }],
    });
    expect(report.problems.map((p) => p.code)).toEqual(['CHAIN_INCOMPLETE']);
    expect(report.status).toBe('invalid');
  });

  it('reports a leaf used as a CA', () => {
    const rogue = issue({ commonName: 'Rogue', key: testKey('rogue'), issuer: leaf });
    expect(codes(bundleOf(rogue, [leaf, intermediate]))).toContain('ISSUER_NOT_CA');
  });

  it('reports an intermediate without basicConstraints as not a CA', () => {
    const noBc = issue({
      commonName: 'Intermediate Without BasicConstraints',
      key: testKey('no-bc'),
      issuer: root,
      ca: true,
      omitBasicConstraints: true,
    });
    const child = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: noBc });
    expect(codes(bundleOf(child, [noBc]))).toEqual(['ISSUER_NOT_CA']);
  });

  it('reports a signature that does not verify (issuer name right, key wrong)', () => {
    const forged = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      signingKey: testKey('rogue'),
    });
    expect(codes(bundleOf(forged, [intermediate]))).toContain('BAD_SIGNATURE');
  });

  it('reports an expired intermediate', () => {
    const old = issue({
      commonName: 'Old Intermediate',
      key: testKey('old-int'),
      issuer: root,
      ca: true,
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - 10 * DAY),
    });
    const child = issue({ commonName: 'ERP_Integration', key: testKey('leaf'), issuer: old });
    expect(codes(bundleOf(child, [old]))).toEqual(['CHAIN_CERT_EXPIRED']);
  });

  it('stops at a loop of cross-signed issuers', () => {
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
    expect(codes(bundleOf(child, [a, b]))).toEqual(['CHAIN_LOOP']);
  });
});

describe('CertificateBundle.validate: the certificate itself', () => {
  it('reports an expired certificate', () => {
    const expired = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      notBefore: new Date(Date.now() - 100 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const report = bundleOf(expired, [intermediate]).validate({ roots });
    expect(report.problems.map((p) => p.code)).toEqual(['EXPIRED']);
    expect(report).toMatchObject({ ok: false, status: 'invalid' });
  });

  it('reports a certificate not yet valid', () => {
    const future = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      notBefore: new Date(Date.now() + 2 * DAY),
      notAfter: new Date(Date.now() + 200 * DAY),
    });
    expect(codes(bundleOf(future, [intermediate]))).toEqual(['NOT_YET_VALID']);
  });

  it('warns when the certificate expires within the window, and only then', () => {
    const soon = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      notAfter: new Date(Date.now() + 10 * DAY),
    });
    const report = bundleOf(soon, [intermediate]).validate({ roots });
    expect(report).toMatchObject({ ok: true, status: 'expiring' });
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'EXPIRING_SOON', severity: 'warning' }),
    ]);
    expect(bundleOf(soon, [intermediate]).validate({ roots, expiringWithinDays: 5 }).status).toBe('valid');
  });

  it('validates at the given time', () => {
    const at = new Date(Date.now() + 2 * 365 * DAY);
    expect(codes(bundleOf(leaf, [intermediate]), { now: at })).toEqual(
      expect.arrayContaining(['EXPIRED', 'CHAIN_CERT_EXPIRED']),
    );
  });

  it('reports a certificate without clientAuth extended key usage', () => {
    const serverOnly = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      eku: ['serverAuth'],
    });
    expect(codes(bundleOf(serverOnly, [intermediate]))).toEqual(['NO_CLIENT_AUTH']);
    const noEku = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: intermediate,
      eku: null,
    });
    const report = bundleOf(noEku, [intermediate]).validate({ roots });
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'NO_EXTENDED_KEY_USAGE', severity: 'warning' }),
    ]);
  });

  it('reports a private key that does not match', () => {
    expect(codes(bundleOf(leaf, [intermediate], testKey('stranger').privateKeyPem))).toEqual([
      'KEY_MISMATCH',
    ]);
  });

  it('refuses a short RSA key, lets legacy keys through with a warning, and warns about SHA-1', () => {
    const weak = issue({
      commonName: 'ERP_Integration',
      key: testKey('weak', 1024),
      issuer: intermediate,
      md: 'sha1',
    });
    const refused = bundleOf(weak, [intermediate]).validate({ roots });
    expect(refused.ok).toBe(false);
    expect(refused.problems.map((p) => [p.code, p.severity])).toEqual([
      ['KEY_TOO_SHORT', 'error'],
      ['SHA1_SIGNATURE', 'warning'],
    ]);
    const legacy = bundleOf(weak, [intermediate]).validate({ roots, allowLegacyRsaKeys: true });
    expect(legacy.ok).toBe(true);
    expect(legacy.problems.map((p) => [p.code, p.severity])).toEqual([
      ['KEY_TOO_SHORT', 'warning'],
      ['SHA1_SIGNATURE', 'warning'],
    ]);
  });

  it('lists every problem at once, not only the first', () => {
    const otherRoot = issue({ commonName: 'Elsewhere Root', key: testKey('other-root'), ca: true });
    const bad = issue({
      commonName: 'ERP_Integration',
      key: testKey('leaf'),
      issuer: otherRoot,
      eku: ['serverAuth'],
      notBefore: new Date(Date.now() - 100 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const report = bundleOf(bad, [otherRoot], testKey('stranger').privateKeyPem).validate({ roots });
    expect(report.problems.map((p) => p.code).sort()).toEqual([
      'EXPIRED',
      'KEY_MISMATCH',
      'NO_CLIENT_AUTH',
      'UNTRUSTED_ROOT',
    ]);
    expect(report.problems.every((p) => p.severity === 'error' && p.message.length > 0)).toBe(true);
  });

  it('rejects malformed options with ERR_INVALID_OPTIONS', () => {
    const bundle = bundleOf(leaf, [intermediate]);
    // @ts-expect-error deliberate misuse
    expect(() => bundle.validate({})).toThrow(INVALID_OPTIONS);
    expect(() => bundle.validate({ roots: [{ name: 'x', thumbprintSha1Hex: 'nope' }] })).toThrow(
      INVALID_OPTIONS,
    );
    expect(() => bundle.validate({ roots, expiringWithinDays: -1 })).toThrow(INVALID_OPTIONS);
    expect(() => bundle.validate({ roots, now: new Date('garbage') })).toThrow(INVALID_OPTIONS);
  });
});
