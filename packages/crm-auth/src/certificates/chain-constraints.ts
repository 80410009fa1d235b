import type { X509Certificate } from 'node:crypto';
import type { CertificateProblemCode } from './certificate-report';
import {
  contentBytes,
  DerError,
  DerTag,
  elementBytes,
  readChildren,
  readElement,
  readOid,
  readRoot,
  type DerElement,
} from './der-reader';

/**
 * The basic constraints' path length (RFC 5280 §4.2.1.9, §6.1.4 (l)–(m)) and the name constraints
 * (§4.2.1.10, §6.1.3 (b)–(c)) of a chain, read from the certificates' DER: Node's X509Certificate
 * exposes `ca` but neither pathLenConstraint nor nameConstraints. Internal to the certificates folder.
 */

const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_NAME_CONSTRAINTS = '2.5.29.30';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

const TAG_BOOLEAN = 0x01;
/** GeneralName choices (RFC 5280 §4.2.1.6, implicit tags): the two forms checked here. */
const GN_DNS = 0x82;
const GN_DIRECTORY = 0xa4;
const GN_FORMS: Readonly<Record<number, string>> = {
  0xa0: 'otherName',
  0x81: 'rfc822Name',
  [GN_DNS]: 'dNSName',
  0xa3: 'x400Address',
  [GN_DIRECTORY]: 'directoryName',
  0xa5: 'ediPartyName',
  0x86: 'uniformResourceIdentifier',
  0x87: 'iPAddress',
  0x88: 'registeredID',
};

/** One attribute of a distinguished name: its type and a comparable form of its value. */
interface Attribute {
  type: string;
  value: string;
  /** The value as written, for messages. */
  shown: string;
}
/** A distinguished name as RDNs (each a set of attributes), most significant first. */
type DistinguishedName = Attribute[][];

interface Subtrees {
  dns: string[];
  directory: DistinguishedName[];
}

interface NameConstraints {
  critical: boolean;
  permitted: Subtrees;
  excluded: Subtrees;
  /** Forms (or subtree ranges) present that are not checked here. */
  unchecked: string[];
}

/** What the constraint checks need of one certificate. */
export interface ConstraintFacts {
  /** Subject and issuer names are the same DER (RFC 5280 §6.1 "self-issued"). */
  selfIssued: boolean;
  /** basicConstraints pathLenConstraint, when present. */
  pathLen: number | undefined;
  nameConstraints: NameConstraints | undefined;
  /** The subject name; empty when the subject is empty. */
  subject: DistinguishedName;
  altDns: string[];
  altDirectory: DistinguishedName[];
}

type AddProblem = (code: CertificateProblemCode, message: string, severity?: 'error' | 'warning') => void;

/**
 * Reports PATH_LENGTH_EXCEEDED, NAME_NOT_PERMITTED, NAME_EXCLUDED, NAME_CONSTRAINTS_UNSUPPORTED and
 * CONSTRAINTS_UNREADABLE for a path built leaf first. The pinned root's constraints apply too (as
 * OpenSSL applies them), though RFC 5280 §6.1.1 (d) leaves a trust anchor's constraints optional.
 */
