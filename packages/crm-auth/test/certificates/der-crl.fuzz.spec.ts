/**
 * Property tests (fast-check) of the certificate readers: the DER reader, the CRL parser, the raw
 * certificate fields, and the public loaders on top (CertificateBundle, supportedRootFromPem,
 * validateCertificate's CRL option).
 *
 * Why fuzz our own reader rather than replace it with @peculiar/x509: the reader has no
 * dependencies, and the core's wall wants it that way (crm-auth's package.json lists only
 * node-forge and undici); its errors are ours (DerError, which the callers turn
 * into CRL_INVALID or a CrmAuthError with an ERR_CERT_* code); and it slices the exact signed
 * bytes (tbsCertList, Names) that signature checks and CRL issuer matching need.
 *
 * Every property runs with a fixed seed, so a failure reproduces; each input is also bounded in
 * time, which catches super-linear work. Bugs these properties caught, fixed with the regression
 * tests at the end: a quadratic scan of PEM text with BEGIN markers and no END (CRLs and bundles),
 * OIDs with a truncated or zero-padded arc read as another OID, impossible times (month 13,
 * 30 February) rolled over into real ones, and validation throwing on an undecodable public key.
 */
import { sign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { CertificateBundle } from '../../src/certificates/certificate-bundle';
import {
  DerError,
  DerTag,
  contentBytes,
  readChildren,
  readElement,
  readOid,
  readRoot,
  readTime,
  type DerElement,
} from '../../src/certificates/der-reader';
import { MAX_CRL_BYTES, parseCrl } from '../../src/certificates/parse-crl';
import { supportedRootFromPem } from '../../src/certificates/supported-roots';
import { validateCertificate } from '../../src/certificates/validate-certificate';
import { readCertificateFields } from '../../src/certificates/x509-fields';
import { isCrmAuthError } from '../../src/errors';
import { makeCrl, makePkcs12, standardHierarchy, toPem } from '../helpers/test-pki';

const SEED = 20261203;
/** A generous bound per input: real inputs take well under a millisecond, a quadratic scan seconds. */
const MAX_MS_PER_INPUT = 1500;

/** Runs `fn`, returning what it threw (or undefined), and fails when it took longer than the bound. */
function thrownBy(fn: () => unknown): unknown {
  const started = performance.now();
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  const elapsed = performance.now() - started;
  if (elapsed > MAX_MS_PER_INPUT) throw new Error(`took ${Math.round(elapsed)} ms`);
  return thrown;
}

/** The reader's own refusal, or parseCrl's plain Error with a message: never TypeError, RangeError… */
function isReaderRefusal(err: unknown): boolean {
  return err instanceof DerError || (err instanceof Error && err.constructor === Error);
}

// ---------------------------------------------------------------------------------------------
// DER trees: a test-side encoder and a walker over the reader
// ---------------------------------------------------------------------------------------------

type Tlv = { tag: number; content: Uint8Array } | { tag: number; children: Tlv[] };

/** Minimal DER length (short form below 128, else the fewest long-form bytes), plus `pad` leading zeros. */
function encodeLength(length: number, pad = 0): Buffer {
  if (length < 0x80 && pad === 0) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  for (let i = 0; i < pad; i += 1) bytes.unshift(0);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function encode(node: Tlv, pad = 0): Buffer {
  const content =
    'children' in node ? Buffer.concat(node.children.map((c) => encode(c, pad))) : Buffer.from(node.content);
  return Buffer.concat([Buffer.from([node.tag]), encodeLength(content.length, pad), content]);
}

/** Reads an element and, for a constructed one, its children recursively, checking every range. */
function walk(buf: Buffer, el: DerElement, limit: number): Tlv {
  expect(el.start).toBeLessThan(el.contentStart);
  expect(el.contentStart).toBeLessThanOrEqual(el.end);
  expect(el.end).toBeLessThanOrEqual(limit);
  if ((el.tag & 0x20) === 0) return { tag: el.tag, content: new Uint8Array(contentBytes(buf, el)) };
  const children = readChildren(buf, el);
  for (const [i, child] of children.entries()) {
    expect(child.start).toBe(i === 0 ? el.contentStart : children[i - 1]?.end);
  }
  return { tag: el.tag, children: children.map((c) => walk(buf, c, el.end)) };
}

/** Any low-tag-number tag (not 0x1f in its low bits), constructed or primitive as asked. */
const tagArb = (constructed: boolean) =>
  fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 30 }))
    .map(([cls, number]) => (cls << 6) | (constructed ? 0x20 : 0) | number);

