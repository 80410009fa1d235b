/**
 * The one hardened XML parser configuration of crm-auth. Everything that reads XML goes through
 * {@link parseXml}: it refuses hostile input before the parser sees it, runs fast-xml-parser once,
 * and resolves namespaces and entities itself while converting to {@link XmlElement}s.
 */
import { XMLParser, type X2jOptions } from 'fast-xml-parser';
import { CrmAuthError } from '../errors';
import { DEFAULT_NS_KEY, type NamespaceScope, type XmlAttribute, type XmlElement } from './xml-element';

/** Default cap on input size: 5 MiB of UTF-8. */
export const DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024;

/** Deepest element nesting accepted. SOAP here is at most about 8 deep. */
export const MAX_DEPTH = 64;

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Options of {@link parseXml}. */
export interface XmlParseOptions {
  maxBytes?: number;
}

/**
 * The fast-xml-parser options of {@link parseXml}, chosen for safety first (docs/protocol.md §2.4).
 * Exported from this module only (not the package index) so that the bench's raw-parse baseline
 * (bench/suites/decode.mjs) parses with exactly these options.
 */
export const SAFE_PARSER_OPTIONS: Readonly<X2jOptions> = Object.freeze({
  // Keeps every element (duplicates, order) and gives one uniform node shape to convert.
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  // No coercion: `00123` stays a string, tickets stay intact; each field converts its own value.
  parseTagValue: false,
  parseAttributeValue: false,
  // Entities are decoded below with the strict XML set only, so no DTD or HTML entity is ever expanded.
  processEntities: false,
  htmlEntities: false,
  // Whitespace is trimmed per field (XML whitespace only), never inside CDATA.
  trimValues: false,
  // CDATA must stay apart from text: it is raw and must not be entity-decoded.
  cdataPropName: '#cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Bounded nesting: no deep recursion anywhere downstream.
  maxNestedTags: MAX_DEPTH,
  // Keep names as sent; the nodes are only read by key iteration, never by method calls.
  onDangerousProperty: (name: string) => name,
});

const PARSER = new XMLParser(SAFE_PARSER_OPTIONS);

// An HTML page (login or proxy error page), possibly after BOM, whitespace, an XML declaration or comments.
const HTML_START =
  /^(?:[ \t\r\n]+|<\?xml[^>]{0,200}\?>|<!--[\s\S]{0,2000}?-->)*<(?:!doctype[ \t\r\n]+html|html|head|body)[ \t\r\n>/]/i;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Most attributes one element may carry; SOAP here uses at most a handful. */
export const MAX_ATTRIBUTES = 256;

