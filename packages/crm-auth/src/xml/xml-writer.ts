/**
 * A small, deterministic XML writer for the request builders. Every text and attribute value is
 * escaped here and nowhere else; names are checked, so caller data can never become markup.
 */
import { CrmAuthError } from '../errors';

/** An element to write. `text` and `children` are exclusive (SOAP here has no mixed content). */
export interface XNode {
  readonly name: string;
  readonly attrs?: ReadonlyArray<readonly [string, string]>;
  readonly text?: string;
  readonly children?: readonly XNode[];
}

/** Shorthand for an element with attributes and either text or children. */
export function el(
  name: string,
  attrs: ReadonlyArray<readonly [string, string]> | null,
  content?: string | readonly XNode[],
): XNode {
  const node: {
    name: string;
    attrs?: ReadonlyArray<readonly [string, string]>;
    text?: string;
    children?: readonly XNode[];
  } = {
    name,
  };
  if (attrs && attrs.length > 0) node.attrs = attrs;
  if (typeof content === 'string') node.text = content;
  else if (content && content.length > 0) node.children = content;
  return node;
}

/** Serializes `root` with an XML declaration, two-space indentation and a final newline. */
export function serializeDocument(root: XNode): string {
  const parts: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n'];
  write(root, '', parts);
  return parts.join('');
}

function write(node: XNode, indent: string, out: string[]): void {
  out.push(indent, '<', node.name);
  if (node.attrs) for (const [k, v] of node.attrs) out.push(' ', k, '="', escapeAttr(v), '"');
  if (node.children && node.children.length > 0) {
    out.push('>\n');
    const inner = indent + '  ';
    for (const c of node.children) write(c, inner, out);
    out.push(indent, '</', node.name, '>\n');
  } else if (node.text !== undefined && node.text !== '') {
    out.push('>', escapeText(node.text), '</', node.name, '>\n');
  } else {
    out.push(' />\n');
  }
}

// `>` is escaped too, so `]]>` can never appear in output.
const TEXT_SPECIAL = /[&<>\r]/g;
// Tab, LF and CR as references: a parser would otherwise normalize them to spaces in attributes.
const ATTR_SPECIAL = /[&<>"'\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = Object.freeze({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
});

/** Escapes character data. Throws ERR_INVALID_OPTIONS on characters XML cannot represent. */
export function escapeText(s: string): string {
  assertXmlChars(s);
  return s.replace(TEXT_SPECIAL, (c) => ESCAPES[c] ?? c);
}

/** Escapes an attribute value for double quotes. Throws ERR_INVALID_OPTIONS like {@link escapeText}. */
export function escapeAttr(s: string): string {
  assertXmlChars(s);
  return s.replace(ATTR_SPECIAL, (c) => ESCAPES[c] ?? c);
}

function assertXmlChars(s: string): void {
  if (!hasOnlyXmlChars(s)) {
    throw new CrmAuthError('ERR_INVALID_OPTIONS', 'value contains a character that XML 1.0 cannot carry');
  }
}

/** False when `s` holds what XML 1.0 cannot carry at all, even escaped: C0 controls, lone surrogates, U+FFFE/F. */
export function hasOnlyXmlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if ((c >= 0xdc00 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) {
      return false;
    }
  }
  return true;
}

// ASCII NCName: every CRM logical and attribute name fits, and it keeps names from carrying markup.
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Names the parser refuses (prototype pollution guard), so a build is always parseable.
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** True when `name` can be written as an unprefixed element name and read back. */
export function isSafeName(name: string): boolean {
  return NCNAME.test(name) && !RESERVED.has(name) && name.length <= 128;
}

/** Throws ERR_INVALID_OPTIONS unless `name` is a safe element name; `what` names it in the message. */
export function assertSafeName(name: string, what: string): void {
  if (!isSafeName(name)) {
    throw new CrmAuthError(
      'ERR_INVALID_OPTIONS',
      `${what} must be an XML name of letters, digits, "_", "." or "-"`,
    );
  }
}
