/**
 * How the chain-constraint checks read a certificate's DER (readConstraintFacts in
 * src/certificates/chain-constraints.ts): which structures it takes, and the DerError it throws
 * for each malformed one. Node's X509Certificate only hands over DER it has parsed, so most
 * malformed structures here are built by hand and read directly; the certificates Node does take
 * (a v1 certificate, one without extensions, alt names of other forms) go through
 * validateCertificate too.
 */
import { sign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import type { CertificateReport } from '../../src/certificates/certificate-report';
import { readConstraintFacts } from '../../src/certificates/chain-constraints';
import { DerError } from '../../src/certificates/der-reader';
import { supportedRootFromPem } from '../../src/certificates/supported-roots';
import { validateCertificate } from '../../src/certificates/validate-certificate';
import {
  integer,
  leafUnder,
  printable,
  seq,
  standardHierarchy,
  tlv,
  type TestCert,
} from '../helpers/test-pki';

// --- minimal DER, by hand ------------------------------------------------------------------------

const SET = 0x31;
const boolean = (value: boolean): Buffer => tlv(0x01, [value ? 0xff : 0x00]);
const octets = (...content: Buffer[]): Buffer => tlv(0x04, ...content);

const OID = {
  basicConstraints: [0x55, 0x1d, 0x13],
  nameConstraints: [0x55, 0x1d, 0x1e],
  subjectAltName: [0x55, 0x1d, 0x11],
  commonName: [0x55, 0x04, 0x03],
  organizationName: [0x55, 0x04, 0x0a],
};
const oid = (bytes: number[]): Buffer => tlv(0x06, bytes);

/** A Name of single-attribute RDNs, PrintableString values. */
const nameDer = (...rdns: Array<[oid: number[], value: string]>): Buffer =>
  seq(...rdns.map(([type, value]) => tlv(SET, seq(oid(type), printable(value)))));

const issuerName = nameDer([OID.organizationName, 'Issuer Org'], [OID.commonName, 'Issuer CA']);
const subjectName = nameDer([OID.organizationName, 'Subject Org'], [OID.commonName, 'Subject']);
const subjectFacts = [
  [{ type: '2.5.4.10', value: 'subject org', shown: 'Subject Org' }],
  [{ type: '2.5.4.3', value: 'subject', shown: 'Subject' }],
];

const version3 = tlv(0xa0, integer(2));
const serial = integer(0x01);
const algorithm = seq(oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), tlv(0x05, []));
const validity = seq(tlv(0x17, Buffer.from('250101000000Z')), tlv(0x17, Buffer.from('350101000000Z')));
const spki = seq(
  seq(oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]), tlv(0x05, [])),
  tlv(0x03, [0]),
);

/** A Certificate SEQUENCE around the given TBS (signature fields do not matter to the reader). */
const certificate = (tbs: Buffer): Buffer => seq(tbs, algorithm, tlv(0x03, [0]));
/** A v3 TBSCertificate with the given fields after subjectPublicKeyInfo (extensions go in [3]). */
const tbsV3 = (...after: Buffer[]): Buffer =>
  seq(version3, serial, algorithm, issuerName, validity, subjectName, spki, ...after);
const extensionsField = (...extensions: Buffer[]): Buffer => tlv(0xa3, seq(...extensions));
const withExtensions = (...extensions: Buffer[]): Buffer =>
  certificate(tbsV3(extensionsField(...extensions)));

/** basicConstraints cA TRUE with the given pathLenConstraint, as an extension. */
const basicConstraints = (pathLen: number): Buffer =>
  seq(oid(OID.basicConstraints), boolean(true), octets(seq(boolean(true), integer(pathLen))));

