import { SoapParseError } from './soap-parse.error';

/**
 * A small, strict, namespace-aware XML 1.0 reader for request bodies (docs/protocol.md §2.4).
 *
 * It reads what SOAP allows and nothing else: no DTD (a `<!DOCTYPE` in the prolog is refused when the
 * reader reaches it, before anything could be expanded; the same text inside a comment or CDATA is
 * just text), only the five predefined entities and character references (`&nbsp;` is malformed),
 * only XML characters, every prefix declared. Each element carries its resolved namespace and the
 * prefix bindings in scope, so that QName values such as `xsi:type` resolve where they are written.
 */

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** An attribute with its resolved namespace ('' for an unprefixed attribute). */
export interface XmlAttribute {
  name: string;
  local: string;
  ns: string;
  value: string;
}

/** An element: resolved name, attributes, child elements and text. */
export interface XmlNode {
  /** The name as written, e.g. `q1:Attribute`. */
  name: string;
  prefix: string;
  local: string;
  /** Namespace URI, '' for none. */
  ns: string;
  /** Attributes other than namespace declarations. */
  attributes: XmlAttribute[];
  children: XmlNode[];
  /** Character data: each run between markup trimmed, CDATA sections verbatim. */
  text: string;
  /** Prefix ('' = default namespace) → URI bindings in scope at this element. */
  scope: ReadonlyMap<string, string>;
}

/** A parsed document: the root element and every namespace declaration seen (prefix → URIs). */
export interface XmlDocument {
  root: XmlNode;
  declarations: Map<string, Set<string>>;
}

export interface XmlReadOptions {
  /** Deepest element nesting accepted; SOAP here is a few levels deep. */
  maxDepth: number;
}

const NAME = /[A-Za-z_:\u00C0-\uFFFD][\w.\-:\u00B7\u00C0-\uFFFD]*/y;
// Characters XML 1.0 does not allow anywhere (§2.2), and UTF-16 halves without their pair.
const NON_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.\d+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])[A-Za-z][\w.-]*\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\3)?[ \t\r\n]*\?>/;
const DTD_MARKUP = /^<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/i;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const EMPTY_SCOPE: ReadonlyMap<string, string> = new Map([['xml', XML_NS]]);

function malformed(message: string): SoapParseError {
  return new SoapParseError('malformed', `The request is not well-formed XML: ${message}`);
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Replaces the predefined entities and character references; anything else is malformed. */
function decodeReferences(raw: string): string {
  let out = '';
  let from = 0;
  for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', from)) {
    const semi = raw.indexOf(';', amp + 1);
    const ref = semi < 0 ? '' : raw.slice(amp + 1, semi);
    let value: string | undefined;
    if (ref.startsWith('#')) {
      const hex = ref.startsWith('#x');
      const digits = ref.slice(hex ? 2 : 1);
      if (hex ? /^[0-9A-Fa-f]{1,6}$/.test(digits) : /^\d{1,7}$/.test(digits)) {
        const cp = parseInt(digits, hex ? 16 : 10);
        if (isXmlChar(cp)) value = String.fromCodePoint(cp);
      }
      if (value === undefined) throw malformed(`'&${ref};' is not a valid character reference`);
    } else {
      // Own keys only: `&constructor;` or `&toString;` must not reach Object.prototype.
      value = Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref] : undefined;
      if (value === undefined) {
        const shown = /^[\w.-]{1,40}$/.test(ref) ? `'&${ref};'` : "an '&' that starts no reference";
        // XML defines five entities; any other (HTML's &nbsp; included) would need a DTD.
        throw malformed(`${shown} is not one of XML's predefined entities`);
      }
    }
    out += raw.slice(from, amp) + value;
    from = semi + 1;
  }
  return out + raw.slice(from);
}

function splitName(name: string): { prefix: string; local: string } {
  const colon = name.indexOf(':');
  if (colon < 0) return { prefix: '', local: name };
  const prefix = name.slice(0, colon);
  const local = name.slice(colon + 1);
  if (prefix === '' || local === '' || local.includes(':'))
    throw malformed(`'${name}' is not a valid qualified name`);
  return { prefix, local };
}

interface Frame {
  node: XmlNode;
  parts: string[];
}