// Characters XML 1.0 §2.2 does not allow: C0 controls other than tab, LF and CR, lone surrogates,
// U+FFFE and U+FFFF.
const FORBIDDEN_CHAR =
  // eslint-disable-next-line no-control-regex -- matching the control characters XML forbids is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Walks the document's markup once, before the parser sees it, and returns the first reason to
 * refuse it (or undefined). Comments and CDATA are skipped, so their text is never mistaken for
 * markup. Refused:
 * - a markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST`, `<!NOTATION`): SOAP
 *   forbids DTDs (SOAP 1.1 §3, SOAP 1.2 Part 1 §5), and refusing them kills XXE and entity expansion;
 * - a processing instruction (SOAP 1.2 Part 1 §5 forbids them; the XML declaration is not one);
 * - an XML declaration that names an encoding other than UTF-8 (the only one read here);
 * - an element with more than {@link MAX_ATTRIBUTES} attributes (parsing cost grows with them);
 * - a character XML 1.0 does not allow (U+0000, other C0 controls, lone surrogates).
 * Linear: text between tags is skipped with indexOf, and each character of a tag is looked at once.
 */
export function scanMarkup(xml: string): CrmAuthError | undefined {
  if (FORBIDDEN_CHAR.test(xml)) {
    return new CrmAuthError(
      'ERR_XML_MALFORMED',
      'malformed XML: a character XML does not allow (such as U+0000)',
    );
  }
  // The open elements, innermost last: each end tag must close the innermost, and none may stay open.
  const open: string[] = [];
  let rootSeen = false;
  let i = xml.indexOf('<');
  if (!isXmlSpace(xml, 0, i === -1 ? xml.length : i)) return malformed('text before the root element');
  while (i !== -1) {
    let next: number;
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) return malformed('unexpected end of input inside a comment');
      next = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      if (open.length === 0) return malformed('CDATA outside the root element');
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) return malformed('unexpected end of input inside CDATA');
      next = end + 3;
    } else if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end === -1) return malformed('unexpected end of input inside a processing instruction');
      const isDeclaration = i === 0 && /^<\?xml[ \t\r\n]/.test(xml.slice(0, 6));
      if (!isDeclaration)
        return new CrmAuthError('ERR_XML_FORBIDDEN', 'a processing instruction is not allowed in SOAP');
      const encoding = /encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']/.exec(xml.slice(0, end))?.[1];
      if (encoding !== undefined && !/^utf-?8$/i.test(encoding.trim())) {
        return new CrmAuthError(
          'ERR_XML_MALFORMED',
          `malformed XML: declared encoding "${oneLine(encoding).slice(0, 40)}" is not UTF-8`,
        );
      }
      next = end + 2;
    } else if (xml.startsWith('<!', i)) {
      const decl = /^<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.exec(xml.slice(i, i + 11));
      if (decl?.[1])
        return new CrmAuthError('ERR_XML_FORBIDDEN', `${decl[1].toUpperCase()} is not allowed in SOAP`);
      return malformed(`markup "<!" that is neither a comment nor CDATA`);
    } else {
      // A tag: find its end outside quoted attribute values, counting the attributes.
      let quote = '';
      let attributes = 0;
      let j = i + 1;
      for (; j < xml.length; j += 1) {
        const c = xml.charCodeAt(j);
        if (quote !== '') {
          if (c === quote.charCodeAt(0)) quote = '';
        } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
          quote = xml[j] as string;
        } else if (c === 0x3d /* = */) {
          attributes += 1;
          if (attributes > MAX_ATTRIBUTES) {
            return new CrmAuthError(
              'ERR_XML_TOO_LARGE',
              `XML element with more than ${MAX_ATTRIBUTES} attributes`,
            );
          }
        } else if (c === 0x3e /* > */ || c === 0x3c /* < */) {
          break;
        }
      }
      if (j >= xml.length) return malformed('unexpected end of input inside a tag');
      if (xml.charCodeAt(j) === 0x3c) return malformed('"<" inside a tag');
      const refusal = nestTag(xml, i, j, open);
      if (refusal) return refusal;
      rootSeen = true;
      next = j + 1;
    }
    i = xml.indexOf('<', next);
    // Outside the root element only whitespace, comments and the declaration may appear.
    if (open.length === 0 && !isXmlSpace(xml, next, i === -1 ? xml.length : i))
      return malformed(rootSeen ? 'text after the root element' : 'text before the root element');
  }
  if (open.length > 0) return malformed(`unexpected end of input inside <${open[open.length - 1] ?? ''}>`);
  return undefined;
}

/**
 * XML's Name production, with every character above U+007F allowed (the parser and the namespace checks
 * refuse what is left): a letter, `_` or `:` first, then letters, digits, `.`, `-`, `_` and `:`.
 */
function isXmlName(name: string): boolean {
  if (!name) return false;
  for (let k = 0; k < name.length; k += 1) {
    const c = name.charCodeAt(k);
    const letter =
      (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a || c > 0x7f;
    if (letter) continue;
    if (k > 0 && ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d)) continue;
    return false;
  }
  return true;
}

/**
 * The attributes of a start tag, xml[from, to): each is whitespace, a name, `=` and a quoted value, no name twice
 * (XML 1.0 §3.1). The parser would take an unquoted or valueless attribute, or keep one of two spelled alike.
 */
function checkAttributes(xml: string, from: number, to: number): CrmAuthError | undefined {
  // A few attributes are compared in a list; past 16 a set keeps a hostile element's 256 linear.
  const names: string[] = [];
  let seen: Set<string> | undefined;
  let k = from;
  for (;;) {
    const spaceStart = k;
    while (k < to && isSpace(xml.charCodeAt(k))) k += 1;
    if (k >= to) return undefined;
    if (k === spaceStart) return malformed('attributes must be separated by whitespace');
    const nameStart = k;
    while (k < to && !isSpace(xml.charCodeAt(k)) && xml.charCodeAt(k) !== 0x3d) k += 1;
    const name = xml.slice(nameStart, k);
    if (!isXmlName(name)) return malformed(`an attribute named "${oneLine(name)}"`);
    while (k < to && isSpace(xml.charCodeAt(k))) k += 1;
    if (xml.charCodeAt(k) !== 0x3d /* = */) return malformed(`attribute ${oneLine(name)} without a value`);
    k += 1;
    while (k < to && isSpace(xml.charCodeAt(k))) k += 1;
    const quote = xml.charCodeAt(k);
    if (quote !== 0x22 && quote !== 0x27)
      return malformed(`the value of attribute ${oneLine(name)} is not quoted`);
    const close = xml.indexOf(xml[k] as string, k + 1);
    if (close === -1 || close >= to)
      return malformed(`the value of attribute ${oneLine(name)} is not closed`);
    if (seen ? seen.has(name) : names.includes(name))
      return malformed(`attribute ${oneLine(name)} appears twice on one element`);
    if (seen) seen.add(name);
    else if (names.push(name) > 16) seen = new Set(names);
    k = close + 1;
  }
}

function malformed(what: string): CrmAuthError {
  return new CrmAuthError('ERR_XML_MALFORMED', `malformed XML: ${what}`);
}

/** XML whitespace: space, tab, CR, LF. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** True when xml[from, to) is XML whitespace only (space, tab, CR, LF). */
function isXmlSpace(xml: string, from: number, to: number): boolean {
  for (let k = from; k < to; k += 1) if (!isSpace(xml.charCodeAt(k))) return false;
  return true;
}

/**
 * The tag xml[start..end] (from `<` to `>`): a start tag opens its element, an end tag must close the innermost
 * open one, an empty-element tag does neither. The parser after this does not check that end tags match.
 */
function nestTag(xml: string, start: number, end: number, open: string[]): CrmAuthError | undefined {
  const closing = xml.charCodeAt(start + 1) === 0x2f; /* / */
  const from = closing ? start + 2 : start + 1;
  let to = from;
  for (; to < end; to += 1) {
    const c = xml.charCodeAt(to);
    if (isSpace(c) || c === 0x2f || c === 0x3e) break;
  }
  const name = xml.slice(from, to);
  if (!isXmlName(name)) return malformed(name ? `a tag named "${oneLine(name)}"` : 'a tag without a name');
  if (closing) {
    if (!isXmlSpace(xml, to, end)) return malformed(`an end tag </${oneLine(name)}> with more than its name`);
    const innermost = open.pop();
    if (innermost === undefined) return malformed(`an end tag </${oneLine(name)}> with no element open`);
    if (innermost !== name)
      return malformed(`the end tag </${oneLine(name)}> does not close <${oneLine(innermost)}>`);
    return undefined;
  }
  const empty = xml.charCodeAt(end - 1) === 0x2f; // <name … />
  const refusal = checkAttributes(xml, to, empty ? end - 1 : end);
  if (refusal) return refusal;
  if (empty) return undefined;
  open.push(name);
  if (open.length > MAX_DEPTH)
    return new CrmAuthError('ERR_XML_TOO_DEEP', `XML nested deeper than ${MAX_DEPTH} elements`);
  return undefined;
}

/**
 * Parses `input` to its root element with namespaces resolved. Throws CrmAuthError:
 * ERR_XML_TOO_LARGE, ERR_HTML_INSTEAD_OF_SOAP, ERR_XML_FORBIDDEN, ERR_XML_MALFORMED, ERR_XML_TOO_DEEP.
 */
export function parseXml(input: string | Uint8Array, opts: XmlParseOptions = {}): XmlElement {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  // NaN or a negative cap would silently mean "no cap".
  if (!(maxBytes > 0) || !Number.isFinite(maxBytes)) {
    throw new CrmAuthError('ERR_INVALID_OPTIONS', 'maxBytes must be a positive number');
  }
  const xml = toText(input, maxBytes);

  // HTML first, so a login page gets its own code instead of the DOCTYPE refusal.
  if (HTML_START.test(xml.slice(0, 4096))) {
    throw new CrmAuthError('ERR_HTML_INSTEAD_OF_SOAP', 'an HTML page was received where SOAP was expected');
  }
  const refusal = scanMarkup(xml);
  if (refusal) throw refusal;

  // Parse first: the nesting cap stops a 10,000-deep document after a few hundred bytes.
  let nodes: unknown;
  let parseError: CrmAuthError | undefined;
  try {
    nodes = PARSER.parse(xml);
  } catch (err) {
    parseError = classifyParserError(err);
    if (parseError.code !== 'ERR_XML_MALFORMED') throw parseError;
  }
  if (parseError) throw parseError;

  const roots = Array.isArray(nodes) ? nodes : [];
  let root: XmlElement | undefined;
  const scope: Record<string, string> = Object.create(null) as Record<string, string>;
  scope['xml'] = XML_NS;
  for (const node of roots) {
    if (!isElementNode(node)) continue;
    // Exactly one document element: the validator lets `<a/><b/>` through.
    if (root) throw new CrmAuthError('ERR_XML_MALFORMED', 'malformed XML: more than one root element');
    root = convert(node, scope, 1);
  }
  if (!root) throw new CrmAuthError('ERR_XML_MALFORMED', 'malformed XML: no root element');
  return root;
}

function toText(input: string | Uint8Array, maxBytes: number): string {
  if (typeof input !== 'string') {
    // Cap before decoding, so an oversized body never becomes a string.
    if (input.byteLength > maxBytes) throw tooLarge(maxBytes);
    try {
      return STRICT_UTF8.decode(input);
    } catch {
      // XML 1.0 §4.3.3: bytes that are not UTF-8 in a UTF-8 entity are a fatal error, not U+FFFD.
      throw new CrmAuthError('ERR_XML_MALFORMED', 'malformed XML: the input is not valid UTF-8');
    }
  }
  // UTF-8 needs at least one byte per UTF-16 unit and at most three: only measure when it matters.
  if (input.length > maxBytes) throw tooLarge(maxBytes);
  if (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes) throw tooLarge(maxBytes);
  return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
}

function tooLarge(maxBytes: number): CrmAuthError {
  return new CrmAuthError('ERR_XML_TOO_LARGE', `XML larger than ${maxBytes} bytes`);
}

function classifyParserError(err: unknown): CrmAuthError {
  const msg = err instanceof Error ? err.message : String(err);
  // The library names these cases only in its message; test/fixtures.spec.ts pins both mappings.
  if (/nested tags/i.test(msg)) {
    return new CrmAuthError('ERR_XML_TOO_DEEP', `XML nested deeper than ${MAX_DEPTH} elements`, {
      cause: err,
    });
  }
  if (msg.startsWith('[SECURITY]')) {
    return new CrmAuthError('ERR_XML_FORBIDDEN', `element or attribute name refused: ${oneLine(msg)}`, {
      cause: err,
    });
  }
  return new CrmAuthError('ERR_XML_MALFORMED', `malformed XML: ${oneLine(msg)}`, { cause: err });
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').slice(0, 200);
}

type FxpNode = Record<string, unknown>;

function isElementNode(node: unknown): node is FxpNode {
  if (typeof node !== 'object' || node === null) return false;
  for (const k in node) if (k !== ':@' && k !== '#text' && k !== '#cdata') return true;
  return false;
}

function convert(node: FxpNode, parentScope: NamespaceScope, depth: number): XmlElement {
  // Defence in depth; the parser's maxNestedTags already stops this.
  if (depth > MAX_DEPTH)
    throw new CrmAuthError('ERR_XML_TOO_DEEP', `XML nested deeper than ${MAX_DEPTH} elements`);
  let qname = '';
  for (const k in node) {
    if (k !== ':@') {
      qname = k;
      break;
    }
  }
  const rawAttrs = node[':@'] as Record<string, unknown> | undefined;
  let scope = parentScope;
  const attrs: XmlAttribute[] = [];
  if (rawAttrs) {
    for (const an in rawAttrs) {
      if (an === 'xmlns' || an.startsWith('xmlns:')) {
        if (scope === parentScope) scope = Object.create(parentScope) as NamespaceScope;
        (scope as Record<string, string>)[an === 'xmlns' ? DEFAULT_NS_KEY : an.slice(6)] = decodeAttr(
          String(rawAttrs[an]),
        );
      }
    }
    for (const an in rawAttrs) {
      if (an === 'xmlns' || an.startsWith('xmlns:')) continue;
      const colon = an.indexOf(':');
      // Unprefixed attributes are in no namespace (Namespaces in XML §6.2).
      const ns = colon === -1 ? '' : lookupPrefix(scope, an.slice(0, colon), an);
      attrs.push({
        ns,
        name: colon === -1 ? an : an.slice(colon + 1),
        value: decodeAttr(String(rawAttrs[an])),
      });
    }
  }
  // Two prefixes bound to one namespace can spell the same attribute twice (Namespaces in XML §6.3).
  for (let a = 1; a < attrs.length; a += 1) {
    for (let b = 0; b < a; b += 1) {
      if (attrs[a]?.ns === attrs[b]?.ns && attrs[a]?.name === attrs[b]?.name) {
        throw new CrmAuthError(
          'ERR_XML_MALFORMED',
          `malformed XML: attribute {${attrs[a]?.ns ?? ''}}${attrs[a]?.name ?? ''} appears twice on <${qname}>`,
        );
      }
    }
  }
  const colon = qname.indexOf(':');
  const ns = colon === -1 ? (scope[DEFAULT_NS_KEY] ?? '') : lookupPrefix(scope, qname.slice(0, colon), qname);
  const name = colon === -1 ? qname : qname.slice(colon + 1);

  const children: XmlElement[] = [];
  let text = '';
  const content = node[qname];
  if (Array.isArray(content)) {
    for (const child of content as FxpNode[]) {
      const t = child['#text'];
      if (t !== undefined) {
        text += decodeText(String(t));
        continue;
      }
      const cdata = child['#cdata'];
      if (cdata !== undefined) {
        // CDATA is literal: no entity decoding.
        if (Array.isArray(cdata)) for (const part of cdata as FxpNode[]) text += String(part['#text'] ?? '');
        continue;
      }
      if (isElementNode(child)) children.push(convert(child, scope, depth + 1));
    }
  }
  return { ns, name, attrs, children, text, scope };
}

function lookupPrefix(scope: NamespaceScope, prefix: string, qname: string): string {
  const ns = scope[prefix];
  // An undeclared prefix makes the document not namespace-well-formed.
  if (ns === undefined || ns === '') {
    throw new CrmAuthError('ERR_XML_MALFORMED', `malformed XML: undeclared namespace prefix in "${qname}"`);
  }
  return ns;
}

const LINE_ENDS = /\r\n?/g;
const ATTR_WS = /\r\n|[\r\n\t]/g;

/** Text content: XML line-end normalization, then the strict entity set. */
function decodeText(raw: string): string {
  const s = raw.indexOf('\r') === -1 ? raw : raw.replace(LINE_ENDS, '\n');
  return s.indexOf('&') === -1 ? s : decodeEntities(s);
}

/** Attribute values: XML attribute-value normalization (whitespace → space), then entities. */
function decodeAttr(raw: string): string {
  const s = /[\r\n\t]/.test(raw) ? raw.replace(ATTR_WS, ' ') : raw;
  return s.indexOf('&') === -1 ? s : decodeEntities(s);
}

/**
 * Decodes the five predefined entities and character references. Anything else (`&nbsp;`, a
 * DTD-defined name, a bare `&`) is malformed: without a DTD, XML defines nothing more.
 */
export function decodeEntities(s: string): string {
  let out = '';
  let from = 0;
  for (let amp = s.indexOf('&'); amp !== -1; amp = s.indexOf('&', from)) {
    const semi = s.indexOf(';', amp + 1);
    // Longest legal reference is `&#x10FFFF;`; a bounded look-ahead keeps this linear.
    if (semi === -1 || semi - amp > 12) throw badReference();
    const ref = s.slice(amp + 1, semi);
    let ch: string;
    if (ref.charCodeAt(0) === 0x23 /* # */) {
      const hex = ref.charCodeAt(1) === 0x78; /* x */
      const digits = ref.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9A-Fa-f]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) throw badReference();
      const cp = parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(cp)) throw badReference();
      ch = String.fromCodePoint(cp);
    } else {
      ch = predefinedEntity(ref);
    }
    out += s.slice(from, amp) + ch;
    from = semi + 1;
  }
  return out + s.slice(from);
}

// A switch, not an object lookup: `&constructor;` must not find Object.prototype members.
function predefinedEntity(name: string): string {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
    default:
      throw badReference();
  }
}

function badReference(): CrmAuthError {
  return new CrmAuthError(
    'ERR_XML_MALFORMED',
    'malformed XML: unknown or invalid entity or character reference',
  );
}

/** XML 1.0 `Char` production. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}
