/**
 * Property tests of the XML reader against a model: fast-check builds an element tree (prefixed and
 * unprefixed names, attributes, text with characters that need escaping, CDATA, comments), writes it
 * as XML with each character escaped one of the ways XML allows, and the reader must give back exactly
 * that tree. A second property cuts each document short and expects a refusal, never a partial tree.
 * Fixed seeds, so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrmAuthError } from '../errors';
import { parseXml } from './safe-parse';
import type { XmlElement } from './xml-element';

const NAMESPACES: Record<string, string> = { '': 'urn:default', a: 'urn:a', b: 'urn:b' };
const DECLARATIONS = ' xmlns="urn:default" xmlns:a="urn:a" xmlns:b="urn:b"';

/** One element of the model: what the reader must return, less the scopes. */
interface ModelElement {
  prefix: string;
  name: string;
  attrs: { prefix: string; name: string; value: string }[];
  content: ModelContent[];
}
type ModelContent =
  | { kind: 'element'; element: ModelElement }
  | { kind: 'text'; text: string }
  | { kind: 'cdata'; text: string }
  | { kind: 'comment'; text: string };

const localName = fc.constantFrom('Envelope', 'name', 'x', 'accountid', 'q1.e-2', '_under', 'déjà', 'ns');
const prefix = fc.constantFrom('', 'a', 'b');
// Characters that need escaping sit beside plain ones, astral ones and whitespace.
const textChar = fc.constantFrom(
  'a',
  'Z',
  '0',
  ' ',
  '\n',
  '\t',
  '&',
  '<',
  '>',
  '"',
  "'",
  ']',
  'é',
  '€',
  '😀',
  ';',
  '#',
);
const text = fc.array(textChar, { maxLength: 12 }).map((chars) => chars.join(''));

const tree = fc.letrec<{ element: ModelElement; content: ModelContent }>((tie) => ({
  element: fc.record({
    prefix,
    name: localName,
    attrs: fc.uniqueArray(fc.record({ prefix, name: localName, value: text }), {
      maxLength: 4,
      // Unprefixed attributes are in no namespace, so `x` and `a:x` differ, and so do `a:x` and `b:x`.
      selector: (a) => `${a.prefix}:${a.name}`,
    }),
    content: fc.array(tie('content'), { maxLength: 4, depthIdentifier: 'tree' }),
  }),
  content: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, depthIdentifier: 'tree' },
    fc.record({ kind: fc.constant('text' as const), text }),
    fc.record({ kind: fc.constant('cdata' as const), text: text.map((t) => t.replaceAll(']]>', ']] >')) }),
    fc.record({ kind: fc.constant('comment' as const), text: text.map((t) => t.replaceAll('-', '+')) }),
    fc.record({
      kind: fc.constant('element' as const),
      element: tie('element') as fc.Arbitrary<ModelElement>,
    }),
  ),
}));

/** Each character written one of the ways XML allows; `salt` picks the way, so runs vary. */
function escapeText(s: string, salt: number, inAttribute: boolean): string {
  let out = '';
  let k = salt;
  for (const ch of s) {
    k += 1;
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '&') out += k % 2 ? '&amp;' : '&#38;';
    else if (ch === '<') out += k % 2 ? '&lt;' : '&#x3C;';
    else if (ch === '>') out += k % 3 ? '&gt;' : '>';
    else if (ch === '"') out += inAttribute ? '&quot;' : k % 2 ? '"' : '&#34;';
    else if (ch === "'") out += k % 2 ? "'" : '&apos;';
    // Attribute-value normalization turns a literal tab or line end into a space; a reference keeps it.
    else if (inAttribute && (ch === '\n' || ch === '\t')) out += `&#${cp};`;
    else if (cp > 0x7f && k % 4 === 0) out += `&#x${cp.toString(16)};`;
    else out += ch;
  }
  return out;
}

function qname(p: string, name: string): string {
  return p ? `${p}:${name}` : name;
}

function write(el: ModelElement, salt: number, root: boolean): string {
  const attrs = el.attrs
    .map(
      (a, i) =>
        ` ${qname(a.prefix, a.name)}=${i % 2 ? "'" : '"'}${escapeText(a.value, salt + i, true).replaceAll("'", '&apos;')}${i % 2 ? "'" : '"'}`,
    )
    .join('');
  const open = `${qname(el.prefix, el.name)}${root ? DECLARATIONS : ''}${attrs}`;
  if (el.content.length === 0 && salt % 2) return `<${open}/>`;
  const body = el.content
    .map((c, i) => {
      if (c.kind === 'element') return write(c.element, salt + i + 1, false);
      if (c.kind === 'cdata') return `<![CDATA[${c.text}]]>`;
      if (c.kind === 'comment') return `<!--${c.text}-->`;
      return escapeText(c.text, salt + i, false);
    })
    .join('');
  return `<${open}>${body}</${qname(el.prefix, el.name)}>`;
}

/** The tree the reader must give back: namespaces resolved, text and CDATA joined in order, comments gone. */
function expected(el: ModelElement): unknown {
  return {
    ns: NAMESPACES[el.prefix],
    name: el.name,
    attrs: el.attrs.map((a) => ({ ns: a.prefix ? NAMESPACES[a.prefix] : '', name: a.name, value: a.value })),
    children: el.content.flatMap((c) => (c.kind === 'element' ? [expected(c.element)] : [])),
    text: el.content.map((c) => (c.kind === 'text' || c.kind === 'cdata' ? c.text : '')).join(''),
  };
}

function withoutScopes(el: XmlElement): unknown {
  return {
    ns: el.ns,
    name: el.name,
    attrs: el.attrs,
    children: el.children.map(withoutScopes),
    text: el.text,
  };
}

describe('parseXml against a model', () => {
  it('gives back exactly the tree that was written: names, namespaces, attributes, text, CDATA, order', () => {
    fc.assert(
      fc.property(tree.element, fc.nat(1000), fc.boolean(), (model, salt, declaration) => {
        const xml = `${declaration ? '<?xml version="1.0" encoding="utf-8"?>\n' : ''}${write(model, salt, true)}\n`;
        expect(withoutScopes(parseXml(xml))).toEqual(expected(model));
      }),
      { numRuns: 400, seed: 20261203 },
    );
  });

  it('refuses every document cut short inside its root element as malformed, never returning part of it', () => {
    fc.assert(
      fc.property(
        tree.element,
        fc.nat(1000),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (model, salt, at) => {
          const xml = write(model, salt, true);
          const cut = xml.slice(0, Math.min(xml.length - 1, Math.floor(at * xml.length)));
          let code = 'none';
          try {
            parseXml(cut);
          } catch (err) {
            if (!(err instanceof CrmAuthError)) throw err;
            code = err.code;
          }
          expect(code).toBe('ERR_XML_MALFORMED');
        },
      ),
      { numRuns: 400, seed: 20261204 },
    );
  });
});
