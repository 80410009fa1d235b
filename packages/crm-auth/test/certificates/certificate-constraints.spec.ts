/**
 * Key size, basic constraints and name constraints of a service-account certificate's chain
 * (RFC 5280 §4.2.1.9, §4.2.1.10, §6.1; docs/protocol.md §7.6), on chains built for each rule.
 */
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import type {
  CertificateProblem,
  CertificateProblemCode,
  CertificateReport,
} from '../../src/certificates/certificate-report';
import { dnsWithin } from '../../src/certificates/chain-constraints';
import { supportedRootFromPem, type SupportedRoot } from '../../src/certificates/supported-roots';
import {
  validateCertificate,
  type ValidateCertificateOptions,
} from '../../src/certificates/validate-certificate';
import {
  caUnder,
  CN,
  constrainedCa,
  issue,
  leafUnder,
  nameConstraints,
  O,
  standardHierarchy,
  subjectAltName,
  testKey,
  withDns,
  type TestCert,
} from '../helpers/test-pki';

const { root, intermediate, leaf } = standardHierarchy();
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

const codesOf = (report: CertificateReport): CertificateProblemCode[] => report.problems.map((p) => p.code);
const only = (report: CertificateReport, code: CertificateProblemCode): CertificateProblem[] =>
  report.problems.filter((p) => p.code === code);