export function checkChainConstraints(
  path: ReadonlyArray<X509Certificate>,
  name: (cert: X509Certificate) => string,
  add: AddProblem,
): void {
  const facts: Array<ConstraintFacts | undefined> = path.map((cert) => {
    try {
      return readConstraintFacts(cert.raw);
    } catch {
      add(
        'CONSTRAINTS_UNREADABLE',
        `the extensions of ${name(cert)} cannot be read, so its basic and name constraints cannot be checked`,
      );
      return undefined;
    }
  });
  for (const [k, issuer] of facts.entries()) {
    if (!issuer || k === 0) continue;
    const ca = path[k] as X509Certificate;
    checkPathLength(facts, k, ca, name, add);
    const nc = issuer.nameConstraints;
    if (!nc) continue;
    if (nc.unchecked.length > 0) {
      add(
        'NAME_CONSTRAINTS_UNSUPPORTED',
        nc.critical
          ? `${name(ca)} has critical name constraints on ${nc.unchecked.join(', ')}, which are not checked here`
          : `${name(ca)} has name constraints on ${nc.unchecked.join(', ')}, which are not checked here`,
        nc.critical ? 'error' : 'warning',
      );
    }
    for (let i = 0; i < k; i += 1) {
      const below = facts[i];
      // §6.1.3 (b): a self-issued certificate is exempt unless it is the last one (the leaf).
      if (!below || (below.selfIssued && i > 0)) continue;
      checkNames(below, nc, name(path[i] as X509Certificate), name(ca), add);
    }
  }
}

function checkPathLength(
  facts: ReadonlyArray<ConstraintFacts | undefined>,
  k: number,
  ca: X509Certificate,
  name: (cert: X509Certificate) => string,
  add: AddProblem,
): void {
  const limit = facts[k]?.pathLen;
  // pathLenConstraint means something only in a CA certificate (§4.2.1.9); a non-CA issuer is ISSUER_NOT_CA.
  if (limit === undefined || !ca.ca) return;
  // §6.1.4 (l): non-self-issued certificates between this CA and the leaf count; the leaf does not.
  let below = 0;
  for (let j = 1; j < k; j += 1) if (facts[j]?.selfIssued !== true) below += 1;
  if (below > limit) {
    add(
      'PATH_LENGTH_EXCEEDED',
      `${name(ca)} allows ${limit} intermediate CA certificate${limit === 1 ? '' : 's'} below it (pathLenConstraint), the chain has ${below}`,
    );
  }
}

function checkNames(
  subject: ConstraintFacts,
  nc: NameConstraints,
  subjectName: string,
  caName: string,
  add: AddProblem,
): void {
  // §4.2.1.10: directoryName constraints apply to a non-empty subject and to directoryName alt names.
  const directoryNames =
    subject.subject.length > 0 ? [subject.subject, ...subject.altDirectory] : subject.altDirectory;
  for (const dn of directoryNames) {
    const shown = `directoryName "${dnText(dn)}"`;
    if (nc.excluded.directory.some((base) => dnWithin(dn, base))) {
      add('NAME_EXCLUDED', `${subjectName} has ${shown}, which ${caName} excludes`);
    } else if (
      nc.permitted.directory.length > 0 &&
      !nc.permitted.directory.some((base) => dnWithin(dn, base))
    ) {
      add('NAME_NOT_PERMITTED', `${subjectName} has ${shown}, outside the names ${caName} permits`);
    }
  }
  for (const dns of subject.altDns) {
    const shown = `dNSName "${dns}"`;
    if (nc.excluded.dns.some((base) => dnsWithin(dns, base))) {
      add('NAME_EXCLUDED', `${subjectName} has ${shown}, which ${caName} excludes`);
    } else if (nc.permitted.dns.length > 0 && !nc.permitted.dns.some((base) => dnsWithin(dns, base))) {
      add('NAME_NOT_PERMITTED', `${subjectName} has ${shown}, outside the names ${caName} permits`);
    }
  }
}

/**
 * §4.2.1.10: a DNS name satisfies `host.example.com` when it is that name with zero or more labels
 * added on the left. A constraint starting with a dot (a common extension) takes only added labels;
 * an empty one takes every name. Compared without case.
 */
export function dnsWithin(dnsName: string, base: string): boolean {
  const n = dnsName.toLowerCase();
  const b = base.toLowerCase();
  if (b === '') return true;
  if (b.startsWith('.')) return n.length > b.length && n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

/** §4.2.1.10, §7.1: a name is within a subtree when the subtree's RDNs begin it, RDN for RDN. */
export function dnWithin(dn: DistinguishedName, base: DistinguishedName): boolean {
  if (dn.length < base.length) return false;
  return base.every((rdn, i) => rdnEqual(rdn, dn[i] as Attribute[]));
}

function rdnEqual(a: Attribute[], b: Attribute[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => x.type === y.type && x.value === y.value));
}

