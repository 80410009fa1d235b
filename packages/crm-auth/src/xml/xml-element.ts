/**
 * The namespace-resolved element tree that the hardened parser produces. Every codec reads
 * messages through these few helpers, so prefixes never matter: only (namespace URI, local name).
 */

/** Prefix → namespace URI, chained to the parent scope through the prototype. */
export type NamespaceScope = Readonly<Record<string, string>>;

/** One attribute, namespace-resolved. Unprefixed attributes have `ns === ''`. */
export interface XmlAttribute {
  readonly ns: string;
  readonly name: string;
  readonly value: string;
}

/** One element. `text` is its direct character data (text and CDATA), entity-decoded, untrimmed. */
export interface XmlElement {
  readonly ns: string;
  readonly name: string;
  readonly attrs: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  readonly text: string;
  /** In-scope namespace declarations, for QName-valued attributes such as `xsi:type`. */
  readonly scope: NamespaceScope;
}

/** A QName resolved against a scope. */
export interface ResolvedQName {
  readonly ns: string;
  readonly name: string;
}

/** Key under which a scope stores the default namespace (not a legal prefix, so no clash). */
export const DEFAULT_NS_KEY = '#default';

const XML_WS_EDGES = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/** Trims XML whitespace (space, tab, CR, LF) only; other Unicode spaces are data. */
export function xmlTrim(s: string): string {
  // Fast path: most values carry no surrounding whitespace at all.
  if (s.length === 0) return s;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (!isXmlWs(first) && !isXmlWs(last)) return s;
  return s.replace(XML_WS_EDGES, '');
}

function isXmlWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** The value of the attribute `name` in namespace `ns` ('' for unprefixed), or undefined. */
export function attr(el: XmlElement, ns: string, name: string): string | undefined {
  for (const a of el.attrs) if (a.name === name && a.ns === ns) return a.value;
  return undefined;
}

/** Child elements with this local name, in any namespace (or in `ns` when given). */
export function childrenNamed(el: XmlElement, name: string, ns?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.name === name && (ns === undefined || c.ns === ns)) out.push(c);
  return out;
}

/**
 * Resolves a QName-valued attribute (e.g. `xsi:type="q1:ColumnSet"` or unprefixed `"account"`)
 * against the element's scope. Returns null when the prefix is undeclared.
 */
export function resolveQName(el: XmlElement, value: string): ResolvedQName | null {
  const v = xmlTrim(value);
  const colon = v.indexOf(':');
  if (colon === -1) return { ns: el.scope[DEFAULT_NS_KEY] ?? '', name: v };
  const ns = el.scope[v.slice(0, colon)];
  return ns === undefined ? null : { ns, name: v.slice(colon + 1) };
}

/** All character data of the element and its descendants (each element's own text before its children's). */
export function deepText(el: XmlElement): string {
  if (el.children.length === 0) return el.text;
  let s = el.text;
  for (const c of el.children) s += deepText(c);
  return s;
}
