import { SOAP11_NS, SOAP12_NS } from '../soap/namespaces.constants';
import { SoapParseError } from './soap-parse.error';
import { readXml } from './xml-reader';
import type { XmlElement, XmlValue } from './xml-node.util';

export { SoapParseError, type SoapParseErrorKind } from './soap-parse.error';

export type SoapVersion = '1.1' | '1.2';

/** A parsed SOAP request: version, the single Body child and a document-wide prefix map. */
export interface SoapEnvelope {
  version: SoapVersion;
  header: XmlElement | undefined;
  /** Local name of the single element in Body. */
  bodyName: string;
  /** Namespace of the single element in Body ('' for none). */
  bodyNs: string;
  bodyElement: XmlValue;
  /** Prefix ('' = default) → namespace URIs declared anywhere in the document. */
  namespaces: Map<string, Set<string>>;
}

/** SOAP here is shallow; a cap far below the stack limit stops nesting bombs. */
const MAX_DEPTH = 64;

// Invalid UTF-8 is malformed XML, never text with U+FFFD in it (docs/protocol.md §2.4).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Splits a QName such as `q1:QueryExpression` into prefix and local name. */
export function splitQName(qname: string): { prefix: string; local: string } {
  const trimmed = qname.trim();
  const i = trimmed.indexOf(':');
  return i < 0
    ? { prefix: '', local: trimmed }
    : { prefix: trimmed.slice(0, i), local: trimmed.slice(i + 1) };
}

/**
 * Resolves an xsi:type QName for the discovery service. Unprefixed names are accepted whatever the
 * default namespace, because real clients wrote them under a default cds namespace or none at all
 * (docs/protocol.md §4.1). A prefixed name must be bound to `expectedNs`. CrmService resolves its
 * QNames strictly, where they are written (xml-node.util.ts `resolveQName`).
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

function decode(raw: string | Uint8Array): string {
  if (typeof raw === 'string') return raw;
  try {
    // The decoder drops a leading byte-order mark, which .NET writers often send.
    return utf8.decode(raw);
  } catch {
    throw new SoapParseError('malformed', 'The request is not well-formed XML: it is not valid UTF-8');
  }
}

function invalid(message: string): SoapParseError {
  return new SoapParseError('invalid-envelope', message);
}

/**
 * Parses and checks a SOAP 1.1 or 1.2 request, given as the body's bytes (decoded as strict UTF-8)
 * or as text. Throws SoapParseError on anything else: not XML, an HTML page, malformed XML (invalid
 * UTF-8, an undefined entity such as `&nbsp;`), a DTD, a root that is no SOAP Envelope, or an
 * envelope that is not `Header? Body` in the envelope's own namespace with one element in Body.
 */
export function parseSoapEnvelope(raw: string | Uint8Array): SoapEnvelope {
  const text = decode(raw);
  const xml = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = xml.trimStart();
  if (!start.startsWith('<')) throw new SoapParseError('not-xml', 'The request body is not XML');
  if (/^(?:<\?xml[^>]*\?>\s*)?<html[\s>]/i.test(start)) {
    throw new SoapParseError('html-page', 'The request is an HTML page, not a SOAP message');
  }
  const doc = readXml(xml, { maxDepth: MAX_DEPTH });
  const envelope = doc.root;
  if (envelope.local !== 'Envelope')
    throw new SoapParseError('not-soap', 'The request is not a SOAP envelope');
  const version: SoapVersion | undefined =
    envelope.ns === SOAP11_NS ? '1.1' : envelope.ns === SOAP12_NS ? '1.2' : undefined;
  if (!version) throw new SoapParseError('not-soap', `Unknown SOAP envelope namespace '${envelope.ns}'`);
  if (envelope.text !== '') throw invalid('The SOAP Envelope holds text');

  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const part of envelope.children) {
    const isHeader = part.local === 'Header';
    if (!isHeader && part.local !== 'Body') {
      throw invalid(`The SOAP Envelope may hold only Header and Body, not ${part.name}`);
    }
    if (part.ns !== envelope.ns) {
      // A 1.2 Body in a 1.1 Envelope (or the reverse) is no Body of this envelope.
      throw invalid(`The ${part.local} is in namespace '${part.ns}', not the Envelope's '${envelope.ns}'`);
    }
    if (isHeader) {
      if (body) throw invalid('The SOAP Header must come before the Body');
      if (header) throw invalid('At most one Header is allowed');
      header = part;
    } else {
      if (body) throw invalid('Exactly one Body is allowed in a SOAP envelope');
      body = part;
    }
  }
  if (!body) throw invalid('Exactly one Body is allowed in a SOAP envelope');
  const bodyElement = body.children[0];
  if (body.children.length !== 1 || bodyElement === undefined || body.text !== '') {
    throw invalid('The SOAP Body must hold exactly one element');
  }
  return {
    version,
    header,
    bodyName: bodyElement.local,
    bodyNs: bodyElement.ns,
    bodyElement,
    namespaces: doc.declarations,
  };
}