const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

function dnText(dn: DistinguishedName): string {
  return dn
    .map((rdn) => rdn.map((a) => `${ATTRIBUTE_NAMES[a.type] ?? a.type}=${a.shown}`).join('+'))
    .join(', ');
}

/** Reads {@link ConstraintFacts} from a DER certificate. Throws on malformed input. */
export function readConstraintFacts(der: Buffer): ConstraintFacts {
  const root = readRoot(der);
  const tbs = readChildren(der, root)[0];
  if (tbs?.tag !== DerTag.SEQUENCE) throw new DerError('not a certificate');
  const fields = readChildren(der, tbs);
  const base = fields[0]?.tag === DerTag.CONTEXT_0 ? 1 : 0;
  const issuer = fields[base + 2];
  const subject = fields[base + 4];
  if (issuer?.tag !== DerTag.SEQUENCE || subject?.tag !== DerTag.SEQUENCE)
    throw new DerError('not a certificate');
  const facts: ConstraintFacts = {
    selfIssued: elementBytes(der, issuer).equals(elementBytes(der, subject)),
    pathLen: undefined,
    nameConstraints: undefined,
    subject: readName(der, subject),
    altDns: [],
    altDirectory: [],
  };
  const extensions = fields.find((f) => f.tag === DerTag.CONTEXT_3);
  if (!extensions) return facts;
  const list = readChildren(der, extensions)[0];
  if (list?.tag !== DerTag.SEQUENCE) throw new DerError('malformed extensions');
  for (const ext of readChildren(der, list)) {
    const parts = readChildren(der, ext);
    const [id, second, third] = parts;
    if (!id) throw new DerError('malformed extension');
    const critical = second?.tag === TAG_BOOLEAN && contentBytes(der, second)[0] !== 0;
    const value = second?.tag === DerTag.OCTET_STRING ? second : third;
    if (value?.tag !== DerTag.OCTET_STRING) throw new DerError('malformed extension');
    const oid = readOid(der, id);
    const inner = readElement(der, value.contentStart, value.end);
    if (inner.end !== value.end) throw new DerError('trailing bytes in an extension');
    if (oid === OID_BASIC_CONSTRAINTS) facts.pathLen = readPathLen(der, inner);
    else if (oid === OID_NAME_CONSTRAINTS) facts.nameConstraints = readNameConstraints(der, inner, critical);
    else if (oid === OID_SUBJECT_ALT_NAME) {
      for (const gn of readChildren(der, inner)) {
        if (gn.tag === GN_DNS) facts.altDns.push(contentBytes(der, gn).toString('latin1'));
        else if (gn.tag === GN_DIRECTORY) facts.altDirectory.push(readDirectoryName(der, gn));
      }
    }
  }
  return facts;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL } */
function readPathLen(der: Buffer, seq: DerElement): number | undefined {
  if (seq.tag !== DerTag.SEQUENCE) throw new DerError('malformed basicConstraints');
  const last = readChildren(der, seq).at(-1);
  if (last?.tag !== DerTag.INTEGER) return undefined;
  const bytes = contentBytes(der, last);
  if (bytes.length === 0 || bytes.length > 4 || ((bytes[0] as number) & 0x80) !== 0)
    throw new DerError('pathLenConstraint out of range');
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

/** NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees OPTIONAL, excludedSubtrees [1] … } */
function readNameConstraints(der: Buffer, seq: DerElement, critical: boolean): NameConstraints {
  if (seq.tag !== DerTag.SEQUENCE) throw new DerError('malformed nameConstraints');
  const nc: NameConstraints = {
    critical,
    permitted: { dns: [], directory: [] },
    excluded: { dns: [], directory: [] },
    unchecked: [],
  };
  for (const list of readChildren(der, seq)) {
    if (list.tag !== 0xa0 && list.tag !== 0xa1) throw new DerError('malformed nameConstraints');
    const into = list.tag === 0xa0 ? nc.permitted : nc.excluded;
    for (const subtree of readChildren(der, list)) {
      if (subtree.tag !== DerTag.SEQUENCE) throw new DerError('malformed GeneralSubtree');
      const [gn, ...range] = readChildren(der, subtree);
      if (!gn) throw new DerError('malformed GeneralSubtree');
      // §4.2.1.10: minimum MUST be zero and maximum absent; any other range is not checked here.
      if (range.some((r) => r.tag !== 0x80 || !contentBytes(der, r).equals(Buffer.from([0])))) {
        addUnchecked(nc, 'subtree minimum/maximum');
      }
      if (gn.tag === GN_DNS) into.dns.push(contentBytes(der, gn).toString('latin1'));
      else if (gn.tag === GN_DIRECTORY) into.directory.push(readDirectoryName(der, gn));
      else addUnchecked(nc, GN_FORMS[gn.tag] ?? `GeneralName tag 0x${gn.tag.toString(16)}`);
    }
  }
  return nc;
}

function addUnchecked(nc: NameConstraints, form: string): void {
  if (!nc.unchecked.includes(form)) nc.unchecked.push(form);
}

/** directoryName [4] is explicit (Name is a CHOICE): one Name inside. */
function readDirectoryName(der: Buffer, gn: DerElement): DistinguishedName {
  const [inner, extra] = readChildren(der, gn);
  if (inner?.tag !== DerTag.SEQUENCE || extra) throw new DerError('malformed directoryName');
  return readName(der, inner);
}

const STRING_TAGS: Readonly<Record<number, BufferEncoding | 'ucs2be' | 'ucs4be'>> = {
  0x0c: 'utf8', // UTF8String
  0x13: 'latin1', // PrintableString
  0x14: 'latin1', // TeletexString (read as Latin-1, as most software does)
  0x16: 'latin1', // IA5String
  0x1e: 'ucs2be', // BMPString
  0x1c: 'ucs4be', // UniversalString
};

/** Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue). */
function readName(der: Buffer, name: DerElement): DistinguishedName {
  return readChildren(der, name).map((rdn) => {
    if (rdn.tag !== DerTag.SET) throw new DerError('malformed RDN');
    return readChildren(der, rdn).map((atv) => {
      const [type, value, extra] = readChildren(der, atv);
      if (!type || !value || extra) throw new DerError('malformed attribute');
      const text = attributeText(der, value);
      return {
        type: readOid(der, type),
        // RFC 4518 in part: case folded, insignificant spaces removed, so that case or string type
        // do not let a name slip past an excluded subtree. Other types compare by their exact DER.
        value: text === undefined ? `#${elementBytes(der, value).toString('hex')}` : comparable(text),
        shown: text ?? `#${elementBytes(der, value).toString('hex')}`,
      };
    });
  });
}

/** The text of a string-typed attribute value; undefined for other types. */
function attributeText(der: Buffer, el: DerElement): string | undefined {
  const encoding = STRING_TAGS[el.tag];
  if (encoding === undefined) return undefined;
  const bytes = contentBytes(der, el);
  if (encoding === 'ucs2be') return Buffer.from(bytes).swap16().toString('utf16le');
  if (encoding === 'ucs4be') return String.fromCodePoint(...readUcs4(bytes));
  return bytes.toString(encoding);
}

function comparable(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** UCS-4 code points. A length that is not a multiple of 4 makes readUInt32BE throw, and a value
 * past U+10FFFF makes String.fromCodePoint throw: either is an unreadable name. */
function readUcs4(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) out.push(bytes.readUInt32BE(i));
  return out;
}
