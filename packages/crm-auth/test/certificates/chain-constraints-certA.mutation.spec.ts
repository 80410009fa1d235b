/**
 * Basic and name constraints along a chain (RFC 5280 §4.2.1.9, §4.2.1.10, §6.1), the cases
 * certificate-constraints.spec.ts leaves open: which certificates' own constraints apply, several
 * subtrees of one kind, multi-valued RDNs, a dot-led DNS constraint against the same name, an empty
 * subject, unreadable certificates inside a pathLen count, and the shape of a root entry.
 */
import type { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import type {
  CertificateProblem,
  CertificateProblemCode,
  CertificateReport,
} from '../../src/certificates/certificate-report';
import { checkChainConstraints, dnsWithin } from '../../src/certificates/chain-constraints';
import { supportedRootFromPem, type SupportedRoot } from '../../src/certificates/supported-roots';
import {
  describe as describeCert,
  validateCertificate,
  type ValidateCertificateOptions,
} from '../../src/certificates/validate-certificate';
import { invalidOptions } from '../helpers/invalid-options';
import {
  caUnder,
  CN,
  constrainedCa,
  leafUnder,
  nameConstraints,
  O,
  standardHierarchy,
  subjectAltName,
  withDns,
  type Rdn,
  type TestCert,
} from '../helpers/test-pki';

const { root, intermediate, leaf } = standardHierarchy();
const roots: SupportedRoot[] = [supportedRootFromPem('Onbehalf Test Root', root.pem)];

function validate(cert: TestCert, chain: TestCert[]): CertificateReport {
  return validateCertificate({ certificate: cert.x509, chain: chain.map((c) => c.x509) }, { roots });
}

const codesOf = (report: CertificateReport): CertificateProblemCode[] => report.problems.map((p) => p.code);

/** The problems checkChainConstraints alone reports for a path given leaf first. */
function constraintProblems(path: TestCert[]): CertificateProblem[] {
  const problems: CertificateProblem[] = [];
  checkChainConstraints(
    path.map((c) => c.x509),
    (cert: X509Certificate) => describeCert(cert),
    (code, message, severity = 'error') => {
      problems.push({ code, severity, message });
    },
  );
  return problems;
}

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;

const withAltDn = (issuer: TestCert, dn: Rdn[]): TestCert =>
  leafUnder(issuer, { extraExtensions: [subjectAltName([{ dn }])] });

describe('whose constraints apply (RFC 5280 §6.1.3 (b)–(c), §6.1.4 (l))', { timeout: 60_000 }, () => {
  it("ignores the leaf's own name constraints: they constrain only certificates it issues", () => {
    const constrainedLeaf = leafUnder(intermediate, {
      extraExtensions: [nameConstraints({ permitted: [{ email: 'contoso.example' }, { dns: 'x.example' }] })],
    });
    expect(constraintProblems([constrainedLeaf])).toEqual([]);
    expect(constraintProblems([constrainedLeaf, intermediate, root])).toEqual([]);
    expect(codesOf(validate(constrainedLeaf, [intermediate]))).not.toContain('NAME_CONSTRAINTS_UNSUPPORTED');
  });

  it('counts an intermediate whose extensions cannot be read against a pathLenConstraint above it', () => {
    const zero = caUnder(root, 'PathLen0 CA', { pathLen: 0 });
    const unreadable = caUnder(zero, 'Unreadable CA', {
      extraExtensions: [
        {
          id: '2.5.29.30',
          critical: true,
          value: asn1.create(U, asn1.Type.PRINTABLESTRING, false, 'x'),
        },
      ],
    });
    const end = leafUnder(unreadable);
    expect(constraintProblems([end, unreadable, zero, root])).toEqual([
      {
        code: 'CONSTRAINTS_UNREADABLE',
        severity: 'error',
        message:
          'the extensions of "Unreadable CA" cannot be read, so its basic and name constraints cannot be checked',
      },
      {
        code: 'PATH_LENGTH_EXCEEDED',
        severity: 'error',
        message:
          '"PathLen0 CA" allows 0 intermediate CA certificates below it (pathLenConstraint), the chain has 1',
      },
    ]);
  });

  it('warns about every unchecked form of non-critical name constraints, listed with commas', () => {
    const ca = constrainedCa({
      permitted: [{ email: 'contoso.example' }],
      excluded: [{ ip: '\x0a\x00\x00\x00\xff\x00\x00\x00' }],
      critical: false,
    });
    expect(validate(leafUnder(ca), [ca]).problems).toEqual([
      {
        code: 'NAME_CONSTRAINTS_UNSUPPORTED',
        severity: 'warning',
        message: '"Constrained CA" has name constraints on rfc822Name, iPAddress, which are not checked here',
      },
    ]);
  });
});

describe('dNSName constraints with several subtrees, or of one kind only', { timeout: 60_000 }, () => {
  it('takes a DNS name within any one of several permitted subtrees', () => {
    const ca = constrainedCa({ permitted: [{ dns: 'contoso.example' }, { dns: 'fabrikam.example' }] });
    expect(validate(withDns(ca, 'erp.contoso.example', 'erp.fabrikam.example'), [ca]).problems).toEqual([]);
    expect(codesOf(validate(withDns(ca, 'erp.litware.example'), [ca]))).toEqual(['NAME_NOT_PERMITTED']);
  });

  it('refuses a DNS name within any one of several excluded subtrees', () => {
    const ca = constrainedCa({ excluded: [{ dns: 'contoso.example' }, { dns: 'fabrikam.example' }] });
    expect(validate(withDns(ca, 'erp.fabrikam.example'), [ca]).problems.map((p) => p.message)).toEqual([
      '"ERP_Integration" has dNSName "erp.fabrikam.example", which "Constrained CA" excludes',
    ]);
  });

  it('with only excluded DNS subtrees, permits every DNS name outside them', () => {
    const ca = constrainedCa({ excluded: [{ dns: 'fabrikam.example' }] });
    expect(validate(withDns(ca, 'erp.contoso.example'), [ca]).problems).toEqual([]);
  });

  it('with only directoryName subtrees permitted, leaves DNS names unconstrained', () => {
    const ca = constrainedCa({ permitted: [{ dn: [[[O, 'Onbehalf Tests']]] }] });
    expect(validate(withDns(ca, 'erp.contoso.example'), [ca]).problems).toEqual([]);
  });

  it('a dot-led constraint takes only names longer than it: the same name with its dot is not within', () => {
    expect(dnsWithin('.contoso.example', '.contoso.example')).toBe(false);
    expect(dnsWithin('.CONTOSO.example', '.contoso.example')).toBe(false);
    expect(dnsWithin('x.contoso.example', '.contoso.example')).toBe(true);
    const ca = constrainedCa({ excluded: [{ dns: '.contoso.example' }] });
    expect(validate(withDns(ca, '.contoso.example'), [ca]).problems).toEqual([]);
  });

  it('a dot-led constraint also needs the name to end with it, however long the name', () => {
    expect(dnsWithin('www.fabrikam.example', '.contoso.example')).toBe(false);
    const ca = constrainedCa({ excluded: [{ dns: '.contoso.example' }] });
    expect(validate(withDns(ca, 'www.fabrikam.example'), [ca]).problems).toEqual([]);
  });
});

describe(
  'directoryName constraints: several subtrees, multi-valued RDNs, empty subjects',
  { timeout: 60_000 },
  () => {
    it('takes a subject within any one of several permitted directory subtrees', () => {
      const ca = constrainedCa({
        permitted: [{ dn: [[[O, 'Fabrikam']]] }, { dn: [[[O, 'Onbehalf Tests']]] }],
      });
      expect(validate(leafUnder(ca), [ca]).problems).toEqual([]);
    });

    it('does not check an empty subject against directory subtrees (only directoryName alt names)', () => {
      const ca = constrainedCa({ permitted: [{ dn: [[[O, 'Onbehalf Tests']]] }] });
      const anonymous = leafUnder(ca, { subject: [], altNames: { dns: ['erp.contoso.example'] } });
      // Node 20 gives an empty subject as undefined (hence the fallback).
      expect(anonymous.x509.subject ?? '').toBe('');
      expect(constraintProblems([anonymous, ca, root])).toEqual([]);
      const anonymousOutside = leafUnder(ca, {
        subject: [],
        extraExtensions: [subjectAltName([{ dn: [[[O, 'Elsewhere']]] }])],
      });
      expect(constraintProblems([anonymousOutside, ca, root]).map((p) => p.message)).toEqual([
        `the certificate with an empty subject (serial ${anonymousOutside.x509.serialNumber}) has directoryName "O=Elsewhere", outside the names "Constrained CA" permits`,
      ]);
    });

    it('an RDN matches only an RDN with the same number of attributes', () => {
      const ca = constrainedCa({ excluded: [{ dn: [[[O, 'Fabrikam']]] }] });
      const multi = withAltDn(ca, [
        [
          [O, 'Fabrikam'],
          [CN, 'x'],
        ],
      ]);
      expect(validate(multi, [ca]).problems).toEqual([]);
    });

    it('a multi-valued RDN matches when every attribute matches, and is shown joined by "+"', () => {
      const ca = constrainedCa({
        excluded: [
          {
            dn: [
              [
                [O, 'Fabrikam'],
                [CN, 'x'],
              ],
            ],
          },
        ],
      });
      const same = withAltDn(ca, [
        [
          [O, 'FABRIKAM'],
          [CN, 'x'],
        ],
      ]);
      expect(validate(same, [ca]).problems.map((p) => p.message)).toEqual([
        '"ERP_Integration" has directoryName "O=FABRIKAM+CN=x", which "Constrained CA" excludes',
      ]);
      const oneDiffers = withAltDn(ca, [
        [
          [O, 'Fabrikam'],
          [CN, 'y'],
        ],
      ]);
      expect(validate(oneDiffers, [ca]).problems).toEqual([]);
    });

    it('an attribute matches only one of the same type: O=Fabrikam is not CN=Fabrikam', () => {
      const ca = constrainedCa({ excluded: [{ dn: [[[CN, 'Fabrikam']]] }] });
      expect(validate(withAltDn(ca, [[[O, 'Fabrikam']]]), [ca]).problems).toEqual([]);
      expect(codesOf(validate(withAltDn(ca, [[[CN, 'fabrikam']]]), [ca]))).toEqual(['NAME_EXCLUDED']);
    });
  },
);

describe('validateCertificate root entries', () => {
  it('refuses a root entry that is a function, even one with a name and a thumbprint', () => {
    const fnRoot = Object.assign(() => undefined, { thumbprintSha1Hex: root.x509.fingerprint });
    expect(typeof fnRoot.name).toBe('string');
    expect(() =>
      validateCertificate({ certificate: leaf.x509, chain: [intermediate.x509] }, {
        roots: [fnRoot as unknown as SupportedRoot],
      } as ValidateCertificateOptions),
    ).toThrow(invalidOptions('each root must be { name, thumbprintSha1Hex, certificatePem? }'));
  });
});
