/**
 * Every fixture, rewritten the ways real clients and servers differ, must decode to the same JSON:
 * SOAP 1.2, other prefixes, default namespaces, prefixed or unprefixed xsi:type, children of
 * different names in another order, CDATA and whitespace around every value.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NS } from '../src/messages/constants';
import { decodeMessage } from '../src/messages/decode';
import { parseXml } from '../src/xml/safe-parse';
import { resolveQName, type XmlElement } from '../src/xml/xml-element';
import { CORPORA, fixtureJson, fixtureXml, renamePrefix, toSoap12 } from './fixtures-helpers';

type Service = 'crm' | 'discovery' | 'wlid';
const fixturesOf = (dir: string): Array<[Service, string]> =>
  (['crm', 'discovery', 'wlid'] as const).flatMap((service) =>
    readdirSync(path.join(dir, service))
      .filter((f) => f.endsWith('.xml'))
      .map((f) => [service, f.slice(0, -4)] as [Service, string]),
  );

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Same-named siblings keep their order (it is meaningful); different names come in reverse order. */
function reorder(children: readonly XmlElement[]): XmlElement[] {
  const groups = new Map<string, XmlElement[]>();
  for (const c of children) groups.set(c.name, [...(groups.get(c.name) ?? []), c]);
  return [...groups.values()].reverse().flat();
}

/**
 * Writes `el` again with fresh prefixes (`mode: 'prefixed'`) or default namespaces (`'default'`),
 * xsi:type re-prefixed to match, children reordered, text in CDATA padded with whitespace.
 */
function rewrite(el: XmlElement, mode: 'prefixed' | 'default', counter = { n: 0 }): string {
  const id = counter.n++;
  const decl: string[] = [];
  const attrs: string[] = [];
  const tag = mode === 'prefixed' && el.ns ? `p${id}:${el.name}` : el.name;
  if (el.ns) decl.push(mode === 'prefixed' ? `xmlns:p${id}="${esc(el.ns)}"` : `xmlns="${esc(el.ns)}"`);
  else if (mode === 'default') decl.push('xmlns=""');
  for (const a of el.attrs) {
    let value = a.value;
    if (a.ns === NS.xsi && a.name === 'type') {
      const q = resolveQName(el, a.value);
      if (!q) throw new Error('fixture has an unresolvable xsi:type');
      // Unprefixed when it resolves through the default namespace, else under a new prefix.
      if (mode === 'default' && q.ns === el.ns) value = q.name;
      else if (q.ns) {
        decl.push(`xmlns:t${id}="${esc(q.ns)}"`);
        value = `t${id}:${q.name}`;
      } else value = q.name;
    }
    if (a.ns) {
      decl.push(`xmlns:a${id}="${esc(a.ns)}"`);
      attrs.push(`a${id}:${a.name}="${esc(value)}"`);
    } else attrs.push(`${a.name}="${esc(value)}"`);
  }
  const isEnvelope = el.name === 'Envelope';
  const inner =
    el.children.length > 0
      ? (isEnvelope ? el.children : reorder(el.children)).map((c) => rewrite(c, mode, counter)).join('\n')
      : el.text.trim() === ''
        ? ''
        : `\n  <![CDATA[${el.text.trim()}]]>\t\n`;
  return `<${[tag, ...decl, ...attrs].join(' ')}>${inner}</${tag}>`;
}

describe.each(CORPORA)('$label: fixture variants decode to the same JSON', ({ dir }) => {
  const fixtures = fixturesOf(dir);
  const messages = fixtures.filter(([, name]) => !name.startsWith('fault-'));
  const xmlOf = (service: Service, name: string): string => fixtureXml(service, name, dir);
  const jsonOf = (service: Service, name: string): Record<string, unknown> => fixtureJson(service, name, dir);

  it.each(messages)('%s/%s in SOAP 1.2', (service, name) => {
    expect(decodeMessage(toSoap12(xmlOf(service, name)))).toStrictEqual({
      ...jsonOf(service, name),
      soapVersion: '1.2',
    });
  });

  it.each(fixtures)('%s/%s with renamed envelope and xsi prefixes, compacted', (service, name) => {
    const xml = renamePrefix(renamePrefix(xmlOf(service, name), 'soap', 'SOAP-ENV'), 'xsi', 'i').replace(
      />\s+</g,
      '><',
    );
    expect(decodeMessage(xml)).toStrictEqual(jsonOf(service, name));
  });

  it.each(fixtures)('%s/%s with fresh prefixes, reordered children and CDATA values', (service, name) => {
    const xml = rewrite(parseXml(xmlOf(service, name)), 'prefixed');
    expect(decodeMessage(xml)).toStrictEqual(jsonOf(service, name));
  });

  it.each(fixtures)('%s/%s with default namespaces and unprefixed xsi:type', (service, name) => {
    const xml = rewrite(parseXml(xmlOf(service, name)), 'default');
    expect(decodeMessage(xml)).toStrictEqual(jsonOf(service, name));
  });
});
