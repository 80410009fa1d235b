import { describe, expect, it } from 'vitest';
import { SoapParseError } from './soap-parse.error';
import { child, nsAttr, nsChild, resolveQName } from './xml-node.util';
import { readXml, XML_NS } from './xml-reader';

const read = (xml: string) => readXml(xml, { maxDepth: 64 });

function refusal(xml: string): SoapParseError {
  try {
    read(xml);
  } catch (error) {
    if (error instanceof SoapParseError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('readXml', () => {
  it('resolves element and attribute namespaces from the declarations in scope', () => {
    const { root } = read(
      '<a:r xmlns:a="urn:a" xmlns="urn:d"><c x="1" a:y="2"><d xmlns="urn:e"/><a:f xmlns:a="urn:b"/></c><g xmlns=""/></a:r>',
    );
    expect(root.ns).toBe('urn:a');
    const c = root.children[0];
    expect(c?.ns).toBe('urn:d');
    expect(nsAttr(c, '', 'x')).toBe('1');
    expect(nsAttr(c, 'urn:a', 'y')).toBe('2');
    expect(c?.children.map((e) => e.ns)).toEqual(['urn:e', 'urn:b']);
    expect(root.children[1]?.ns).toBe('');
    expect(root.scope.get('xml')).toBe(XML_NS);
  });

  it('resolves QName values where they are written', () => {
    const { root } = read(
      '<r xmlns="urn:d" xmlns:q="urn:q"><e t="q:T" u="U"/><f xmlns:q="urn:other" t="q:T"/></r>',
    );
    const [e, f] = root.children;
    expect(e && resolveQName(e, 'q:T')).toEqual({ ns: 'urn:q', local: 'T' });
    expect(e && resolveQName(e, 'U')).toEqual({ ns: 'urn:d', local: 'U' });
    expect(f && resolveQName(f, 'q:T')).toEqual({ ns: 'urn:other', local: 'T' });
    expect(e && resolveQName(e, 'x:T')).toBeUndefined();
  });

  it('keeps text as text: runs trimmed, CDATA verbatim, references decoded, comments dropped', () => {
    const { root } = read('<r>  a&amp;b&#x20;&#65; <!-- <!DOCTYPE x> --><![CDATA[ <!DOCTYPE y> & ]]></r>');
    expect(root.text).toBe('a&b A <!DOCTYPE y> & ');
  });

  it('refuses undeclared prefixes, bad declarations and duplicate attributes', () => {
    expect(refusal('<p:r/>').message).toMatch(/prefix 'p'/);
    expect(refusal('<r p:a="1"/>').message).toMatch(/prefix 'p'/);
    expect(refusal('<r xmlns:p=""/>').kind).toBe('malformed');
    expect(refusal('<r xmlns:xml="urn:x"/>').kind).toBe('malformed');
    expect(refusal('<r a="1" a="2"/>').message).toMatch(/twice/);
    expect(refusal('<r xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>').message).toMatch(/twice/);
  });

  it('refuses entity names of Object.prototype (&constructor;, &toString;) like any other undefined entity', () => {
    for (const xml of [
      '<r>x&constructor;y</r>',
      '<r a="&toString;"/>',
      '<r>&__proto__;</r>',
      '<r>&hasOwnProperty;</r>',
    ]) {
      expect(refusal(xml).message, xml).toMatch(/predefined entities|starts no reference/);
    }
  });

  it('refuses what XML does not allow', () => {
    for (const xml of [
      '<r>&nbsp;</r>',
      '<r>a & b</r>',
      '<r>&#0;</r>',
      '<r>&#xD800;</r>',
      '<r>\u0001</r>',
      '<r>]]></r>',
      '<r a=1/>',
      '<r a="<"/>',
      '<r></s>',
      '<r>',
      '<r/><r/>',
      'text<r/>',
      '<r/>text',
      '<r><!-- a -- b --></r>',
      '<r><?xml version="1.0"?></r>',
      ' <?xml version="1.0"?><r/>',
      '<r a="1"b="2"/>',
    ]) {
      expect(refusal(xml).kind, xml).toBe('malformed');
    }
  });

  it('refuses a DOCTYPE in the prolog or in content as a DTD, and an HTML doctype as HTML', () => {
    expect(refusal('<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>').kind).toBe('forbidden-dtd');
    expect(
      refusal('<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>').kind,
    ).toBe('forbidden-dtd');
    expect(refusal('<r><!ENTITY a "b"></r>').kind).toBe('forbidden-dtd');
    expect(refusal('<!DOCTYPE html><html></html>').kind).toBe('html-page');
  });

  it('caps nesting depth', () => {
    expect(refusal(`${'<d>'.repeat(65)}${'</d>'.repeat(65)}`).message).toMatch(/nested more than 64/);
    expect(read(`${'<d>'.repeat(64)}${'</d>'.repeat(64)}`).root.local).toBe('d');
  });

  it('finds a repeated single-valued child', () => {
    const { root } = read('<r xmlns="urn:a"><x/><x/><y xmlns="urn:b"/><y/></r>');
    expect(() => child(root, 'x')).toThrow(/only once/);
    expect(() => nsChild(root, 'urn:a', 'x')).toThrow(/only once/);
    expect(nsChild(root, 'urn:a', 'y')?.ns).toBe('urn:a');
    expect(() => child(root, 'y')).toThrow(/only once/);
  });
});