/** The DerError readConstraintFacts throws for `der` (fails the test on any other outcome). */
function derErrorOf(der: Buffer): DerError {
  let thrown: unknown;
  try {
    readConstraintFacts(der);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(DerError);
  return thrown as DerError;
}

// --- certificates Node parses --------------------------------------------------------------------

const { root, intermediate } = standardHierarchy();
const roots = [supportedRootFromPem('Onbehalf Test Root', root.pem)];
const { asn1 } = forge;

/**
 * Re-signs `cert` with `signer`'s key after removing its version field (making it v1) and/or its
 * extensions field. Returns the Node certificate.
 */
function reshaped(
  cert: TestCert,
  signer: TestCert,
  drop: { version: boolean; extensions: boolean },
): X509Certificate {
  const parsed = asn1.fromDer(cert.x509.raw.toString('binary'));
  const [tbs, sigAlg] = parsed.value as forge.asn1.Asn1[];
  const fields = (tbs as forge.asn1.Asn1).value as forge.asn1.Asn1[];
  const kept = fields.filter(
    (f) =>
      !(
        f.tagClass === asn1.Class.CONTEXT_SPECIFIC &&
        ((drop.version && f.type === 0) || (drop.extensions && f.type === 3))
      ),
  );
  const newTbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, kept);
  const tbsDer = Buffer.from(asn1.toDer(newTbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, signer.key.privateKey);
  const whole = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    newTbs,
    sigAlg as forge.asn1.Asn1,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\0${signature.toString('binary')}`),
  ]);
  return new X509Certificate(Buffer.from(asn1.toDer(whole).getBytes(), 'binary'));
}

const validate = (certificate: X509Certificate, chain: TestCert[]): CertificateReport =>
  validateCertificate({ certificate, chain: chain.map((c) => c.x509) }, { roots });

describe('readConstraintFacts: the certificate and TBSCertificate structure', () => {
  it('reads subject, self-issued and pathLen from a minimal v3 structure', () => {
    expect(readConstraintFacts(withExtensions(basicConstraints(3)))).toEqual({
      selfIssued: false,
      pathLen: 3,
      nameConstraints: undefined,
      subject: subjectFacts,
      altDns: [],
      altDirectory: [],
    });
  });

  it("refuses with DerError 'not a certificate' a Certificate holding nothing, or a first element that is not a SEQUENCE", () => {
    expect(derErrorOf(seq()).message).toBe('not a certificate');
    expect(derErrorOf(seq(integer(1))).message).toBe('not a certificate');
    // A SET laid out exactly like a TBSCertificate is still not one.
    const setTbs = tlv(SET, version3, serial, algorithm, issuerName, validity, subjectName, spki);
    expect(
      readConstraintFacts(
        certificate(seq(version3, serial, algorithm, issuerName, validity, subjectName, spki)),
      ).subject,
    ).toEqual(subjectFacts);
    expect(derErrorOf(certificate(setTbs)).message).toBe('not a certificate');
  });

  it("refuses with DerError 'not a certificate' an empty TBSCertificate", () => {
    expect(derErrorOf(certificate(seq())).message).toBe('not a certificate');
  });

  it('reads a v1 structure (no version field): issuer is the 3rd field and subject the 5th', () => {
    const v1 = certificate(seq(serial, algorithm, issuerName, validity, subjectName, spki));
    expect(readConstraintFacts(v1)).toEqual({
      selfIssued: false,
      pathLen: undefined,
      nameConstraints: undefined,
      subject: subjectFacts,
      altDns: [],
      altDirectory: [],
    });
    const selfIssuedV1 = certificate(seq(serial, algorithm, subjectName, validity, subjectName, spki));
    expect(readConstraintFacts(selfIssuedV1).selfIssued).toBe(true);
  });

  it("refuses with DerError 'not a certificate' an issuer or subject that is missing or not a SEQUENCE", () => {
    const cases: Array<[string, Buffer]> = [
      ['issuer missing', seq(version3, serial, algorithm)],
      ['subject missing', seq(version3, serial, algorithm, issuerName, validity)],
      ['issuer an INTEGER', seq(version3, serial, algorithm, integer(5), validity, subjectName, spki)],
      // An empty SET would read as an empty Name if it were taken.
      ['subject a SET', seq(version3, serial, algorithm, issuerName, validity, tlv(SET), spki)],
      ['issuer a SET', seq(version3, serial, algorithm, tlv(SET), validity, subjectName, spki)],
    ];
    for (const [what, tbs] of cases) {
      expect(derErrorOf(certificate(tbs)).message, what).toBe('not a certificate');
    }
  });

  it('reads a v3 structure without an extensions field as having no constraints', () => {
    expect(readConstraintFacts(certificate(tbsV3()))).toEqual({
      selfIssued: false,
      pathLen: undefined,
      nameConstraints: undefined,
      subject: subjectFacts,
      altDns: [],
      altDirectory: [],
    });
  });
});

describe('readConstraintFacts: the extensions field and each Extension', () => {
  it("refuses with DerError 'malformed extensions' an empty [3], or one holding a SET instead of a SEQUENCE", () => {
    expect(derErrorOf(certificate(tbsV3(tlv(0xa3)))).message).toBe('malformed extensions');
    // Laid out like the extensions list, but a SET: still refused, not read.
    const setList = tlv(0xa3, tlv(SET, basicConstraints(1)));
    expect(derErrorOf(certificate(tbsV3(setList))).message).toBe('malformed extensions');
  });

  it("refuses with DerError 'malformed extension' an Extension with no extnID, or with an extnID and nothing else", () => {
    expect(derErrorOf(withExtensions(seq())).message).toBe('malformed extension');
    expect(derErrorOf(withExtensions(seq(oid(OID.basicConstraints)))).message).toBe('malformed extension');
  });

  it("refuses with DerError 'malformed extension' an extnValue that is not an OCTET STRING", () => {
    // The basicConstraints SEQUENCE wrapped in a SEQUENCE where the OCTET STRING belongs.
    const wrongWrapper = seq(oid(OID.basicConstraints), boolean(true), seq(seq(boolean(true), integer(2))));
    expect(derErrorOf(withExtensions(wrongWrapper)).message).toBe('malformed extension');
    // The same with the OCTET STRING is read.
    const right = seq(oid(OID.basicConstraints), boolean(true), octets(seq(boolean(true), integer(2))));
    expect(readConstraintFacts(withExtensions(right)).pathLen).toBe(2);
  });

  it("refuses with DerError 'trailing bytes in an extension' an extnValue with bytes after its content", () => {
    const trailing = seq(
      oid(OID.basicConstraints),
      octets(seq(boolean(true), integer(1)), Buffer.from([0x00])),
    );
    expect(derErrorOf(withExtensions(trailing)).message).toBe('trailing bytes in an extension');
  });

  it('reads an explicitly encoded critical FALSE as not critical, and TRUE as critical', () => {
    const ncValue = octets(seq(tlv(0xa0, seq(tlv(0x81, Buffer.from('contoso.example'))))));
    const explicitFalse = readConstraintFacts(
      withExtensions(seq(oid(OID.nameConstraints), boolean(false), ncValue)),
    );
    expect(explicitFalse.nameConstraints).toMatchObject({ critical: false, unchecked: ['rfc822Name'] });
    const explicitTrue = readConstraintFacts(
      withExtensions(seq(oid(OID.nameConstraints), boolean(true), ncValue)),
    );
    expect(explicitTrue.nameConstraints).toMatchObject({ critical: true, unchecked: ['rfc822Name'] });
    const absent = readConstraintFacts(withExtensions(seq(oid(OID.nameConstraints), ncValue)));
    expect(absent.nameConstraints?.critical).toBe(false);
  });
});

describe('readConstraintFacts: subjectAltName forms', () => {
  it('keeps dNSName and directoryName alt names and passes over the other forms', () => {
    const san = seq(
      oid(OID.subjectAltName),
      octets(
        seq(
          tlv(0x81, Buffer.from('erp@contoso.example')),
          tlv(0x82, Buffer.from('erp.contoso.example')),
          tlv(0x86, Buffer.from('https://contoso.example/')),
          tlv(0x87, [10, 0, 0, 1]),
          tlv(0xa4, nameDer([OID.commonName, 'Alt'])),
          // otherName [0] is constructed, like directoryName, but is not one.
          tlv(0xa0, oid([0x2b, 0x06, 0x01]), tlv(0xa0, printable('x'))),
        ),
      ),
    );
    const facts = readConstraintFacts(withExtensions(san));
    expect(facts.altDns).toEqual(['erp.contoso.example']);
    expect(facts.altDirectory).toEqual([[[{ type: '2.5.4.3', value: 'alt', shown: 'Alt' }]]]);
  });
});

describe('certificates Node parses, through validateCertificate', { timeout: 60_000 }, () => {
  it('takes a v1 leaf (no version, no extensions): only the missing extended key usage is reported', () => {
    const v1 = reshaped(leafUnder(intermediate), intermediate, { version: true, extensions: true });
    expect(v1.raw[4]).toBe(0x30); // TBSCertificate ...
    expect(v1.raw[8]).toBe(0x02); // ... starting with the serial number, not [0] version.
    expect(validate(v1, [intermediate]).problems).toEqual([
      {
        code: 'NO_EXTENDED_KEY_USAGE',
        severity: 'warning',
        message: '"ERP_Integration" has no extended key usage; clientAuth is expected',
      },
    ]);
  });

  it('takes a v3 leaf without an extensions field: only the missing extended key usage is reported', () => {
    const bare = reshaped(leafUnder(intermediate), intermediate, { version: false, extensions: true });
    expect(validate(bare, [intermediate]).problems.map((p) => p.code)).toEqual(['NO_EXTENDED_KEY_USAGE']);
  });

  it('takes a leaf whose alt names include an iPAddress (not read as a directoryName)', () => {
    const withIp = leafUnder(intermediate, { altNames: { dns: ['erp.contoso.example'], ip: ['10.0.0.1'] } });
    expect(validate(withIp.x509, [intermediate]).problems).toEqual([]);
  });
});
