/**
 * The one XML reader of crm-auth. Everything that reads XML goes through {@link parseXml}. It refuses
 * hostile input and reads the document in one walk of its markup, straight into {@link XmlElement}s:
 * well-formedness, namespaces and entities are all checked and resolved here, with no general-purpose
 * parser underneath (docs/protocol.md §2.4). Linear in the input: text is skipped with indexOf, and each
 * character of a tag is looked at a bounded number of times.
 */
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

// An HTML page (login or proxy error page), possibly after BOM, whitespace, an XML declaration or comments.
// Each step of the loop can match one way only (one blank; a comment up to its first `-->`): a `[ \t\r\n]+` there
// let a run of n blanks split 2^(n-1) ways, and a document with 40 leading blanks never finished.
const HTML_START =
  /^(?:[ \t\r\n]|<\?xml[^>]{0,200}\?>|<!--(?:(?!-->)[\s\S]){0,2000}-->)*<(?:!doctype[ \t\r\n]+html|html|head|body)[ \t\r\n>/]/i;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Most attributes one element may carry; SOAP here uses at most a handful. */
export const MAX_ATTRIBUTES = 256;

// Characters XML 1.0 §2.2 does not allow: C0 controls other than tab, LF and CR, lone surrogates,
// U+FFFE and U+FFFF.
const FORBIDDEN_CHAR =
  // eslint-disable-next-line no-control-regex -- matching the control characters XML forbids is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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
  if (FORBIDDEN_CHAR.test(xml)) {
    throw new CrmAuthError(
      'ERR_XML_MALFORMED',
      'malformed XML: a character XML does not allow (such as U+0000)',
    );
  }
  return readDocument(xml);
}

/** An element whose end tag has not been read yet: its children and text grow until then. */
interface OpenElement {
  /** Its tag name is xml[nameStart, nameStart + nameLength). */
  readonly nameStart: number;
  readonly nameLength: number;
  readonly ns: string;
  readonly name: string;
  readonly attrs: XmlAttribute[];
  readonly scope: NamespaceScope;
  readonly children: XmlElement[];
  text: string;
}

/**
 * Reads the document's markup once, in order, and builds its element tree. Refused:
 * - a markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST`, `<!NOTATION`): SOAP forbids DTDs
 *   (SOAP 1.1 §3, SOAP 1.2 Part 1 §5), and refusing them kills XXE and entity expansion (ERR_XML_FORBIDDEN);
 * - a processing instruction (SOAP 1.2 Part 1 §5; the XML declaration is not one) (ERR_XML_FORBIDDEN);
 * - an XML declaration that names an encoding other than UTF-8, the only one read here;
 * - an element with more than {@link MAX_ATTRIBUTES} attributes (ERR_XML_TOO_LARGE), or nested deeper than
 *   {@link MAX_DEPTH} (ERR_XML_TOO_DEEP);
 * - what is not well-formed (XML 1.0): truncation, an end tag that does not close the innermost element, text or a
 *   second element outside the root, a bad name, an unquoted, valueless or repeated attribute, an undeclared
 *   prefix, an unknown entity.
 * Comments and CDATA are skipped as wholes, so their text is never mistaken for markup; CDATA is kept literal.
 */