describe('RSA key size (NIST SP 800-131A; docs/protocol.md §7.6)', { timeout: 60_000 }, () => {
  it('refuses a 2047-bit RSA key as a KEY_TOO_SHORT error and takes one of exactly 2048 bits', () => {
    const short = leafUnder(intermediate, { key: testKey('leaf', 2047) });
    const report = validate(short, [intermediate]);
    expect(report.problems).toEqual([
      {
        code: 'KEY_TOO_SHORT',
        severity: 'error',
        message: '"ERP_Integration" has a 2047-bit RSA key (2048 or more required)',
      },
    ]);
    expect(report).toMatchObject({ ok: false, status: 'invalid' });
    expect(leaf.x509.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(validate(leaf, [intermediate])).toMatchObject({ ok: true, status: 'valid', problems: [] });
  });

  it('names an intermediate whose RSA key is too short', () => {
    const weakCa = caUnder(root, 'Short Key CA', { key: testKey('short-ca', 1024) });
    const report = validate(leafUnder(weakCa), [weakCa]);
    expect(report.problems).toEqual([
      {
        code: 'KEY_TOO_SHORT',
        severity: 'error',
        message: '"Short Key CA" has a 1024-bit RSA key (2048 or more required)',
      },
    ]);
  });

  it('with allowLegacyRsaKeys, lets a 1024-bit key through as a KEY_TOO_SHORT warning naming its size', () => {
    const legacy = leafUnder(intermediate, { key: testKey('leaf', 1024) });
    const report = validate(legacy, [intermediate], { allowLegacyRsaKeys: true });
    expect(report.problems).toEqual([
      {
        code: 'KEY_TOO_SHORT',
        severity: 'warning',
        message:
          '"ERP_Integration" has a 1024-bit RSA key, accepted only because legacy RSA keys are allowed (2048 or more required otherwise)',
      },
    ]);
    expect(report).toMatchObject({ ok: true, status: 'valid' });
    // The same key without the setting is refused.
    expect(validate(legacy, [intermediate]).problems.map((p) => `${p.code}:${p.severity}`)).toEqual([
      'KEY_TOO_SHORT:error',
    ]);
  });

  it('with allowLegacyRsaKeys, still refuses a 1023-bit key, and says nothing about a 2048-bit one', () => {
    const tooShort = leafUnder(intermediate, { key: testKey('leaf', 1023) });
    expect(validate(tooShort, [intermediate], { allowLegacyRsaKeys: true }).problems).toEqual([
      {
        code: 'KEY_TOO_SHORT',
        severity: 'error',
        message: '"ERP_Integration" has a 1023-bit RSA key (1024 or more required even for legacy keys)',
      },
    ]);
    expect(validate(leaf, [intermediate], { allowLegacyRsaKeys: true }).problems).toEqual([]);
  });
});

describe('basic constraints (RFC 5280 §4.2.1.9, §6.1.4 (k)–(m))', { timeout: 60_000 }, () => {
  it('a pathLen-0 intermediate may sign the leaf (its limit exactly used up)', () => {
    const zero = caUnder(root, 'PathLen0 CA', { pathLen: 0 });
    expect(validate(leafUnder(zero), [zero]).problems).toEqual([]);
  });

  it('a pathLen-0 intermediate may not issue another CA certificate: PATH_LENGTH_EXCEEDED names it', () => {
    const zero = caUnder(root, 'PathLen0 CA', { pathLen: 0 });
    const sub = caUnder(zero, 'Sub CA');
    const report = validate(leafUnder(sub), [sub, zero]);
    expect(report.problems).toEqual([
      {
        code: 'PATH_LENGTH_EXCEEDED',
        severity: 'error',
        message:
          '"PathLen0 CA" allows 0 intermediate CA certificates below it (pathLenConstraint), the chain has 1',
      },
    ]);
    expect(report.ok).toBe(false);
  });

  it('pathLen 1 takes one intermediate CA below it and refuses two', () => {
    const one = caUnder(root, 'PathLen1 CA', { pathLen: 1 });
    const sub1 = caUnder(one, 'Sub CA 1');
    const sub2 = caUnder(sub1, 'Sub CA 2');
    expect(validate(leafUnder(sub1), [sub1, one]).problems).toEqual([]);
    const report = validate(leafUnder(sub2), [sub2, sub1, one]);
    expect(report.problems).toEqual([
      {
        code: 'PATH_LENGTH_EXCEEDED',
        severity: 'error',
        message:
          '"PathLen1 CA" allows 1 intermediate CA certificate below it (pathLenConstraint), the chain has 2',
      },
    ]);
  });

  it("applies the pinned root's own pathLenConstraint", () => {
    const strictRoot = issue({
      commonName: 'Strict Root',
      key: testKey('strict-root'),
      ca: true,
      pathLen: 0,
    });
    const ca = caUnder(strictRoot, 'Under Strict Root');
    const report = validateCertificate(
      { certificate: leafUnder(ca).x509, chain: [ca.x509, strictRoot.x509] },
      { roots: [supportedRootFromPem('Strict Root', strictRoot.pem)] },
    );
    expect(codesOf(report)).toEqual(['PATH_LENGTH_EXCEEDED']);
    expect(report.problems[0]?.message).toMatch(/^"Strict Root" allows 0 /);
  });

  it('does not count a self-issued CA certificate (a key rollover) against the limit', () => {
    const zero = caUnder(root, 'PathLen0 CA', { pathLen: 0 });
    // Same name as its issuer, a new key: self-issued but not self-signed.
    const rollover = issue({
      commonName: 'PathLen0 CA',
      key: testKey('rollover'),
      issuer: zero,
      ca: true,
    });
    expect(rollover.x509.subject).toBe(rollover.x509.issuer);
    const report = validate(leafUnder(rollover), [rollover, zero]);
    expect(report.chain.map((l) => l.subject.split('\n').at(-1))).toEqual([
      'CN=ERP_Integration',
      'CN=PathLen0 CA',
      'CN=PathLen0 CA',
      'CN=Onbehalf Test Root',
    ]);
    expect(report.problems).toEqual([]);
  });

  it('reads pathLenConstraint only in a CA: a non-CA carrying one is ISSUER_NOT_CA alone', () => {
    const notCa = issue({
      commonName: 'Not A CA',
      key: testKey('not-ca'),
      issuer: root,
      eku: null,
      pathLen: 0,
    });
    const sub = caUnder(notCa, 'Sub CA');
    expect(codesOf(validate(leafUnder(sub), [sub, notCa]))).toEqual(['ISSUER_NOT_CA']);
  });

  it('refuses a pathLenConstraint that is negative or longer than 4 bytes (CONSTRAINTS_UNREADABLE)', () => {
    const withPathLen = (commonName: string, integerBytes: string): TestCert =>
      caUnder(root, commonName, {
        omitBasicConstraints: true,
        extraExtensions: [
          {
            id: '2.5.29.19',
            critical: true,
            value: asn1.create(U, asn1.Type.SEQUENCE, true, [
              asn1.create(U, asn1.Type.BOOLEAN, false, '\xff'),
              asn1.create(U, asn1.Type.INTEGER, false, integerBytes),
            ]),
          },
        ],
      });
    for (const ca of [
      withPathLen('Negative PathLen', '\xff'),
      withPathLen('Long PathLen', '\x01\x00\x00\x00\x00'),
    ]) {
      expect(only(validate(leafUnder(ca), [ca]), 'CONSTRAINTS_UNREADABLE')).toHaveLength(1);
    }
    const fourBytes = withPathLen('Four Byte PathLen', '\x01\x00\x00\x00');
    expect(validate(leafUnder(fourBytes), [fourBytes]).problems).toEqual([]);
  });

  it('a certificate with cA false, or without basicConstraints, may not sign others (ISSUER_NOT_CA)', () => {
    const notCa = issue({
      commonName: 'Not A CA',
      key: testKey('not-ca'),
      issuer: root,
      ca: false,
      eku: null,
    });
    expect(codesOf(validate(leafUnder(notCa), [notCa]))).toEqual(['ISSUER_NOT_CA']);
    const noBc = issue({
      commonName: 'No BC',
      key: testKey('no-bc'),
      issuer: root,
      omitBasicConstraints: true,
    });
    expect(codesOf(validate(leafUnder(noBc), [noBc]))).toEqual(['ISSUER_NOT_CA']);
  });
});

// --- name constraints ---------------------------------------------------------------------------

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const CTX = asn1.Class.CONTEXT_SPECIFIC;

describe('name constraints: dNSName (RFC 5280 §4.2.1.10)', { timeout: 60_000 }, () => {
  const ca = constrainedCa({
    permitted: [{ dns: 'contoso.example' }],
    excluded: [{ dns: 'blocked.contoso.example' }],
  });

  it('takes names made by adding labels on the left of a permitted name, and the name itself', () => {
    expect(
      validate(withDns(ca, 'erp.contoso.example', 'contoso.example', 'A.B.CONTOSO.example'), [ca]).problems,
    ).toEqual([]);
  });

  it('refuses a leaf with a DNS name outside the permitted subtrees (NAME_NOT_PERMITTED), naming both', () => {
    const report = validate(withDns(ca, 'erp.contoso.example', 'erp.fabrikam.example'), [ca]);
    expect(report.problems).toEqual([
      {
        code: 'NAME_NOT_PERMITTED',
        severity: 'error',
        message:
          '"ERP_Integration" has dNSName "erp.fabrikam.example", outside the names "Constrained CA" permits',
      },
    ]);
  });

  it('matches whole labels: evilcontoso.example is not within contoso.example', () => {
    expect(codesOf(validate(withDns(ca, 'evilcontoso.example'), [ca]))).toEqual(['NAME_NOT_PERMITTED']);
  });

  it('refuses a name inside an excluded subtree even when a permitted subtree holds it (NAME_EXCLUDED)', () => {
    const report = validate(withDns(ca, 'x.Blocked.contoso.example'), [ca]);
    expect(report.problems).toEqual([
      {
        code: 'NAME_EXCLUDED',
        severity: 'error',
        message: '"ERP_Integration" has dNSName "x.Blocked.contoso.example", which "Constrained CA" excludes',
      },
    ]);
  });

  it('accepts a certificate without any DNS name under DNS-only constraints', () => {
    expect(validate(leafUnder(ca), [ca]).problems).toEqual([]);
  });

  it('applies the constraints to a CA further down, and to the leaf under it', () => {
    const sub = caUnder(ca, 'Sub CA', { altNames: { dns: ['ca.fabrikam.example'] } });
    const report = validate(withDns(sub, 'erp.fabrikam.example'), [sub, ca]);
    expect(report.problems.map((p) => p.message)).toEqual([
      '"ERP_Integration" has dNSName "erp.fabrikam.example", outside the names "Constrained CA" permits',
      '"Sub CA" has dNSName "ca.fabrikam.example", outside the names "Constrained CA" permits',
    ]);
  });

  it('reads a leading dot as "subdomains only", and an empty name as every name', () => {
    expect(dnsWithin('a.contoso.example', '.contoso.example')).toBe(true);
    expect(dnsWithin('contoso.example', '.contoso.example')).toBe(false);
    expect(dnsWithin('anything.example', '')).toBe(true);
    expect(dnsWithin('contoso.example', 'contoso.example')).toBe(true);
    expect(dnsWithin('example', 'contoso.example')).toBe(false);
  });

  it('refuses a leaf under a root whose own name constraints exclude it', () => {
    const constrainedRoot = issue({
      commonName: 'Constrained Root',
      key: testKey('constrained-root'),
      ca: true,
      extraExtensions: [nameConstraints({ excluded: [{ dns: 'fabrikam.example' }] })],
    });
    const ca2 = caUnder(constrainedRoot, 'Under Constrained Root');
    const report = validateCertificate(
      { certificate: withDns(ca2, 'erp.fabrikam.example').x509, chain: [ca2.x509, constrainedRoot.x509] },
      { roots: [supportedRootFromPem('Constrained Root', constrainedRoot.pem)] },
    );
    expect(report.problems.map((p) => p.message)).toEqual([
      '"ERP_Integration" has dNSName "erp.fabrikam.example", which "Constrained Root" excludes',
    ]);
  });
});

describe('name constraints: directoryName (RFC 5280 §4.2.1.10, §7.1)', { timeout: 60_000 }, () => {
  const subjectOf = (org: string, cn: string): forge.pki.CertificateField[] => [
    { name: 'organizationName', value: org },
    { name: 'commonName', value: cn },
  ];

  it('takes a subject under the permitted DN and refuses one outside it, naming the subject', () => {
    const ca = constrainedCa({ permitted: [{ dn: [[[O, 'Onbehalf Tests']]] }] });
    expect(validate(leafUnder(ca), [ca]).problems).toEqual([]);
    const outside = leafUnder(ca, { subject: subjectOf('Elsewhere', 'ERP_Integration') });
    expect(validate(outside, [ca]).problems).toEqual([
      {
        code: 'NAME_NOT_PERMITTED',
        severity: 'error',
        message:
          '"ERP_Integration" has directoryName "O=Elsewhere, CN=ERP_Integration", outside the names "Constrained CA" permits',
      },
    ]);
  });

  it('compares RDN by RDN from the top: a base longer than the subject, or in another order, does not match', () => {
    const ca = constrainedCa({
      permitted: [{ dn: [[[O, 'Onbehalf Tests']], [[CN, 'ERP_Integration']], [[CN, 'More']]] }],
    });
    expect(codesOf(validate(leafUnder(ca), [ca]))).toEqual(['NAME_NOT_PERMITTED']);
    const reversed = constrainedCa({
      permitted: [{ dn: [[[CN, 'ERP_Integration']], [[O, 'Onbehalf Tests']]] }],
    });
    expect(codesOf(validate(leafUnder(reversed), [reversed]))).toEqual(['NAME_NOT_PERMITTED']);
  });

  it('refuses an excluded DN whatever its case, spacing or string type (NAME_EXCLUDED)', () => {
    // The base is PrintableString; forge writes the leaf's names as UTF8String.
    const ca = constrainedCa({
      permitted: [{ dn: [[[O, 'Onbehalf Tests']]] }],
      excluded: [{ dn: [[[O, 'ONBEHALF  tests ']], [[CN, 'blocked']]] }],
    });
    const blocked = leafUnder(ca, { subject: subjectOf('Onbehalf Tests', 'Blocked') });
    expect(validate(blocked, [ca]).problems).toEqual([
      {
        code: 'NAME_EXCLUDED',
        severity: 'error',
        message:
          '"Blocked" has directoryName "O=Onbehalf Tests, CN=Blocked", which "Constrained CA" excludes',
      },
    ]);
    expect(validate(leafUnder(ca), [ca]).problems).toEqual([]);
  });

  it('compares BMPString and UniversalString values as text', () => {
    const bmp = constrainedCa(
      { excluded: [{ dn: [[[O, 'onbehalf tests', asn1.Type.BMPSTRING]]] }] },
      'BMP CA',
    );
    expect(codesOf(validate(leafUnder(bmp), [bmp]))).toEqual(['NAME_EXCLUDED']);
    const ucs4 = [...'Onbehalf Tests'].map((c) => `\0\0\0${c}`).join('');
    const universal = constrainedCa({ excluded: [{ dn: [[[O, ucs4, 28]]] }] }, 'Universal CA');
    expect(codesOf(validate(leafUnder(universal), [universal]))).toEqual(['NAME_EXCLUDED']);
    const odd = constrainedCa({ excluded: [{ dn: [[[O, '\0\0\0O\0', 28]]] }] }, 'Odd UCS-4 CA');
    expect(codesOf(validate(leafUnder(odd), [odd]))).toContain('CONSTRAINTS_UNREADABLE');
  });

  it('compares other value types by their DER, and shows unknown attribute types by OID', () => {
    const serial = '2.5.4.5';
    const ca = constrainedCa({ permitted: [{ dn: [[[serial, '\x2a', asn1.Type.INTEGER]]] }] });
    // (OpenSSL does not take a non-string value in a name constraint either: it reports the CA unusable.)
    const report = validate(leafUnder(ca), [ca]);
    expect(only(report, 'NAME_NOT_PERMITTED').map((p) => p.message)).toEqual([
      '"ERP_Integration" has directoryName "O=Onbehalf Tests, CN=ERP_Integration", outside the names "Constrained CA" permits',
    ]);
    // A subject attribute type without a short name shows as its OID.
    const permitted = constrainedCa({ permitted: [{ dn: [[[O, 'Onbehalf Tests']]] }] }, 'Org CA');
    const numbered = leafUnder(permitted, {
      subject: [
        { name: 'organizationName', value: 'Elsewhere' },
        {
          type: serial,
          value: '42',
          valueTagClass: asn1.Type.PRINTABLESTRING,
        } as unknown as forge.pki.CertificateField,
      ],
    });
    expect(validate(numbered, [permitted]).problems.map((p) => p.message)).toEqual([
      '"O=Elsewhere, serialNumber=42" has directoryName "O=Elsewhere, 2.5.4.5=42", outside the names "Org CA" permits',
    ]);
  });

  it('checks directoryName alt names too', () => {
    const ca = constrainedCa({ excluded: [{ dn: [[[O, 'Fabrikam']]] }] });
    const alt = leafUnder(ca, {
      extraExtensions: [subjectAltName([{ dn: [[[O, 'Fabrikam']], [[CN, 'x']]] }])],
    });
    expect(only(validate(alt, [ca]), 'NAME_EXCLUDED').map((p) => p.message)).toEqual([
      '"ERP_Integration" has directoryName "O=Fabrikam, CN=x", which "Constrained CA" excludes',
    ]);
  });

  it('exempts a self-issued intermediate, but not a self-issued leaf (§6.1.3 (b))', () => {
    const otherName = subjectOf('Other', 'Other CA');
    const ca = issue({
      commonName: 'Other CA',
      subject: otherName,
      key: testKey('other-ca'),
      issuer: root,
      ca: true,
      extraExtensions: [nameConstraints({ permitted: [{ dn: [[[O, 'Onbehalf Tests']]] }] })],
    });
    const rollover = issue({
      commonName: 'Other CA',
      subject: otherName,
      key: testKey('other-rollover'),
      issuer: ca,
      ca: true,
    });
    expect(validate(leafUnder(rollover), [rollover, ca]).problems).toEqual([]);
    const selfIssuedLeaf = leafUnder(ca, { subject: otherName });
    expect(codesOf(validate(selfIssuedLeaf, [ca]))).toEqual(['NAME_NOT_PERMITTED']);
  });
});

describe('name constraints of forms not checked here', { timeout: 60_000 }, () => {
  it('refuses critical name constraints on rfc822Name or iPAddress (NAME_CONSTRAINTS_UNSUPPORTED error)', () => {
    const ca = constrainedCa({
      permitted: [{ email: 'contoso.example' }, { dns: 'contoso.example' }],
      excluded: [{ ip: '\x0a\x00\x00\x00\xff\x00\x00\x00' }],
    });
    const report = validate(leafUnder(ca), [ca]);
    expect(report.problems).toEqual([
      {
        code: 'NAME_CONSTRAINTS_UNSUPPORTED',
        severity: 'error',
        message:
          '"Constrained CA" has critical name constraints on rfc822Name, iPAddress, which are not checked here',
      },
    ]);
    expect(report.ok).toBe(false);
  });

  it('names each unchecked form once, and an unknown tag by its number', () => {
    const ca = constrainedCa({
      permitted: [
        { email: 'a.example' },
        { email: 'b.example' },
        { raw: asn1.create(CTX, 8, false, asn1.oidToDer('1.2.3').getBytes()) },
      ],
      excluded: [{ raw: asn1.create(CTX, 9, false, 'x') }],
    });
    // (OpenSSL cannot parse tag [9] either, and reports the CA unusable.)
    expect(only(validate(leafUnder(ca), [ca]), 'NAME_CONSTRAINTS_UNSUPPORTED').map((p) => p.message)).toEqual(
      [
        '"Constrained CA" has critical name constraints on rfc822Name, registeredID, GeneralName tag 0x89, which are not checked here',
      ],
    );
  });

  it('only warns about such forms in non-critical name constraints', () => {
    const ca = constrainedCa({ permitted: [{ email: 'contoso.example' }], critical: false });
    const report = validate(leafUnder(ca), [ca]);
    expect(report.problems).toEqual([
      {
        code: 'NAME_CONSTRAINTS_UNSUPPORTED',
        severity: 'warning',
        message: '"Constrained CA" has name constraints on rfc822Name, which are not checked here',
      },
    ]);
    expect(report.ok).toBe(true);
  });

  it('refuses a subtree with a maximum, and takes an explicit minimum of 0', () => {
    const maximum = constrainedCa({
      permitted: [{ dns: 'contoso.example' }],
      range: [asn1.create(CTX, 1, false, '\x05')],
    });
    expect(validate(leafUnder(maximum), [maximum]).problems.map((p) => p.message)).toEqual([
      '"Constrained CA" has critical name constraints on subtree minimum/maximum, which are not checked here',
    ]);
    const minimumZero = constrainedCa({
      permitted: [{ dns: 'contoso.example' }],
      range: [asn1.create(CTX, 0, false, '\x00')],
    });
    expect(validate(leafUnder(minimumZero), [minimumZero]).problems).toEqual([]);
  });

  describe('malformed constraint extensions are CONSTRAINTS_UNREADABLE, never skipped', () => {
    const seq = (...items: forge.asn1.Asn1[]) => asn1.create(U, asn1.Type.SEQUENCE, true, items);
    const set = (...items: forge.asn1.Asn1[]) => asn1.create(U, asn1.Type.SET, true, items);
    const oid = (dotted: string) => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
    const text = (value: string) => asn1.create(U, asn1.Type.PRINTABLESTRING, false, value);
    const dirName = (...names: forge.asn1.Asn1[]) => asn1.create(CTX, 4, true, names);
    const der = (node: forge.asn1.Asn1) => asn1.toDer(node).getBytes();
    const san = (value: forge.asn1.Asn1 | string) => ({ id: '2.5.29.17', value });
    const nc = (value: forge.asn1.Asn1) => ({ id: '2.5.29.30', critical: true, value });
    const cases: Array<[string, 'leaf' | 'ca', object]> = [
      ['a directoryName holding no Name', 'leaf', san(seq(dirName(text('x'))))],
      ['a directoryName holding two Names', 'leaf', san(seq(dirName(seq(), seq())))],
      ['an RDN that is not a SET', 'leaf', san(seq(dirName(seq(seq(seq(oid(O), text('x')))))))],
      ['an attribute without a value', 'leaf', san(seq(dirName(seq(set(seq(oid(O)))))))],
      [
        'an extension value with bytes after it',
        'leaf',
        san(der(seq(asn1.create(CTX, 2, false, 'a.example'))) + '\x00'),
      ],
      [
        'basicConstraints that is not a SEQUENCE',
        'ca',
        { id: '2.5.29.19', critical: true, value: text('x') },
      ],
      ['nameConstraints that is not a SEQUENCE', 'ca', nc(text('x'))],
      ['a GeneralSubtree that is not a SEQUENCE', 'ca', nc(seq(asn1.create(CTX, 0, true, [text('x')])))],
      ['an empty GeneralSubtree', 'ca', nc(seq(asn1.create(CTX, 0, true, [seq()])))],
    ];
    it.each(cases)('%s', (_what, where, extension) => {
      const report =
        where === 'leaf'
          ? validate(leafUnder(intermediate, { extraExtensions: [extension] }), [intermediate])
          : (() => {
              const ca = caUnder(root, 'Malformed CA', { extraExtensions: [extension] });
              return validate(leafUnder(ca), [ca]);
            })();
      expect(codesOf(report)).toContain('CONSTRAINTS_UNREADABLE');
      expect(report.ok).toBe(false);
    });
  });

  it('refuses a chain whose name constraints cannot be read (CONSTRAINTS_UNREADABLE)', () => {
    const broken = {
      id: '2.5.29.30',
      critical: true,
      // [2] is neither permittedSubtrees [0] nor excludedSubtrees [1].
      value: asn1.create(U, asn1.Type.SEQUENCE, true, [asn1.create(CTX, 2, true, [])]),
    };
    const ca = caUnder(root, 'Broken NC CA', { extraExtensions: [broken] });
    const report = validate(leafUnder(ca), [ca]);
    expect(only(report, 'CONSTRAINTS_UNREADABLE')).toEqual([
      {
        code: 'CONSTRAINTS_UNREADABLE',
        severity: 'error',
        message:
          'the extensions of "Broken NC CA" cannot be read, so its basic and name constraints cannot be checked',
      },
    ]);
    expect(report.ok).toBe(false);
  });
});

it('the chain-constraint helpers see Node certificates the way validation does', () => {
  expect(new X509Certificate(leaf.pem).subject).toBe('O=Onbehalf Tests\nCN=ERP_Integration');
});
