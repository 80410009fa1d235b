/**
 * How chain-constraints.ts reads the basicConstraints and nameConstraints extensions and the names
 * they are checked against (RFC 5280 §4.2.1.6, §4.2.1.9, §4.2.1.10; RFC 4518 for name comparison):
 * readConstraintFacts on minimal certificates whose DER is built by hand here, and whole chains from
 * the test PKI where a reading shows in the validation report.
 */
import { describe, expect, it } from 'vitest';
import type { CertificateReport } from '../../src/certificates/certificate-report';
import { readConstraintFacts } from '../../src/certificates/chain-constraints';
import { DerError } from '../../src/certificates/der-reader';
import { supportedRootFromPem, type SupportedRoot } from '../../src/certificates/supported-roots';
import { validateCertificate } from '../../src/certificates/validate-certificate';
import {
  caUnder,
  CN,
  integer,
  issue,
  leafUnder,
  O,
  oid,
  printable,
  seq,
  set,
  standardHierarchy,
  testKey,
  tlv,
  type TestCert,
} from '../helpers/test-pki';

// --- minimal DER, by hand ----------------------------------------------------------------------

const bytes = (...values: number[]): Buffer => Buffer.from(values);
const TRUE = tlv(0x01, bytes(0xff));
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

const SERIAL_NUMBER = '2.5.4.5';
const BASIC_CONSTRAINTS = '2.5.29.19';
const NAME_CONSTRAINTS = '2.5.29.30';
const SUBJECT_ALT_NAME = '2.5.29.17';

/** One AttributeTypeAndValue in its own RDN. */
const rdn = (type: string, value: Buffer): Buffer => set(seq(oid(type), value));
const dirName = (...names: Buffer[]): Buffer => tlv(0xa4, ...names);
const dnsName = (name: string): Buffer => tlv(0x82, Buffer.from(name, 'latin1'));
const permitted = (...subtrees: Buffer[]): Buffer => tlv(0xa0, ...subtrees);
const excluded = (...subtrees: Buffer[]): Buffer => tlv(0xa1, ...subtrees);

const extension = (id: string, value: Buffer): Buffer => seq(oid(id), TRUE, tlv(0x04, value));

/** A certificate with only the fields readConstraintFacts looks at filled in (no real key or signature). */
function certificate(extensions: Buffer[], subject = seq(rdn(CN, printable('Subject')))): Buffer {
  const algorithm = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));
  const time = tlv(0x17, Buffer.from('260101000000Z', 'latin1'));
  const tbs = seq(
    tlv(0xa0, integer(2)),
    integer(1),
    algorithm,
    seq(rdn(CN, printable('Issuer'))),
    seq(time, time),
    subject,
    seq(seq(oid('1.2.840.113549.1.1.1'), tlv(0x05)), tlv(0x03, bytes(0))),
    ...(extensions.length > 0 ? [tlv(0xa3, seq(...extensions))] : []),
  );
  return seq(tbs, algorithm, tlv(0x03, bytes(0)));
}

const facts = (...extensions: Buffer[]) => readConstraintFacts(certificate(extensions));
const pathLenOf = (basicConstraints: Buffer) => facts(extension(BASIC_CONSTRAINTS, basicConstraints)).pathLen;
const nameConstraintsOf = (value: Buffer) => facts(extension(NAME_CONSTRAINTS, value)).nameConstraints;

/** What readConstraintFacts throws for `der`: a DerError with this message, not some other error. */
function expectDerError(read: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    read();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DerError);
  expect((thrown as Error).message).toBe(message);
}

// --- chains from the test PKI ------------------------------------------------------------------

const { root } = standardHierarchy();
const roots: SupportedRoot[] = [supportedRootFromPem('Onbehalf Test Root', root.pem)];

const validate = (cert: TestCert, chain: TestCert[]): CertificateReport =>
  validateCertificate({ certificate: cert.x509, chain: chain.map((c) => c.x509) }, { roots });

/** An extension forge writes as given: its value is DER built here. */
const rawExtension = (id: string, value: Buffer): object => ({
  id,
  critical: true,
  value: value.toString('binary'),
});

