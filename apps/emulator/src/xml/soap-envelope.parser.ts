import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SOAP11_NS, SOAP12_NS } from '../soap/namespaces.constants';
import { childNames, isElement, type XmlElement, type XmlValue } from './xml-node.util';

export type SoapVersion = '1.1' | '1.2';

/** Why a request body was refused before any handler saw it. */
export type SoapParseErrorKind =
  | 'forbidden-dtd'
  | 'not-xml'
  | 'html-page'
  | 'malformed'
  | 'not-soap'
  | 'invalid-envelope';

/** A request body the emulator refuses to read; `httpStatus` follows docs/protocol.md §2.4. */
export class SoapParseError extends Error {
  constructor(
    readonly kind: SoapParseErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'SoapParseError';
  }

  get httpStatus(): number {
    return this.kind === 'not-xml' || this.kind === 'html-page' || this.kind === 'malformed' ? 400 : 500;
  }
}

/** A parsed SOAP request: version, the single Body child and a document-wide prefix map. */
export interface SoapEnvelope {
  version: SoapVersion;
  header: XmlElement | undefined;
  /** Local name of the single element in Body. */
  bodyName: string;
  bodyElement: XmlValue;
  /** Prefix ('' = default) → namespace URIs declared anywhere in the document. */
  namespaces: Map<string, Set<string>>;
}

/** One parser configuration for every request (docs/protocol.md §2.4). */
const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // SOAP here is shallow; a cap far below the stack limit stops nesting bombs.
  maxNestedTags: 64,
  // DOCTYPE is refused before parsing, so no declared entity can exist; limits stay explicit anyway
  // because entity-limit defaults moved between releases.
  processEntities: {
    enabled: true,
    maxEntitySize: 0,
    maxEntityCount: 0,
    maxExpansionDepth: 1,
    maxTotalExpansions: 200_000,
    maxExpandedLength: 2_000_000,
  },
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Attribute and tag names such as __proto__ must not reach plain objects.
  strictReservedNames: true,
} as const;

// htmlEntities is only needed for numeric character references (&#x0D;), which XML allows and
// clients send; it costs about a third of a WhoAmI parse, so bodies without `&#` skip it.
const parser = new XMLParser({ ...PARSER_OPTIONS, htmlEntities: false });
const numericRefParser = new XMLParser({ ...PARSER_OPTIONS, htmlEntities: true });

const NS_DECL = /\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(["'])(.*?)\2/g;
const ROOT_TAG = /^(?:\s*<\?xml[^>]*\?>)?(?:\s*<!--[\s\S]*?-->)*\s*<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)/;

/** Collects every namespace declaration; prefixes are rarely rebound, so a flat map suffices. */
export function scanNamespaces(xml: string): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const m of xml.matchAll(NS_DECL)) {
    const prefix = m[1] ?? '';
    const uri = m[3] ?? '';
    let set = map.get(prefix);
    if (!set) map.set(prefix, (set = new Set()));
    set.add(uri);
  }
  return map;
}

/** Splits a QName such as `q1:QueryExpression` into prefix and local name. */
export function splitQName(qname: string): { prefix: string; local: string } {
  const trimmed = qname.trim();
  const i = trimmed.indexOf(':');
  return i < 0 ? { prefix: '', local: trimmed } : { prefix: trimmed.slice(0, i), local: trimmed.slice(i + 1) };
}

/**
 * Resolves an xsi:type QName. Unprefixed names are accepted whatever the default namespace,
 * because real clients wrote them under a default cds namespace or none at all (docs/protocol.md §4.1).
 * A prefixed name must be bound to `expectedNs`.
 */
export function resolveTypeName(
  qname: string | undefined,
  namespaces: Map<string, Set<string>>,
  expectedNs: string,
): string | undefined {
  if (qname === undefined) return undefined;
  const { prefix, local } = splitQName(qname);
  if (prefix === '') return local;
  const uris = namespaces.get(prefix);
  return uris?.has(expectedNs) ? local : undefined;
}

/** Rejects DTDs before any parsing: SOAP forbids them and no parser option does. */
export function assertNoDtd(xml: string): void {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    if (/<!DOCTYPE\s+html/i.test(xml)) {
      throw new SoapParseError('html-page', 'The request is an HTML page, not a SOAP message');
    }
    throw new SoapParseError('forbidden-dtd', 'DTDs and entity declarations are not allowed in SOAP messages');
  }
}

/** Parses and checks a SOAP 1.1 or 1.2 request. Throws SoapParseError on anything else. */
export function parseSoapEnvelope(raw: string): SoapEnvelope {
  // .NET writers often start UTF-8 bodies with a byte-order mark.
  const xml = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const start = xml.trimStart();
  if (!start.startsWith('<')) throw new SoapParseError('not-xml', 'The request body is not XML');
  assertNoDtd(xml);
  if (/^(?:<\?xml[^>]*\?>\s*)?<html[\s>]/i.test(start)) {
    throw new SoapParseError('html-page', 'The request is an HTML page, not a SOAP message');
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new SoapParseError('malformed', `The request is not well-formed XML: ${valid.err.msg}`);
  }
  let doc: XmlValue;
  try {
    doc = (xml.includes('&#') ? numericRefParser : parser).parse(xml) as XmlValue;
  } catch (error) {
    throw new SoapParseError('malformed', `The request could not be parsed: ${(error as Error).message}`);
  }
  const root = ROOT_TAG.exec(xml);
  if (!isElement(doc) || !root || root[2] !== 'Envelope') {
    throw new SoapParseError('not-soap', 'The request is not a SOAP envelope');
  }
  const namespaces = scanNamespaces(xml);
  const envelopeNs = rootNamespace(xml, root.index + root[0].length, root[1] ?? '');
  const version: SoapVersion | undefined =
    envelopeNs === SOAP11_NS ? '1.1' : envelopeNs === SOAP12_NS ? '1.2' : undefined;
  if (!version) throw new SoapParseError('not-soap', `Unknown SOAP envelope namespace '${envelopeNs ?? ''}'`);

  const envelope = doc['Envelope'];
  if (!isElement(envelope)) throw new SoapParseError('invalid-envelope', 'Exactly one Envelope is allowed');
  const header = envelope['Header'];
  const body = envelope['Body'];
  if (Array.isArray(header)) throw new SoapParseError('invalid-envelope', 'At most one Header is allowed');
  if (body === undefined || Array.isArray(body)) {
    throw new SoapParseError('invalid-envelope', 'Exactly one Body is allowed in a SOAP envelope');
  }
  const names = childNames(body);
  const bodyName = names[0];
  if (names.length !== 1 || bodyName === undefined) {
    throw new SoapParseError('invalid-envelope', 'The SOAP Body must hold exactly one element');
  }
  const bodyElement = (body as XmlElement)[bodyName];
  if (bodyElement === undefined || Array.isArray(bodyElement)) {
    throw new SoapParseError('invalid-envelope', 'The SOAP Body must hold exactly one element');
  }
  return {
    version,
    header: isElement(header) ? header : undefined,
    bodyName,
    bodyElement,
    namespaces,
  };
}

/** The namespace of the root element, read from its own start tag. */
function rootNamespace(xml: string, afterName: number, prefix: string): string | undefined {
  const end = xml.indexOf('>', afterName);
  const startTag = ' ' + xml.slice(afterName, end < 0 ? undefined : end);
  for (const m of startTag.matchAll(NS_DECL)) {
    if ((m[1] ?? '') === prefix) return m[3];
  }
  return undefined;
}