function readDocument(xml: string): XmlElement {
  const open: OpenElement[] = [];
  const documentScope = Object.create(null) as Record<string, string>;
  documentScope['xml'] = XML_NS;
  let root: XmlElement | undefined;
  let i = xml.indexOf('<');
  if (!isXmlSpace(xml, 0, i === -1 ? xml.length : i)) throw malformed('text before the root element');
  while (i !== -1) {
    let next: number;
    const second = xml.charCodeAt(i + 1);
    if (second === 0x21 /* ! */ && xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) throw malformed('unexpected end of input inside a comment');
      next = end + 3;
    } else if (second === 0x21 /* ! */ && xml.startsWith('<![CDATA[', i)) {
      const innermost = open[open.length - 1];
      if (innermost === undefined) throw malformed('CDATA outside the root element');
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) throw malformed('unexpected end of input inside CDATA');
      // CDATA is literal: no entity decoding. Its line ends are normalized as everywhere else (XML 1.0 §2.11).
      const cdata = xml.slice(i + 9, end);
      innermost.text += cdata.indexOf('\r') === -1 ? cdata : cdata.replace(LINE_ENDS, '\n');
      next = end + 3;
    } else if (second === 0x3f /* ? */) {
      next = readDeclaration(xml, i);
    } else if (second === 0x21 /* ! */) {
      const decl = /^<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.exec(xml.slice(i, i + 11));
      if (decl?.[1])
        throw new CrmAuthError('ERR_XML_FORBIDDEN', `${decl[1].toUpperCase()} is not allowed in SOAP`);
      throw malformed(`markup "<!" that is neither a comment nor CDATA`);
    } else {
      const end = tagEnd(xml, i);
      if (second === 0x2f /* / */) {
        const done = closeElement(xml, i, end, open);
        const parent = open[open.length - 1];
        if (parent) parent.children.push(done);
        else root = done;
      } else {
        if (root !== undefined && open.length === 0) throw malformed('more than one root element');
        const element = openElement(xml, i, end, open[open.length - 1]?.scope ?? documentScope, open);
        if (element) {
          const parent = open[open.length - 1];
          if (parent) parent.children.push(element);
          else root = element;
        }
      }
      next = end + 1;
    }
    i = xml.indexOf('<', next);
    const textEnd = i === -1 ? xml.length : i;
    const innermost = open[open.length - 1];
    if (innermost !== undefined) {
      if (textEnd > next) innermost.text += decodeText(xml.slice(next, textEnd));
    } else if (!isXmlSpace(xml, next, textEnd)) {
      // Outside the root element only whitespace, comments and the declaration may appear.
      throw malformed(root ? 'text after the root element' : 'text before the root element');
    }
  }
  const unclosed = open[open.length - 1];
  if (unclosed)
    throw malformed(
      `unexpected end of input inside <${oneLine(xml.slice(unclosed.nameStart, unclosed.nameStart + unclosed.nameLength))}>`,
    );
  if (!root) throw malformed('no root element');
  return root;
}

/** The XML declaration at xml[start] (`<?`): the only processing-instruction-like markup allowed. Returns where it ends. */
function readDeclaration(xml: string, start: number): number {
  const end = xml.indexOf('?>', start + 2);
  if (end === -1) throw malformed('unexpected end of input inside a processing instruction');
  const isDeclaration = start === 0 && /^<\?xml[ \t\r\n]/.test(xml.slice(0, 6));
  if (!isDeclaration)
    throw new CrmAuthError('ERR_XML_FORBIDDEN', 'a processing instruction is not allowed in SOAP');
  const encoding = /encoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']/.exec(xml.slice(0, end))?.[1];
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding.trim())) {
    throw new CrmAuthError(
      'ERR_XML_MALFORMED',
      `malformed XML: declared encoding "${oneLine(encoding).slice(0, 40)}" is not UTF-8`,
    );
  }
  return end + 2;
}

/** The index of the `>` that ends the tag starting at xml[start], outside quoted values; counts the attributes. */
function tagEnd(xml: string, start: number): number {
  let quote = 0;
  let attributes = 0;
  let j = start + 1;
  for (; j < xml.length; j += 1) {
    const c = xml.charCodeAt(j);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      quote = c;
    } else if (c === 0x3d /* = */) {
      attributes += 1;
      if (attributes > MAX_ATTRIBUTES) {
        throw new CrmAuthError(
          'ERR_XML_TOO_LARGE',
          `XML element with more than ${MAX_ATTRIBUTES} attributes`,
        );
      }
    } else if (c === 0x3e /* > */ || c === 0x3c /* < */) {
      break;
    }
  }
  if (j >= xml.length) throw malformed('unexpected end of input inside a tag');
  if (xml.charCodeAt(j) === 0x3c) throw malformed('"<" inside a tag');
  return j;
}

/** The end of the tag name that starts at xml[from], before `end` (the tag's `>`). */
function nameEnd(xml: string, from: number, end: number): number {
  let to = from;
  for (; to < end; to += 1) {
    const c = xml.charCodeAt(to);
    if (isSpace(c) || c === 0x2f || c === 0x3e) break;
  }
  if (!isQNameAt(xml, from, to)) {
    const name = xml.slice(from, to);
    throw malformed(name ? `a tag named "${oneLine(name)}"` : 'a tag without a name');
  }
  refuseObjectKeyName(xml, from, to);
  return to;
}