const caWithNameConstraints = (value: Buffer, commonName = 'Constrained CA'): TestCert =>
  caUnder(root, commonName, { extraExtensions: [rawExtension(NAME_CONSTRAINTS, value)] });
/** A leaf with these subjectAltNames and a subject (O=Elsewhere) that no constraint here names. */
const leafWithAltNames = (issuer: TestCert, ...names: Buffer[]): TestCert =>
  leafUnder(issuer, {
    subject: [
      { name: 'organizationName', value: 'Elsewhere' },
      { name: 'commonName', value: 'ERP_Integration' },
    ],
    extraExtensions: [rawExtension(SUBJECT_ALT_NAME, seq(...names))],
  });

// --- basicConstraints ---------------------------------------------------------------------------

describe('readConstraintFacts: basicConstraints pathLenConstraint (RFC 5280 §4.2.1.9)', () => {
  it('reads pathLenConstraint as an unsigned big-endian integer of up to four bytes', () => {
    expect(pathLenOf(seq(TRUE, integer(0)))).toBe(0);
    expect(pathLenOf(seq(TRUE, integer(0x01, 0x00)))).toBe(256);
    expect(pathLenOf(seq(TRUE, integer(0x01, 0x02, 0x03, 0x04)))).toBe(0x01020304);
    expect(pathLenOf(seq(TRUE, integer(0x00, 0xff)))).toBe(255);
  });

  it('reads pathLenConstraint after an absent cA (DEFAULT FALSE, so DER leaves it out), and none from cA alone', () => {
    expect(pathLenOf(seq(integer(3)))).toBe(3);
    expect(pathLenOf(seq(TRUE))).toBeUndefined();
    expect(pathLenOf(seq())).toBeUndefined();
    // The same from a certificate the test PKI writes: cA FALSE with a pathLenConstraint of 3.
    const notCa = issue({
      commonName: 'Not A CA',
      key: testKey('not-ca'),
      issuer: root,
      eku: null,
      pathLen: 3,
    });
    expect(readConstraintFacts(notCa.x509.raw).pathLen).toBe(3);
  });

  it('refuses an empty or negative pathLenConstraint INTEGER as "pathLenConstraint out of range"', () => {
    expectDerError(() => pathLenOf(seq(TRUE, tlv(0x02))), 'pathLenConstraint out of range');
    expectDerError(() => pathLenOf(seq(TRUE, integer(0x80))), 'pathLenConstraint out of range');
    expectDerError(() => pathLenOf(seq(TRUE, integer(1, 0, 0, 0, 0))), 'pathLenConstraint out of range');
  });

  it('refuses basicConstraints that is a SET rather than a SEQUENCE as "malformed basicConstraints"', () => {
    expectDerError(() => pathLenOf(set(TRUE, integer(2))), 'malformed basicConstraints');
    expectDerError(() => pathLenOf(printable('x')), 'malformed basicConstraints');
  });

  it('a two-byte pathLenConstraint of 256 allows one intermediate CA below it', { timeout: 60_000 }, () => {
    const wide = issue({
      commonName: 'PathLen256 CA',
      key: testKey('pathlen-256'),
      issuer: root,
      ca: true,
      pathLen: 256,
    });
    expect(readConstraintFacts(wide.x509.raw).pathLen).toBe(256);
    const sub = issue({ commonName: 'Sub CA', key: testKey('sub-ca'), issuer: wide, ca: true });
    expect(validate(leafUnder(sub), [sub, wide]).problems).toEqual([]);
  });
});

// --- nameConstraints ----------------------------------------------------------------------------

