import { SoapParseError } from './soap-parse.error';
import type { XmlNode } from './xml-reader';

/**
 * Helpers over the reader's element tree (xml-reader.ts). Two families:
 * - by local name (`child`, `children`, `attr`): for the discovery service and the STS, whose
 *   clients qualified their children in several ways;
 * - by namespace and local name (`nsChild`, `nsChildren`, `nsAttr`, `resolveQName`): for
 *   CrmService, which checks namespaces as ASMX's XmlSerializer does.
 * A single-valued lookup that finds the element twice refuses the request.
 */
export type XmlValue = XmlNode;
export type XmlElement = XmlNode;

/** True when the value is an element. */
export function isElement(value: XmlValue | undefined): value is XmlElement {
  return value !== undefined;
}

function repeated(name: string): SoapParseError {
  return new SoapParseError('invalid-envelope', `The element '${name}' may appear only once here.`);
}

/** The child named `name` (local name, any namespace); a second one is refused. */
export function child(node: XmlValue | undefined, name: string): XmlValue | undefined {
  if (!node) return undefined;
  let found: XmlNode | undefined;
  for (const c of node.children) {
    if (c.local !== name) continue;
    if (found) throw repeated(name);
    found = c;
  }
  return found;
}

/** Every child named `name` (local name), in document order. */
export function children(node: XmlValue | undefined, name: string): XmlValue[] {
  return node ? node.children.filter((c) => c.local === name) : [];
}

/** The child `{ns}local`; a second one is refused. Children in other namespaces are not it. */
export function nsChild(node: XmlValue | undefined, ns: string, local: string): XmlValue | undefined {
  if (!node) return undefined;
  let found: XmlNode | undefined;
  for (const c of node.children) {
    if (c.local !== local || c.ns !== ns) continue;
    if (found) throw repeated(local);
    found = c;
  }
  return found;
}

/** Every child `{ns}local`, in document order. */
export function nsChildren(node: XmlValue | undefined, ns: string, local: string): XmlValue[] {
  return node ? node.children.filter((c) => c.local === local && c.ns === ns) : [];
}

/** Follows a path of child names (local names). */
export function path(node: XmlValue | undefined, ...names: string[]): XmlValue | undefined {
  let current = node;
  for (const name of names) current = child(current, name);
  return current;
}

/** The element's text (runs trimmed, CDATA verbatim); '' for an empty element, undefined when absent. */
export function text(node: XmlValue | undefined): string | undefined {
  return node?.text;
}

/**
 * An attribute by local name: the unprefixed one when there is one, else any namespace's
 * (so `attr(node, 'type')` reads `xsi:type` on an element that has no plain `type`).
 */
export function attr(node: XmlValue | undefined, name: string): string | undefined {
  if (!node) return undefined;
  let any: string | undefined;
  for (const a of node.attributes) {
    if (a.local !== name) continue;
    if (a.ns === '') return a.value;
    any ??= a.value;
  }
  return any;
}

/** The attribute `{ns}local` ('' = unprefixed). */
export function nsAttr(node: XmlValue | undefined, ns: string, local: string): string | undefined {
  return node?.attributes.find((a) => a.local === local && a.ns === ns)?.value;
}

/** Local names of the child elements, in document order (a repeated name appears once). */
export function childNames(node: XmlValue | undefined): string[] {
  return node ? [...new Set(node.children.map((c) => c.local))] : [];
}

/**
 * Resolves a QName value (such as `xsi:type`) where it is written: the prefix through the bindings
 * in scope at `node`, an unprefixed name to the default namespace in scope (none: '').
 * Undefined when the prefix is not declared or the value is not a QName.
 */
export function resolveQName(node: XmlValue, value: string): { ns: string; local: string } | undefined {
  const trimmed = value.trim();
  const colon = trimmed.indexOf(':');
  const prefix = colon < 0 ? '' : trimmed.slice(0, colon);
  const local = colon < 0 ? trimmed : trimmed.slice(colon + 1);
  if (local === '' || local.includes(':') || colon === 0) return undefined;
  const ns = prefix === '' ? (node.scope.get('') ?? '') : node.scope.get(prefix);
  return ns === undefined ? undefined : { ns, local };
}