// Names that would reach an object's prototype if a reader keyed an object by them. No SOAP message here uses
// them, so they are refused outright. A prefixed one (`x:__proto__`) gets through, as it did through the parser
// this reader replaced: the entity reader, which keys records by local name, refuses that itself.
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Refuses a tag or attribute name xml[from, to) that is one of {@link PROTOTYPE_KEYS}. */
function refuseObjectKeyName(xml: string, from: number, to: number): void {
  // The three are 9 to 11 characters long: most names are ruled out without a string.
  if (to - from < 9 || to - from > 11) return;
  const name = xml.slice(from, to);
  if (PROTOTYPE_KEYS.includes(name))
    throw new CrmAuthError('ERR_XML_FORBIDDEN', `element or attribute name refused: "${name}"`);
}

/** The end tag xml[start..end]: it must close the innermost open element, which it returns, finished. */
function closeElement(xml: string, start: number, end: number, open: OpenElement[]): XmlElement {
  const from = start + 2;
  const to = nameEnd(xml, from, end);
  const name = (): string => oneLine(xml.slice(from, to));
  if (!isXmlSpace(xml, to, end)) throw malformed(`an end tag </${name()}> with more than its name`);
  const innermost = open.pop();
  if (innermost === undefined) throw malformed(`an end tag </${name()}> with no element open`);
  if (innermost.nameLength !== to - from || !sameChars(xml, innermost.nameStart, from, to - from)) {
    const opened = oneLine(xml.slice(innermost.nameStart, innermost.nameStart + innermost.nameLength));
    throw malformed(`the end tag </${name()}> does not close <${opened}>`);
  }
  return {
    ns: innermost.ns,
    name: innermost.name,
    attrs: innermost.attrs,
    children: innermost.children,
    text: innermost.text,
    scope: innermost.scope,
  };
}

// Offsets of one start tag's attributes, four numbers each: name start and end, value start and end (inside
// the quotes). Reused from tag to tag: reading is synchronous, and the offsets are consumed before the next tag.
const ATTRIBUTE_OFFSETS: number[] = [];

/**
 * The start tag or empty-element tag xml[start..end]. An empty element is returned finished; a start tag is pushed
 * onto `open` (and undefined returned), to be finished by its end tag.
 */
function openElement(
  xml: string,
  start: number,
  end: number,
  parentScope: NamespaceScope,
  open: OpenElement[],
): XmlElement | undefined {
  if (open.length >= MAX_DEPTH)
    throw new CrmAuthError('ERR_XML_TOO_DEEP', `XML nested deeper than ${MAX_DEPTH} elements`);
  const from = start + 1;
  const to = nameEnd(xml, from, end);
  const empty = xml.charCodeAt(end - 1) === 0x2f; // <name … />
  const offsets = ATTRIBUTE_OFFSETS;
  offsets.length = 0;
  readAttributes(xml, to, empty ? end - 1 : end, offsets);

  // Declarations first: they apply to the element's own name and attributes (Namespaces in XML §6.1).
  let scope = parentScope;
  for (let k = 0; k < offsets.length; k += 4) {
    const ns0 = offsets[k] as number;
    const ns1 = offsets[k + 1] as number;
    if (!xml.startsWith('xmlns', ns0)) continue;
    if (ns1 - ns0 !== 5 && xml.charCodeAt(ns0 + 5) !== 0x3a /* : */) continue;
    if (scope === parentScope) scope = Object.create(parentScope) as NamespaceScope;
    const prefix = ns1 - ns0 === 5 ? DEFAULT_NS_KEY : xml.slice(ns0 + 6, ns1);
    (scope as Record<string, string>)[prefix] = decodeAttr(xml.slice(offsets[k + 2], offsets[k + 3]));
  }
  const attrs: XmlAttribute[] = [];
  for (let k = 0; k < offsets.length; k += 4) {
    const qname = xml.slice(offsets[k], offsets[k + 1]);
    if (qname === 'xmlns' || qname.startsWith('xmlns:')) continue;
    const colon = qname.indexOf(':');
    const attribute: XmlAttribute = {
      // Unprefixed attributes are in no namespace (Namespaces in XML §6.2).
      ns: colon === -1 ? '' : lookupPrefix(scope, qname.slice(0, colon), qname),
      name: colon === -1 ? qname : qname.slice(colon + 1),
      value: decodeAttr(xml.slice(offsets[k + 2], offsets[k + 3])),
    };
    // Two prefixes bound to one namespace can spell the same attribute twice (Namespaces in XML §6.3). Only prefixed
    // ones can: an unprefixed one is in no namespace, and two of those alike were refused by their raw names.
    if (colon !== -1) {
      for (const other of attrs) {
        if (other.ns === attribute.ns && other.name === attribute.name) {
          throw malformed(
            `attribute {${attribute.ns}}${attribute.name} appears twice on <${oneLine(xml.slice(from, to))}>`,
          );
        }
      }
    }
    attrs.push(attribute);
  }

  let colon = from;
  while (colon < to && xml.charCodeAt(colon) !== 0x3a /* : */) colon += 1;
  const prefixed = colon < to;
  const ns = prefixed
    ? lookupPrefix(scope, xml.slice(from, colon), xml.slice(from, to))
    : (scope[DEFAULT_NS_KEY] ?? '');
  const name = xml.slice(prefixed ? colon + 1 : from, to);
  if (empty) return { ns, name, attrs, children: [], text: '', scope };
  open.push({ nameStart: from, nameLength: to - from, ns, name, attrs, scope, children: [], text: '' });
  return undefined;
}