describe('readConstraintFacts: nameConstraints (RFC 5280 §4.2.1.10)', () => {
  it('reads exactly the subtrees listed: nothing permitted or excluded that the extension does not name', () => {
    expect(nameConstraintsOf(seq(permitted(seq(dnsName('contoso.example')))))).toEqual({
      critical: true,
      permitted: { dns: ['contoso.example'], directory: [] },
      excluded: { dns: [], directory: [] },
      unchecked: [],
    });
    expect(
      nameConstraintsOf(
        seq(excluded(seq(dnsName('blocked.example')), seq(dirName(seq(rdn(O, printable('X'))))))),
      ),
    ).toEqual({
      critical: true,
      permitted: { dns: [], directory: [] },
      excluded: { dns: ['blocked.example'], directory: [[[{ type: O, value: 'x', shown: 'X' }]]] },
      unchecked: [],
    });
    expect(nameConstraintsOf(seq())).toEqual({
      critical: true,
      permitted: { dns: [], directory: [] },
      excluded: { dns: [], directory: [] },
      unchecked: [],
    });
  });

  it('refuses nameConstraints that is a SET rather than a SEQUENCE as "malformed nameConstraints"', () => {
    expectDerError(
      () => nameConstraintsOf(set(permitted(seq(dnsName('contoso.example'))))),
      'malformed nameConstraints',
    );
  });

  it('refuses a subtree list tagged other than [0] or [1] as "malformed nameConstraints"', () => {
    expectDerError(() => nameConstraintsOf(seq(tlv(0xa2))), 'malformed nameConstraints');
  });

  it('refuses a GeneralSubtree that is not a SEQUENCE (a GeneralName listed bare) as "malformed GeneralSubtree"', () => {
    expectDerError(
      () => nameConstraintsOf(seq(permitted(dirName(seq(rdn(O, printable('X'))))))),
      'malformed GeneralSubtree',
    );
    expectDerError(
      () => nameConstraintsOf(seq(permitted(set(dnsName('contoso.example'))))),
      'malformed GeneralSubtree',
    );
  });

  it('refuses an empty GeneralSubtree as "malformed GeneralSubtree"', () => {
    expectDerError(() => nameConstraintsOf(seq(permitted(seq()))), 'malformed GeneralSubtree');
  });

  it('marks a subtree with a minimum other than 0, or with any maximum (even 0), as not checked here', () => {
    const withRange = (...range: Buffer[]) =>
      nameConstraintsOf(seq(permitted(seq(dnsName('contoso.example'), ...range))))?.unchecked;
    expect(withRange()).toEqual([]);
    expect(withRange(tlv(0x80, bytes(0)))).toEqual([]);
    expect(withRange(tlv(0x80, bytes(5)))).toEqual(['subtree minimum/maximum']);
    expect(withRange(tlv(0x81, bytes(0)))).toEqual(['subtree minimum/maximum']);
    expect(withRange(tlv(0x80, bytes(0)), tlv(0x81, bytes(0)))).toEqual(['subtree minimum/maximum']);
  });
});

describe('name constraints in a chain: what the reading decides', { timeout: 60_000 }, () => {
  it('a CA that only excludes DNS subtrees leaves every other DNS name allowed', () => {
    const ca = caWithNameConstraints(seq(excluded(seq(dnsName('blocked.example')))), 'Excluding CA');
    expect(validate(leafWithAltNames(ca, dnsName('erp.contoso.example')), [ca]).problems).toEqual([]);
    expect(
      validate(leafWithAltNames(ca, dnsName('x.blocked.example')), [ca]).problems.map((p) => p.code),
    ).toEqual(['NAME_EXCLUDED']);
  });

  it('a permitted subtree with a minimum of 5 or a maximum of 0 is NAME_CONSTRAINTS_UNSUPPORTED', () => {
    const message =
      '"Ranged CA" has critical name constraints on subtree minimum/maximum, which are not checked here';
    for (const range of [tlv(0x80, bytes(5)), tlv(0x81, bytes(0))]) {
      const ca = caWithNameConstraints(seq(permitted(seq(dnsName('contoso.example'), range))), 'Ranged CA');
      expect(validate(leafUnder(ca), [ca]).problems).toEqual([
        { code: 'NAME_CONSTRAINTS_UNSUPPORTED', severity: 'error', message },
      ]);
    }
  });
});

// --- names --------------------------------------------------------------------------------------

