/**
 * Helpers over fast-xml-parser's object tree. Elements with attributes or children are objects
 * (`@_name` attributes, `#text` text); bare leaves are strings. Repeated elements become arrays.
 */
export type XmlValue = string | XmlElement | XmlValue[];
export interface XmlElement {
  [key: string]: XmlValue;
}

/** True when the value is an element object (not text, not a repeated list). */
export function isElement(value: XmlValue | undefined): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first child named `name` (local name, prefixes already stripped). */
export function child(node: XmlValue | undefined, name: string): XmlValue | undefined {
  if (!isElement(node)) return undefined;
  const value = node[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every child named `name`, in document order. */
export function children(node: XmlValue | undefined, name: string): XmlValue[] {
  if (!isElement(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Follows a path of child names. */
export function path(node: XmlValue | undefined, ...names: string[]): XmlValue | undefined {
  let current = node;
  for (const name of names) current = child(current, name);
  return current;
}

/** The element's text (trimmed by the parser); '' for an empty element, undefined when absent. */
export function text(node: XmlValue | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return text(node[0]);
  const value = node['#text'];
  return typeof value === 'string' ? value : '';
}

/** An attribute by local name (namespace prefixes are stripped, so `xsi:type` reads as `type`). */
export function attr(node: XmlValue | undefined, name: string): string | undefined {
  if (!isElement(node)) return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Names of the child elements (attributes and text excluded). */
export function childNames(node: XmlValue | undefined): string[] {
  if (!isElement(node)) return [];
  return Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text');
}