/** Reads one XML document from a string. Throws SoapParseError (malformed, forbidden-dtd, html-page). */
export function readXml(xml: string, options: XmlReadOptions): XmlDocument {
  const bad = NON_XML_CHAR.exec(xml);
  if (bad) {
    throw malformed(
      `character U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`,
    );
  }
  const declarations = new Map<string, Set<string>>();
  const n = xml.length;
  let i = 0;

  const skipWs = (): boolean => {
    const from = i;
    for (
      let c = xml.charCodeAt(i);
      c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
      c = xml.charCodeAt(++i)
    );
    return i > from;
  };
  const readName = (what: string): string => {
    NAME.lastIndex = i;
    if (!NAME.test(xml)) throw malformed(`expected ${what} at offset ${i}`);
    const start = i;
    i = NAME.lastIndex;
    return xml.slice(start, i);
  };
  const comment = (): void => {
    const end = xml.indexOf('-->', i + 4);
    if (end < 0) throw malformed('a comment is not closed');
    if (xml.slice(i + 4, end).includes('--')) throw malformed("'--' inside a comment");
    i = end + 3;
  };
  const processingInstruction = (): void => {
    i += 2;
    const target = readName('a processing instruction target');
    if (target.toLowerCase() === 'xml')
      throw malformed('an XML declaration is allowed only at the very start');
    const end = xml.indexOf('?>', i);
    if (end < 0) throw malformed('a processing instruction is not closed');
    i = end + 2;
  };
  const markupDeclaration = (): never => {
    const head = xml.slice(i, i + 20);
    if (/^<!DOCTYPE[ \t\r\n]+html[ \t\r\n>]/i.test(head)) {
      throw new SoapParseError('html-page', 'The request is an HTML page, not a SOAP message');
    }
    if (DTD_MARKUP.test(head)) {
      // Refused where it stands, before any declaration in it is read: nothing is ever expanded.
      throw new SoapParseError(
        'forbidden-dtd',
        'DTDs and entity declarations are not allowed in SOAP messages',
      );
    }
    throw malformed(`unexpected markup at offset ${i}`);
  };

  // Prolog: an optional XML declaration, then comments, PIs and white space. A DOCTYPE is refused here.
  if (xml.startsWith('<?xml', 0)) {
    const decl = XML_DECL.exec(xml);
    if (!decl) throw malformed('the XML declaration is invalid');
    i = decl[0].length;
  }
  for (;;) {
    skipWs();
    if (i >= n) throw malformed('the document has no root element');
    if (xml.startsWith('<!--', i)) comment();
    else if (xml.startsWith('<?', i)) processingInstruction();
    else if (xml.startsWith('<!', i)) markupDeclaration();
    else if (xml[i] === '<') break;
    else throw malformed(`text before the root element at offset ${i}`);
  }

  const stack: Frame[] = [];
  let root: XmlNode | undefined;

  const startTag = (): void => {
    i += 1;
    const name = readName('an element name');
    const raw: Array<[string, string]> = [];
    let selfClosing = false;
    for (;;) {
      const spaced = skipWs();
      const c = xml[i];
      if (c === '>') {
        i += 1;
        break;
      }
      if (c === '/' && xml[i + 1] === '>') {
        i += 2;
        selfClosing = true;
        break;
      }
      if (i >= n) throw malformed(`the start tag of ${name} is not closed`);
      if (!spaced) throw malformed(`attributes of ${name} must be separated by white space`);
      const attrName = readName('an attribute name');
      skipWs();
      if (xml[i] !== '=') throw malformed(`attribute ${attrName} of ${name} has no value`);
      i += 1;
      skipWs();
      const quote = xml[i];
      if (quote !== '"' && quote !== "'") throw malformed(`the value of attribute ${attrName} is not quoted`);
      const end = xml.indexOf(quote, i + 1);
      if (end < 0) throw malformed(`the value of attribute ${attrName} is not closed`);
      const value = xml.slice(i + 1, end);
      if (value.includes('<')) throw malformed(`'<' in the value of attribute ${attrName}`);
      i = end + 1;
      raw.push([attrName, value]);
    }
    if (stack.length >= options.maxDepth) {
      throw malformed(`elements are nested more than ${options.maxDepth} levels deep`);
    }

    const parentScope = stack.length ? (stack[stack.length - 1] as Frame).node.scope : EMPTY_SCOPE;
    let scope: Map<string, string> | undefined;
    const seen = new Set<string>();
    const plain: Array<[string, string]> = [];
    for (const [attrName, rawValue] of raw) {
      if (seen.has(attrName)) throw malformed(`attribute ${attrName} appears twice on ${name}`);
      seen.add(attrName);
      // Attribute-value normalisation (§3.3.3): literal white space becomes a space, references stay.
      const value = decodeReferences(
        /[\t\r\n]/.test(rawValue) ? rawValue.replace(/[\t\r\n]/g, ' ') : rawValue,
      );
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
        const prefix = attrName === 'xmlns' ? '' : attrName.slice(6);
        if (prefix === 'xmlns' || value === XMLNS_NS || (prefix === 'xml') !== (value === XML_NS)) {
          throw malformed(`the namespace declaration ${attrName}="${value}" is not allowed`);
        }
        if (prefix !== '' && (value === '' || prefix.includes(':'))) {
          throw malformed(`the namespace declaration ${attrName}="${value}" is not allowed`);
        }
        scope ??= new Map(parentScope);
        scope.set(prefix, value);
        let uris = declarations.get(prefix);
        if (!uris) declarations.set(prefix, (uris = new Set()));
        uris.add(value);
      } else {
        plain.push([attrName, value]);
      }
    }
    const inScope: ReadonlyMap<string, string> = scope ?? parentScope;
    const { prefix, local } = splitName(name);
    const ns = prefix === '' ? (inScope.get('') ?? '') : inScope.get(prefix);
    if (ns === undefined) throw malformed(`the prefix '${prefix}' of ${name} is not declared`);

    const attributes: XmlAttribute[] = [];
    let expanded: Set<string> | undefined;
    for (const [attrName, value] of plain) {
      const a = splitName(attrName);
      let attrNs = '';
      if (a.prefix !== '') {
        const bound = inScope.get(a.prefix);
        if (bound === undefined)
          throw malformed(`the prefix '${a.prefix}' of attribute ${attrName} is not declared`);
        attrNs = bound;
        // Two prefixes bound to one namespace can still name the same attribute (Namespaces §6.3).
        expanded ??= new Set();
        const key = `${attrNs}|${a.local}`;
        if (expanded.has(key)) throw malformed(`attribute {${attrNs}}${a.local} appears twice on ${name}`);
        expanded.add(key);
      }
      attributes.push({ name: attrName, local: a.local, ns: attrNs, value });
    }

    const node: XmlNode = { name, prefix, local, ns, attributes, children: [], text: '', scope: inScope };
    const parent = stack[stack.length - 1];
    if (parent) parent.node.children.push(node);
    else root = node;
    if (!selfClosing) stack.push({ node, parts: [] });
  };

  const endTag = (): void => {
    i += 2;
    const name = readName('an element name');
    skipWs();
    if (xml[i] !== '>') throw malformed(`the end tag of ${name} is not closed`);
    i += 1;
    const frame = stack.pop();
    if (!frame || frame.node.name !== name) {
      throw malformed(`the end tag </${name}> does not match <${frame?.node.name ?? '(none)'}>`);
    }
    frame.node.text = frame.parts.join('');
  };

  startTag();
  while (stack.length) {
    const frame = stack[stack.length - 1] as Frame;
    const lt = xml.indexOf('<', i);
    if (lt < 0) throw malformed(`the element ${frame.node.name} is not closed`);
    if (lt > i) {
      const run = xml.slice(i, lt);
      if (run.includes(']]>')) throw malformed("']]>' in character data");
      const trimmed = run.trim();
      if (trimmed !== '') frame.parts.push(trimmed.includes('&') ? decodeReferences(trimmed) : trimmed);
      i = lt;
    }
    if (xml.startsWith('</', i)) endTag();
    else if (xml.startsWith('<!--', i)) comment();
    else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0) throw malformed('a CDATA section is not closed');
      frame.parts.push(xml.slice(i + 9, end));
      i = end + 3;
    } else if (xml.startsWith('<?', i)) processingInstruction();
    else if (xml.startsWith('<!', i)) markupDeclaration();
    else startTag();
  }

  // Epilogue: only comments, PIs and white space may follow the root element.
  for (;;) {
    skipWs();
    if (i >= n) break;
    if (xml.startsWith('<!--', i)) comment();
    else if (xml.startsWith('<?', i)) processingInstruction();
    else if (xml.startsWith('<!', i)) markupDeclaration();
    else throw malformed(`content after the root element at offset ${i}`);
  }
  if (!root) throw malformed('the document has no root element');
  return { root, declarations };
}