describe('readConstraintFacts: directoryName and Name (RFC 5280 §4.1.2.4, §4.2.1.6)', () => {
  const altDirectory = (...names: Buffer[]) => facts(extension(SUBJECT_ALT_NAME, seq(...names))).altDirectory;
  const subjectOf = (name: Buffer) => readConstraintFacts(certificate([], name)).subject;

  it('reads a directoryName holding one Name', () => {
    expect(altDirectory(dirName(seq(rdn(O, printable('Fabrikam')))))).toEqual([
      [[{ type: O, value: 'fabrikam', shown: 'Fabrikam' }]],
    ]);
  });

  it('refuses a directoryName holding no Name, two Names, or something else as "malformed directoryName"', () => {
    expectDerError(() => altDirectory(dirName()), 'malformed directoryName');
    expectDerError(() => altDirectory(dirName(seq(), seq())), 'malformed directoryName');
    expectDerError(() => altDirectory(dirName(set())), 'malformed directoryName');
  });

  it('refuses an RDN that is not a SET as "malformed RDN"', () => {
    expectDerError(() => subjectOf(seq(seq(seq(oid(O), printable('x'))))), 'malformed RDN');
  });

  it('refuses an attribute without a value, or with more than a type and a value, as "malformed attribute"', () => {
    expectDerError(() => subjectOf(seq(set(seq()))), 'malformed attribute');
    expectDerError(() => subjectOf(seq(set(seq(oid(O))))), 'malformed attribute');
    expectDerError(
      () => subjectOf(seq(set(seq(oid(O), printable('x'), printable('y'))))),
      'malformed attribute',
    );
  });

  it('keeps a value that is not a string type as its DER in hex, both to compare and to show', () => {
    expect(subjectOf(seq(rdn(SERIAL_NUMBER, integer(0x2b)), rdn(CN, printable('  A  b  '))))).toEqual([
      [{ type: SERIAL_NUMBER, value: '#02012b', shown: '#02012b' }],
      [{ type: CN, value: 'a b', shown: '  A  b  ' }],
    ]);
  });
});

describe('directoryName comparison in a chain (RFC 4518 in part)', { timeout: 60_000 }, () => {
  it('shows a name value that is not a string as its DER in hex in the report', () => {
    const ca = caWithNameConstraints(
      seq(permitted(seq(dirName(seq(rdn(O, printable('Elsewhere'))))))),
      'Org CA',
    );
    const outside = seq(rdn(SERIAL_NUMBER, integer(0x2a)), rdn(CN, printable('x')));
    // (OpenSSL also declines the issuer check for this pair, which the report names as ISSUER_NOT_CA.)
    const report = validate(leafWithAltNames(ca, dirName(outside)), [ca]);
    expect(report.problems.filter((p) => p.code === 'NAME_NOT_PERMITTED')).toEqual([
      {
        code: 'NAME_NOT_PERMITTED',
        severity: 'error',
        message:
          '"ERP_Integration" has directoryName "2.5.4.5=#02012a, CN=x", outside the names "Org CA" permits',
      },
    ]);
  });

  it('folds case as Unicode case folding does: the KELVIN SIGN in a name matches an excluded "k"', () => {
    const ca = caWithNameConstraints(
      seq(excluded(seq(dirName(seq(rdn(O, printable('kontoso'))))))),
      'Kelvin CA',
    );
    const report = validate(leafWithAltNames(ca, dirName(seq(rdn(O, utf8('\u212Aontoso'))))), [ca]);
    expect(report.problems.map((p) => p.code)).toEqual(['NAME_EXCLUDED']);
  });

  it('collapses runs of spaces to one but keeps it: "OnbehalfTests" is not within an excluded "Onbehalf  Tests"', () => {
    const ca = caWithNameConstraints(
      seq(excluded(seq(dirName(seq(rdn(O, printable('Onbehalf  Tests'))))))),
      'Spacing CA',
    );
    expect(
      validate(leafWithAltNames(ca, dirName(seq(rdn(O, printable('OnbehalfTests'))))), [ca]).problems,
    ).toEqual([]);
    expect(
      validate(leafWithAltNames(ca, dirName(seq(rdn(O, printable(' onbehalf tests'))))), [ca]).problems.map(
        (p) => p.code,
      ),
    ).toEqual(['NAME_EXCLUDED']);
  });
});