const { tlv: tlvArb } = fc.letrec<{ tlv: Tlv }>((tie) => ({
  tlv: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ tag: tagArb(false), content: fc.uint8Array({ maxLength: 300 }) }),
    fc.record({ tag: tagArb(true), children: fc.array(tie('tlv'), { maxLength: 4 }) }),
  ),
}));

describe('DER reader: arbitrary bytes', { timeout: 60_000 }, () => {
  it('reads any bytes into a tree whose every element lies inside its parent, or refuses them with DerError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const err = thrownBy(() => walk(buf, readRoot(buf), buf.length));
        if (err !== undefined) expect(err).toBeInstanceOf(DerError);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('refuses any element header that claims more bytes than its container holds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 12 }), fc.nat({ max: 12 }), (bytes, cut) => {
        const buf = Buffer.from(bytes);
        const limit = Math.min(cut, buf.length);
        const err = thrownBy(() => {
          const el = readElement(buf, 0, limit);
          expect(el.end).toBeLessThanOrEqual(limit);
        });
        if (err !== undefined) expect(err).toBeInstanceOf(DerError);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('DER reader: valid encodings', { timeout: 60_000 }, () => {
  it('reads back the tree it was given: tags, short and long lengths, nested constructed elements', () => {
    fc.assert(
      fc.property(tlvArb, (tree) => {
        const buf = encode(tree);
        expect(walk(buf, readRoot(buf), buf.length)).toEqual(tree);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('refuses an encoding cut short by any number of bytes', () => {
    fc.assert(
      fc.property(tlvArb, fc.integer({ min: 1, max: 1000 }), (tree, cut) => {
        const buf = encode(tree);
        const short = buf.subarray(0, Math.max(0, buf.length - cut));
        expect(thrownBy(() => walk(short, readRoot(short), short.length))).toBeInstanceOf(DerError);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('refuses trailing bytes after the root element', () => {
    fc.assert(
      fc.property(tlvArb, fc.uint8Array({ minLength: 1, maxLength: 8 }), (tree, extra) => {
        const buf = Buffer.concat([encode(tree), extra]);
        expect(thrownBy(() => readRoot(buf))).toEqual(new DerError('trailing bytes after DER element'));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('refuses a root whose length is raised past the end of the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 0xffff }), (content, more) => {
        const buf = Buffer.concat([Buffer.from([0x04]), encodeLength(content.length + more), content]);
        expect(thrownBy(() => readRoot(buf))).toEqual(new DerError('DER element overruns its container'));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  // DER wants the shortest length form, but the reader tolerates a long form with leading zeros:
  // signatures cover the bytes as they are (sliced, never re-encoded), and Names are compared by
  // their bytes, so a non-minimal length cannot make two different inputs read as the same data.
  it('reads a long-form length with leading zeros (up to 4 length bytes) as the same length', () => {
    fc.assert(
      fc.property(tlvArb, fc.integer({ min: 1, max: 2 }), (tree, pad) => {
        const buf = encode(tree, pad);
        expect(walk(buf, readRoot(buf), buf.length)).toEqual(tree);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("refuses BER's indefinite length (0x80), more than 4 length bytes, and high tag numbers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (content) => {
        const indefinite = Buffer.concat([Buffer.from([0x30, 0x80]), content, Buffer.from([0, 0])]);
        expect(thrownBy(() => readRoot(indefinite))).toEqual(new DerError('invalid DER length'));
        const fiveBytes = Buffer.concat([Buffer.from([0x04, 0x85, 0, 0, 0, 0, content.length]), content]);
        expect(thrownBy(() => readRoot(fiveBytes))).toEqual(new DerError('invalid DER length'));
        const highTag = Buffer.concat([Buffer.from([0x1f, 0x81, 0x00, content.length]), content]);
        expect(thrownBy(() => readRoot(highTag))).toEqual(new DerError('unsupported DER tag'));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// OBJECT IDENTIFIER and time values
// ---------------------------------------------------------------------------------------------

function encodeOid(arcs: number[]): Buffer {
  const [first = 0, second = 0, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const groups: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) groups.unshift((n % 128) | 0x80);
    out.push(...groups);
  }
  return Buffer.concat([Buffer.from([DerTag.OID]), encodeLength(out.length), Buffer.from(out)]);
}

/** Arcs of an OID: the first 0–2, the second below 40 under 0 and 1 (any size under 2), then any. */
const oidArb = fc
  .oneof(
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 39 })),
    fc.tuple(fc.constant(2), fc.nat({ max: 2 ** 40 })),
  )
  .chain(([a, b]) => fc.array(fc.nat({ max: 2 ** 40 }), { maxLength: 8 }).map((rest) => [a, b, ...rest]));

describe('DER reader: OBJECT IDENTIFIER', { timeout: 60_000 }, () => {
  it('reads back any OID it is given in DER', () => {
    fc.assert(
      fc.property(oidArb, (arcs) => {
        const buf = encodeOid(arcs);
        expect(readOid(buf, readRoot(buf))).toBe(arcs.join('.'));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('reads any content either as the OID whose DER it is, byte for byte, or refuses it with DerError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (content) => {
        const buf = Buffer.concat([Buffer.from([DerTag.OID]), encodeLength(content.length), content]);
        let oid: string | undefined;
        const err = thrownBy(() => {
          oid = readOid(buf, readRoot(buf));
        });
        if (err !== undefined) expect(err).toBeInstanceOf(DerError);
        else expect(encodeOid((oid as string).split('.').map(Number)).equals(buf)).toBe(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('refuses a truncated last arc and an arc with a leading 0x80 byte', () => {
    const sha256Rsa = encodeOid([1, 2, 840, 113549, 1, 1, 11]);
    const content = contentBytes(sha256Rsa, readRoot(sha256Rsa));
    const truncated = Buffer.concat([
      Buffer.from([DerTag.OID, content.length + 1]),
      content,
      Buffer.from([0x86]),
    ]);
    expect(() => readOid(truncated, readRoot(truncated))).toThrow(DerError);
    const padded = Buffer.from([DerTag.OID, 0x03, 0x2a, 0x80, 0x01]);
    expect(() => readOid(padded, readRoot(padded))).toThrow(DerError);
    const plain = Buffer.from([DerTag.OID, 0x02, 0x2a, 0x01]);
    expect(readOid(plain, readRoot(plain))).toBe('1.2.1');
  });
});

const two = (n: number) => String(n).padStart(2, '0');

describe('DER reader: UTCTime and GeneralizedTime', { timeout: 60_000 }, () => {
  const timeBuf = (tag: number, text: string) =>
    Buffer.concat([Buffer.from([tag, text.length]), Buffer.from(text, 'latin1')]);

  it('reads any valid time to the instant it names (UTCTime years 50–99 as 19xx)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1950-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const at = new Date(Math.floor(date.getTime() / 1000) * 1000);
          const y = at.getUTCFullYear();
          const rest = `${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}Z`;
          const general = timeBuf(DerTag.GENERALIZED_TIME, `${String(y).padStart(4, '0')}${rest}`);
          expect(readTime(general, readRoot(general)).getTime()).toBe(at.getTime());
          if (y < 2050) {
            const utc = timeBuf(DerTag.UTC_TIME, `${two(y % 100)}${rest}`);
            expect(readTime(utc, readRoot(utc)).getTime()).toBe(at.getTime());
          }
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('reads any digits either as the instant they spell, field for field, or refuses them with DerError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 6, maxLength: 6 }),
        fc.integer({ min: 0, max: 99 }),
        fc.boolean(),
        (fields, century, utc) => {
          const digits = fields.map(two).join('');
          const text = utc ? `${digits}Z` : `${two(century)}${digits}Z`;
          const buf = timeBuf(utc ? DerTag.UTC_TIME : DerTag.GENERALIZED_TIME, text);
          let date: Date | undefined;
          const err = thrownBy(() => {
            date = readTime(buf, readRoot(buf));
          });
          if (err !== undefined) {
            expect(err).toBeInstanceOf(DerError);
            return;
          }
          const year = utc
            ? ((fields[0] as number) >= 50 ? 1900 : 2000) + (fields[0] as number)
            : century * 100 + (fields[0] as number);
          const iso = (date as Date).toISOString();
          expect(iso).toBe(
            `${String(year).padStart(4, '0')}-${two(fields[1] as number)}-${two(fields[2] as number)}T${two(fields[3] as number)}:${two(fields[4] as number)}:${two(fields[5] as number)}.000Z`,
          );
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('refuses a month 13, 30 February, hour 24, second 60, and GeneralizedTime years 0000–0099', () => {
    for (const text of ['991301000000Z', '000230000000Z', '000101240000Z', '000101000060Z']) {
      const buf = timeBuf(DerTag.UTC_TIME, text);
      expect(() => readTime(buf, readRoot(buf)), text).toThrow(new DerError('invalid time'));
    }
    const early = timeBuf(DerTag.GENERALIZED_TIME, '00500101000000Z');
    expect(() => readTime(early, readRoot(early))).toThrow(new DerError('invalid time'));
    const leap = timeBuf(DerTag.UTC_TIME, '240229120000Z');
    expect(readTime(leap, readRoot(leap)).toISOString()).toBe('2024-02-29T12:00:00.000Z');
  });
});

// ---------------------------------------------------------------------------------------------
// CRLs and certificates: arbitrary and mutated inputs
// ---------------------------------------------------------------------------------------------

const { root, intermediate, leaf } = standardHierarchy();
const roots = [supportedRootFromPem('Onbehalf Test Root', root.pem)];
const crlDer = makeCrl({ issuer: intermediate, revoked: [leaf] });
const knownPem = readFileSync(path.join(__dirname, '../data/known-certificate.pem'), 'utf8');
const certDers = [leaf.x509.raw, intermediate.x509.raw, new X509Certificate(knownPem).raw];

/** One edit of a valid encoding: flip bits of a byte, cut it short, extend it, or overwrite a run. */
const mutationArb = (size: number) =>
  fc.oneof(
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.nat({ max: size - 1 }),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat({ max: size - 1 }) }),
    fc.record({
      kind: fc.constant('extend' as const),
      extra: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    fc.record({
      kind: fc.constant('overwrite' as const),
      at: fc.nat({ max: size - 1 }),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
    }),
  );

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; extra: Uint8Array }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array };

function mutate(der: Buffer, m: Mutation): Buffer {
  const out = Buffer.from(der);
  switch (m.kind) {
    case 'flip':
      out[m.at] = (out[m.at] as number) ^ m.mask;
      return out;
    case 'truncate':
      return out.subarray(0, m.at);
    case 'extend':
      return Buffer.concat([out, m.extra]);
    case 'overwrite':
      Buffer.from(m.bytes).copy(out, m.at);
      return out;
  }
}

describe('parseCrl: arbitrary and mutated input', { timeout: 120_000 }, () => {
  it('refuses arbitrary bytes, DER-looking or not, only with its own errors', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 600 }), (sequence, bytes) => {
        const input = sequence ? Buffer.concat([Buffer.from([0x30]), bytes]) : Buffer.from(bytes);
        const err = thrownBy(() => parseCrl(input));
        if (err !== undefined) expect(isReaderRefusal(err), String(err)).toBe(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('refuses a CertificateList of arbitrary DER trees only with its own errors', () => {
    fc.assert(
      fc.property(fc.array(tlvArb, { maxLength: 4 }), (children) => {
        const input = encode({ tag: DerTag.SEQUENCE, children });
        const err = thrownBy(() => parseCrl(input));
        if (err !== undefined) expect(isReaderRefusal(err), String(err)).toBe(true);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('reads a mutated CRL consistently or refuses it with its own errors; validation uses it only when its signed bytes and signature are intact', () => {
    const original = parseCrl(crlDer);
    const codesWith = (crl: Buffer) =>
      validateCertificate(
        { certificate: leaf.x509, chain: [intermediate.x509] },
        { roots, crls: [crl] },
      ).problems.map((p) => p.code);
    expect(codesWith(crlDer)).toEqual(['REVOKED']);
    // The outer AlgorithmIdentifier's parameters are neither signed nor read (only its OID is
    // compared with the signed one): a NULL turned into an empty OCTET STRING changes nothing.
    const [, outer] = readChildren(crlDer, readRoot(crlDer));
    const nullAt = crlDer.indexOf(Buffer.from([0x05, 0x00]), outer!.start);
    const otherParameters = Buffer.from(crlDer);
    otherParameters[nullAt] = 0x04;
    expect(codesWith(otherParameters)).toEqual(['REVOKED']);
    fc.assert(
      fc.property(mutationArb(crlDer.length), (m) => {
        const input = mutate(crlDer, m);
        fc.pre(!input.equals(crlDer));
        let parsed: ReturnType<typeof parseCrl> | undefined;
        const err = thrownBy(() => {
          parsed = parseCrl(input);
        });
        if (err !== undefined) expect(isReaderRefusal(err), String(err)).toBe(true);
        else {
          // What it read comes from the input, in place.
          expect(input.includes(parsed!.tbsDer)).toBe(true);
          expect(input.includes(parsed!.issuerDer)).toBe(true);
          expect(input.subarray(input.length - parsed!.signature.length).equals(parsed!.signature)).toBe(
            true,
          );
        }
        let codes: string[] = [];
        expect(
          thrownBy(() => {
            codes = validateCertificate(
              { certificate: leaf.x509, chain: [intermediate.x509] },
              { roots, crls: [input] },
            ).problems.map((p) => p.code);
          }),
        ).toBeUndefined();
        if (codes.length === 1 && (codes[0] === 'CRL_INVALID' || codes[0] === 'CRL_UNUSED')) return;
        // Used: then the edit touched neither the signed bytes nor the signature.
        expect(codes).toEqual(['REVOKED']);
        expect(parsed!.tbsDer.equals(original.tbsDer)).toBe(true);
        expect(parsed!.signature.equals(original.signature)).toBe(true);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('finishes quickly on PEM text made of many BEGIN and END markers, refusing it with its own errors', () => {
    const token = fc.constantFrom(
      '-----BEGIN X509 CRL-----',
      '-----END X509 CRL-----',
      '-----BEGIN X509 CRL',
      'MIIB',
      '\n',
      ' ',
    );
    fc.assert(
      fc.property(
        fc.array(token, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 40_000 }),
        (pattern, times) => {
          const text = pattern.join('').repeat(times).slice(0, MAX_CRL_BYTES);
          const err = thrownBy(() => parseCrl(text));
          if (err !== undefined) expect(isReaderRefusal(err), String(err)).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 60, endOnFailure: true },
    );
  });
});

describe('certificates: arbitrary and mutated input to the readers and loaders', { timeout: 120_000 }, () => {
  it('refuses arbitrary bytes as certificate fields only with the reader errors', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 600 }), (sequence, bytes) => {
        const input = sequence ? Buffer.concat([Buffer.from([0x30]), bytes]) : Buffer.from(bytes);
        const err = thrownBy(() => readCertificateFields(input));
        if (err !== undefined) expect(isReaderRefusal(err), String(err)).toBe(true);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('loads a mutated certificate as a bundle or refuses it with ERR_CERT_UNREADABLE; a loaded one validates without throwing', () => {
    fc.assert(
      fc.property(fc.nat({ max: certDers.length - 1 }), mutationArb(300), (which, m) => {
        const der = certDers[which] as Buffer;
        const input = mutate(der, m.kind === 'extend' ? m : { ...m, at: m.at % der.length });
        const fieldsErr = thrownBy(() => readCertificateFields(input));
        if (fieldsErr !== undefined) expect(isReaderRefusal(fieldsErr), String(fieldsErr)).toBe(true);
        const err = thrownBy(() => {
          const bundle = CertificateBundle.fromPem({
            certificatePem: toPem(input, 'CERTIFICATE'),
            privateKeyPem: leaf.key.privateKeyPem,
          });
          const report = bundle.validate({ roots, crls: [crlDer] });
          expect(typeof report.ok).toBe('boolean');
        });
        if (err !== undefined) {
          expect(isCrmAuthError(err, 'ERR_CERT_UNREADABLE'), String(err)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('refuses arbitrary text as a root or a bundle PEM only with CrmAuthError codes', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '-----BEGIN CERTIFICATE-----',
        '-----END CERTIFICATE-----',
        '\n',
        'MIIB',
        '-----BEGIN PRIVATE KEY-----',
      ),
      fc.string({ maxLength: 20 }),
      fc.base64String({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        const rootErr = thrownBy(() => supportedRootFromPem('fuzz', text));
        if (rootErr !== undefined)
          expect(isCrmAuthError(rootErr, 'ERR_CERT_UNREADABLE'), String(rootErr)).toBe(true);
        const bundleErr = thrownBy(() =>
          CertificateBundle.fromPem({ certificatePem: text, privateKeyPem: text }),
        );
        if (bundleErr !== undefined) expect(isCrmAuthError(bundleErr), String(bundleErr)).toBe(true);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('finishes quickly on bundle PEM made of many BEGIN CERTIFICATE markers, refusing it with ERR_CERT_UNREADABLE', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 38_000 }), fc.constantFrom('', '\n', 'x'), (times, sep) => {
        const text = `-----BEGIN CERTIFICATE-----${sep}`.repeat(times).slice(0, 1024 * 1024);
        const err = thrownBy(() => CertificateBundle.fromPem({ certificatePem: text, privateKeyPem: text }));
        expect(isCrmAuthError(err, 'ERR_CERT_UNREADABLE'), String(err)).toBe(true);
      }),
      { seed: SEED, numRuns: 20, endOnFailure: true },
    );
  });

  it('refuses a mutated PKCS#12 file only with ERR_CERT_* codes', () => {
    const pfx = makePkcs12(leaf, [intermediate], 'fuzz', 'aes256');
    fc.assert(
      fc.property(mutationArb(pfx.length), (m) => {
        const input = mutate(pfx, m);
        fc.pre(!input.equals(pfx));
        const err = thrownBy(() => CertificateBundle.fromPkcs12(input, 'fuzz'));
        if (err !== undefined) {
          expect(
            ['ERR_CERT_UNREADABLE', 'ERR_CERT_BAD_PASSWORD', 'ERR_CERT_NO_KEY'].some((code) =>
              isCrmAuthError(err, code as 'ERR_CERT_UNREADABLE'),
            ),
            String(err),
          ).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});

describe('regressions found by these properties', { timeout: 120_000 }, () => {
  it('refuses a CRL PEM text at the size cap made only of BEGIN markers in linear time (the quadratic scan took hours)', () => {
    const marker = '-----BEGIN X509 CRL-----\n';
    const text = marker.repeat(Math.floor((2 * MAX_CRL_BYTES) / marker.length));
    const started = performance.now();
    expect(() => parseCrl(text)).toThrow(new Error('no X509 CRL block in PEM'));
    expect(() => parseCrl(Buffer.from(text, 'latin1'))).toThrow(new Error('no X509 CRL block in PEM'));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('still reads the CRL block, the first of several, when BEGIN markers without an END follow', () => {
    const pem = toPem(crlDer, 'X509 CRL');
    const noise = '-----BEGIN X509 CRL-----\n'.repeat(20_000);
    const other = toPem(makeCrl({ issuer: root }), 'X509 CRL');
    const started = performance.now();
    expect(parseCrl(`preamble\n${pem}${other}${noise}`).tbsDer.equals(parseCrl(crlDer).tbsDer)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a bundle PEM of a megabyte of BEGIN CERTIFICATE markers in linear time, and reads the certificates before such markers', () => {
    const marker = '-----BEGIN CERTIFICATE-----\n';
    const text = marker.repeat(Math.floor((1024 * 1024) / marker.length));
    const started = performance.now();
    expect(() =>
      CertificateBundle.fromPem({ certificatePem: text, privateKeyPem: leaf.key.privateKeyPem }),
    ).toThrow('certificatePem holds no PEM certificate');
    const bundle = CertificateBundle.fromPem({
      certificatePem: `${leaf.pem}${intermediate.pem}${marker.repeat(20_000)}`,
      privateKeyPem: leaf.key.privateKeyPem,
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(bundle.certificate.fingerprint256).toBe(leaf.x509.fingerprint256);
    expect(bundle.chain.map((c) => c.fingerprint256)).toEqual([intermediate.x509.fingerprint256]);
  });

  it('reports rather than throws for a CA-signed certificate whose public key Node cannot decode', () => {
    const { asn1 } = forge;
    const U = asn1.Class.UNIVERSAL;
    // forge has getTBSCertificate at runtime; its type definitions leave it out.
    const pki = forge.pki as typeof forge.pki & {
      getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1;
    };
    const algorithm = (oid: string) =>
      asn1.create(U, asn1.Type.SEQUENCE, true, [
        asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
        asn1.create(U, asn1.Type.NULL, false, ''),
      ]);
    const tbs = pki.getTBSCertificate(leaf.forgeCert);
    // subjectPublicKeyInfo: rsaEncryption over an RSAPublicKey that is SEQUENCE { INTEGER 0 }.
    (tbs.value as forge.asn1.Asn1[])[6] = asn1.create(U, asn1.Type.SEQUENCE, true, [
      algorithm('1.2.840.113549.1.1.1'),
      asn1.create(U, asn1.Type.BITSTRING, false, '\u0000\u0030\u0003\u0002\u0001\u0000'),
    ]);
    const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
    const signature = sign('sha256', tbsDer, intermediate.key.privateKey);
    const der = Buffer.from(
      asn1
        .toDer(
          asn1.create(U, asn1.Type.SEQUENCE, true, [
            tbs,
            algorithm('1.2.840.113549.1.1.11'),
            asn1.create(U, asn1.Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
          ]),
        )
        .getBytes(),
      'binary',
    );
    const broken = new X509Certificate(der);
    expect(() => broken.publicKey).toThrow();
    const withKey = validateCertificate(
      { certificate: broken, chain: [intermediate.x509], privateKey: leaf.key.privateKey },
      { roots },
    );
    expect(withKey.problems.map((p) => p.code)).toEqual(['KEY_MISMATCH']);
    const bundle = CertificateBundle.fromPem({
      certificatePem: toPem(der, 'CERTIFICATE'),
      privateKeyPem: leaf.key.privateKeyPem,
    });
    expect(bundle.validate({ roots }).ok).toBe(false);
  });
});