/**
 * The attributes of a start tag, xml[from, to): each is whitespace, a name, `=` and a quoted value, no name twice
 * (XML 1.0 §3.1). Pushes four offsets per attribute onto `out` (see ATTRIBUTE_OFFSETS).
 */
function readAttributes(xml: string, from: number, to: number, out: number[]): void {
  // A few names are compared by offsets; past 16 a set keeps a hostile element's 256 linear.
  let seen: Set<string> | undefined;
  let k = from;
  for (;;) {
    const spaceStart = k;
    while (k < to && isSpace(xml.charCodeAt(k))) k += 1;
    if (k >= to) return;
    if (k === spaceStart) throw malformed('attributes must be separated by whitespace');
    const nameStart = k;
    while (k < to && !isSpace(xml.charCodeAt(k)) && xml.charCodeAt(k) !== 0x3d) k += 1;
    const nameStop = k;
    const name = (): string => oneLine(xml.slice(nameStart, nameStop));
    if (!isQNameAt(xml, nameStart, nameStop)) throw malformed(`an attribute named "${name()}"`);
    refuseObjectKeyName(xml, nameStart, nameStop);
    while (k < to && isSpace(xml.charCodeAt(k))) k += 1;
    if (xml.charCodeAt(k) !== 0x3d /* = */) throw malformed(`attribute ${name()} without a value`);
    k += 1;
    while (k < to && isSpace(xml.charCodeAt(k))) k += 1;
    const quote = xml.charCodeAt(k);
    if (quote !== 0x22 && quote !== 0x27) throw malformed(`the value of attribute ${name()} is not quoted`);
    const close = xml.indexOf(xml[k] as string, k + 1);
    if (close === -1 || close >= to) throw malformed(`the value of attribute ${name()} is not closed`);
    if (seen) {
      const before = seen.size;
      if (seen.add(xml.slice(nameStart, nameStop)).size === before)
        throw malformed(`attribute ${name()} appears twice on one element`);
    } else {
      const length = nameStop - nameStart;
      for (let m = 0; m < out.length; m += 4) {
        const otherStart = out[m] as number;
        if ((out[m + 1] as number) - otherStart === length && sameChars(xml, otherStart, nameStart, length))
          throw malformed(`attribute ${name()} appears twice on one element`);
      }
      if (out.length === 16 * 4) {
        seen = new Set();
        for (let m = 0; m < out.length; m += 4) seen.add(xml.slice(out[m], out[m + 1]));
        seen.add(xml.slice(nameStart, nameStop));
      }
    }
    out.push(nameStart, nameStop, k + 1, close);
    k = close + 1;
  }
}

/**
 * A QName (Namespaces in XML §4) over XML's Name production, with every character above U+007F allowed (the
 * namespace checks refuse what is left): one or two parts split by a `:`, each a letter or `_` first, then
 * letters, digits, `.`, `-` and `_`.
 */
function isQNameAt(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  // Where the current part (prefix, then local name) starts.
  let part = from;
  for (let k = from; k < to; k += 1) {
    const c = s.charCodeAt(k);
    if (c === 0x3a /* : */) {
      if (part !== from || k === from || k === to - 1) return false;
      part = k + 1;
      continue;
    }
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c > 0x7f;
    if (letter) continue;
    if (k > part && ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d)) continue;
    return false;
  }
  return true;
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

/** True when xml[a, a + n) and xml[b, b + n) hold the same characters. */
function sameChars(xml: string, a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k += 1) if (xml.charCodeAt(a + k) !== xml.charCodeAt(b + k)) return false;
  return true;
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

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').slice(0, 200);
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
