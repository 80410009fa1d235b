import { describe, expect, it } from 'vitest';
import { CrmAuthError, type CrmAuthErrorCode } from '../errors';
import { decodeEntities, parseXml } from './safe-parse';
import { attr, resolveQName } from './xml-element';

function refusal(fn: () => unknown): CrmAuthErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (err) {
    if (err instanceof CrmAuthError) return err.code;
    throw err;
  }
}

describe('parseXml', () => {
  it('resolves element and attribute namespaces through default and prefixed declarations', () => {
    const root = parseXml('<a xmlns="urn:d" xmlns:p="urn:p"><p:b p:x="1" y="2"><c xmlns=""/></p:b></a>');
    expect(root).toMatchObject({ ns: 'urn:d', name: 'a' });
    const b = root.children[0]!;
    expect(b).toMatchObject({ ns: 'urn:p', name: 'b' });
    expect(attr(b, 'urn:p', 'x')).toBe('1');
    // Unprefixed attributes are in no namespace, whatever the default namespace is.
    expect(attr(b, '', 'y')).toBe('2');
    expect(b.children[0]).toMatchObject({ ns: '', name: 'c' });
  });

  it('resolves QName values against the element scope, unprefixed ones to the default namespace', () => {
    const root = parseXml('<a xmlns="urn:d" xmlns:q="urn:q"><b/></a>');
    const b = root.children[0]!;
    expect(resolveQName(b, 'q:T')).toEqual({ ns: 'urn:q', name: 'T' });
    expect(resolveQName(b, 'T')).toEqual({ ns: 'urn:d', name: 'T' });
    expect(resolveQName(b, 'zz:T')).toBeNull();
  });

  it('refuses an undeclared element or attribute prefix as malformed', () => {
    expect(refusal(() => parseXml('<p:a/>'))).toBe('ERR_XML_MALFORMED');
    expect(refusal(() => parseXml('<a p:x="1"/>'))).toBe('ERR_XML_MALFORMED');
  });

  it('decodes the five XML entities and character references, in text and attributes, once', () => {
    const root = parseXml('<a v="&lt;&amp;lt;&quot;&#65;&#x42;">&amp;amp; &#x1F600; &apos;&gt;</a>');
    expect(attr(root, '', 'v')).toBe('<&lt;"AB');
    expect(root.text).toBe("&amp; \u{1F600} '>");
  });

  it('keeps CDATA literal, joins it with the surrounding text, and leaves trimming to the fields', () => {
    const root = parseXml('<a>  <![CDATA[ x &amp; <y> ]]>\n</a>');
    expect(root.text).toBe('   x &amp; <y> \n');
  });

  it('normalizes line ends inside CDATA as everywhere else (XML 1.0 §2.11), but decodes nothing there', () => {
    const root = parseXml('<a><![CDATA[x\r\ny\rz&#13;]]>\r\n</a>');
    expect(root.text).toBe('x\ny\nz&#13;\n');
  });

  it('normalizes line ends in text and whitespace in attribute values, but not escaped ones', () => {
    const root = parseXml('<a v="1\t2\r\n3&#10;">x\r\ny\rz&#13;</a>');
    expect(attr(root, '', 'v')).toBe('1 2 3\n');
    expect(root.text).toBe('x\ny\nz\r');
  });

  it.each([
    ['an HTML entity', '<a>&nbsp;</a>'],
    ['a bare ampersand in an attribute', '<a v="x & y"/>'],
    ['an unterminated reference', '<a>&amp</a>'],
    ['a reference to NUL', '<a>&#0;</a>'],
    ['a reference to a surrogate', '<a>&#xD800;</a>'],
    ['a reference past Unicode', '<a>&#x110000;</a>'],
    ['an Object.prototype member as entity', '<a>&constructor;</a>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['an unclosed element', '<a><b>'],
    ['two root elements', '<a/><b/>'],
    ['no element at all', 'just text'],
    ['an empty document', ''],
    ['a repeated attribute', '<a x="1" x="2"/>'],
  ])('refuses %s as malformed', (_what, xml) => {
    expect(refusal(() => parseXml(xml))).toBe('ERR_XML_MALFORMED');
  });

  it.each([
    ['DOCTYPE', '<?xml version="1.0"?><!DOCTYPE a><a/>'],
    ['lower-case doctype', '<!doctype a><a/>'],
    ['an ENTITY declaration inside the document element', '<a><!ENTITY x "y"></a>'],
    ['a prototype-polluting element name', '<a><__proto__/></a>'],
    ['a prototype-polluting attribute name', '<a constructor="x"/>'],
  ])('refuses %s as forbidden', (_what, xml) => {
    expect(refusal(() => parseXml(xml))).toBe('ERR_XML_FORBIDDEN');
  });

  it('keeps element names that only look like Object.prototype members', () => {
    const root = parseXml('<a toString="1"><hasOwnProperty>x</hasOwnProperty><valueOf/></a>');
    expect(attr(root, '', 'toString')).toBe('1');
    expect(root.children.map((c) => c.name)).toEqual(['hasOwnProperty', 'valueOf']);
  });

  it.each([
    ['a doctype html page', '<!DOCTYPE html>\n<html><body>x</body></html>'],
    ['an html page without doctype', '<html lang="en"><head><title>x</title></head></html>'],
    ['upper case after BOM and blank lines', '\uFEFF\r\n  <HTML><BODY>Service Unavailable</BODY></HTML>'],
    [
      'XHTML with an XML declaration',
      '<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html/>',
    ],
    ['a comment before the page', '<!-- proxy --><html><body/></html>'],
    ['an unclosed HTML fragment', '<body><p>Bad gateway<br></body>'],
  ])('recognises %s as HTML before refusing anything else', (_what, page) => {
    expect(refusal(() => parseXml(page))).toBe('ERR_HTML_INSTEAD_OF_SOAP');
  });

  // The HTML check once looped over runs of whitespace, exponential in the blanks before the root: 40 never finished.
  it('reads a document after long runs of leading whitespace and comments, and still finds HTML after them', () => {
    expect(parseXml(`${' '.repeat(4000)}<a>ok</a>`).text).toBe('ok');
    expect(parseXml(`${'\r\n\t '.repeat(1000)}<a>ok</a>`).text).toBe('ok');
    expect(parseXml(`${'<!-- c --> \n'.repeat(300)}<a>ok</a>`).text).toBe('ok');
    expect(refusal(() => parseXml(`${' '.repeat(4000)}<html><body/></html>`))).toBe(
      'ERR_HTML_INSTEAD_OF_SOAP',
    );
  });

  it('does not take SOAP mentioning html for an HTML page', () => {
    expect(parseXml('<html:a xmlns:html="urn:x"/>').name).toBe('a');
  });

  it('refuses input over the byte cap before parsing, for strings and bytes, counting UTF-8 bytes', () => {
    const doc = `<a>${'é'.repeat(600)}</a>`; // 607 characters, 1,207 bytes
    expect(refusal(() => parseXml(doc, { maxBytes: 1000 }))).toBe('ERR_XML_TOO_LARGE');
    expect(refusal(() => parseXml(Buffer.from(doc), { maxBytes: 1000 }))).toBe('ERR_XML_TOO_LARGE');
    expect(parseXml(doc, { maxBytes: 1207 }).name).toBe('a');
  });

  it('refuses a cap that would mean no cap', () => {
    for (const maxBytes of [Number.NaN, -1, 0, Number.POSITIVE_INFINITY]) {
      expect(refusal(() => parseXml('<a/>', { maxBytes }))).toBe('ERR_INVALID_OPTIONS');
    }
  });

  it('refuses nesting beyond the cap as too deep, without recursion trouble', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(refusal(() => parseXml(deep, { maxBytes: 1e7 }))).toBe('ERR_XML_TOO_DEEP');
    const fine = '<a>'.repeat(60) + '</a>'.repeat(60);
    expect(parseXml(fine).name).toBe('a');
  });

  it('decodes UTF-8 bytes and drops a byte-order mark', () => {
    expect(parseXml(Buffer.from('\uFEFF<a>ü</a>')).text).toBe('ü');
    expect(parseXml('\uFEFF<a>ü</a>').text).toBe('ü');
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a truncated two-byte sequence', [0xc3]],
    ['an overlong encoding of /', [0xc0, 0xaf]],
    ['a UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['Latin-1 é', [0xe9]],
  ])('refuses invalid UTF-8 (%s) as malformed XML instead of decoding U+FFFD', (_what, bad) => {
    const bytes = Buffer.concat([Buffer.from('<a>x'), Buffer.from(bad), Buffer.from('</a>')]);
    expect(refusal(() => parseXml(bytes))).toBe('ERR_XML_MALFORMED');
  });

  it('finds a DOCTYPE or ENTITY by walking the markup: refused in the prolog or the body, never expanded', () => {
    expect(refusal(() => parseXml('<!DOCTYPE a><a/>'))).toBe('ERR_XML_FORBIDDEN');
    expect(
      refusal(() => parseXml('<?xml version="1.0"?><!-- c --><!doctype a [<!ENTITY x "y">]><a>&x;</a>')),
    ).toBe('ERR_XML_FORBIDDEN');
    expect(refusal(() => parseXml('<a><!ENTITY x "y"></a>'))).toBe('ERR_XML_FORBIDDEN');
    expect(refusal(() => parseXml('<a><!ATTLIST a b CDATA #IMPLIED></a>'))).toBe('ERR_XML_FORBIDDEN');
  });

  it('accepts <!DOCTYPE and <!ENTITY as text inside CDATA or a comment', () => {
    expect(parseXml('<a><![CDATA[<!DOCTYPE x> and <!ENTITY y "z">]]></a>').text).toBe(
      '<!DOCTYPE x> and <!ENTITY y "z">',
    );
    expect(parseXml('<!-- <!DOCTYPE a> --><a>ok</a>').text).toBe('ok');
    expect(parseXml('<a><!-- <!ENTITY x "y"> -->ok</a>').text).toBe('ok');
    expect(parseXml('<a title="&lt;!DOCTYPE b&gt;">ok</a>').text).toBe('ok');
  });

  it('refuses a processing instruction anywhere (SOAP forbids them), but not the XML declaration', () => {
    expect(refusal(() => parseXml('<?pi x?><a/>'))).toBe('ERR_XML_FORBIDDEN');
    expect(refusal(() => parseXml('<a><b><?php echo 1; ?></b></a>'))).toBe('ERR_XML_FORBIDDEN');
    expect(refusal(() => parseXml('<a/><?xml version="1.0"?>'))).toBe('ERR_XML_FORBIDDEN');
    expect(parseXml('<?xml version="1.0" encoding="utf-8"?>\n<a>ok</a>').text).toBe('ok');
    expect(parseXml("<?xml version='1.0' encoding='UTF-8' standalone='yes'?><a>ok</a>").text).toBe('ok');
  });

  it('refuses an XML declaration that names an encoding other than UTF-8', () => {
    for (const enc of ['ISO-8859-1', 'utf-16', 'windows-1252']) {
      expect(
        refusal(() => parseXml(`<?xml version="1.0" encoding="${enc}"?><a/>`)),
        enc,
      ).toBe('ERR_XML_MALFORMED');
    }
  });

  it('refuses characters XML does not allow: U+0000, other C0 controls, lone surrogates', () => {
    for (const bad of ['\u0000', '\u0001', '\u001F', '\uD800', '\uDC00', '\uFFFE']) {
      expect(
        refusal(() => parseXml(`<a>x${bad}y</a>`)),
        JSON.stringify(bad),
      ).toBe('ERR_XML_MALFORMED');
    }
    expect(parseXml('<a>tab\tcr\rlf\n\u{1F600}</a>').text).toBe('tab\tcr\nlf\n\u{1F600}');
  });

  it('refuses an element with more attributes than the cap before parsing, and counts none inside quotes', () => {
    const many = (n: number): string => `<a ${Array.from({ length: n }, (_, i) => `x${i}="1"`).join(' ')}/>`;
    expect(refusal(() => parseXml(many(257)))).toBe('ERR_XML_TOO_LARGE');
    expect(parseXml(many(256)).attrs).toHaveLength(256);
    expect(parseXml(`<a t="${'='.repeat(1000)}">ok</a>`).text).toBe('ok');
  });

  // The parser underneath takes truncated and mismatched markup silently: the markup walk is what refuses it.
  it.each([
    ['a truncated document', '<a><b>x</b>', 'unexpected end of input inside <a>'],
    ['a truncated tag', '<a><b x="1"', 'unexpected end of input inside a tag'],
    ['an end tag closing the wrong element', '<a>x<b></a>', 'the end tag </a> does not close <b>'],
    ['an end tag with no element open', '<a/></a>', 'an end tag </a> with no element open'],
    ['an end tag with attributes', '<a></a b="1">', 'an end tag </a> with more than its name'],
    ['"<" inside a tag', '<a <b/></a>', '"<" inside a tag'],
    ['a tag without a name', '< a/>', 'a tag without a name'],
    ['a tag name starting with a digit', '<1a/>', 'a tag named "1a"'],
    ['text before the root element', 'junk<a/>', 'text before the root element'],
    ['text after the root element', '<a/>junk', 'text after the root element'],
    ['an unquoted attribute value', '<a b=c/>', 'the value of attribute b is not quoted'],
    ['an attribute without a value', '<a b/>', 'attribute b without a value'],
    [
      'attributes without whitespace between them',
      '<a b="1"c="2"/>',
      'attributes must be separated by whitespace',
    ],
    ['one attribute twice', '<a b="1" b="2"/>', 'attribute b appears twice on one element'],
    ['an attribute without a name', '<a ="1"/>', 'an attribute named ""'],
    ['an unterminated comment', '<a><!-- x </a>', 'unexpected end of input inside a comment'],
    ['unterminated CDATA', '<a><![CDATA[x</a>', 'unexpected end of input inside CDATA'],
    ['CDATA outside the root', '<![CDATA[x]]><a/>', 'CDATA outside the root element'],
    ['"<!" that is not a comment or CDATA', '<a><!x></a>', 'neither a comment nor CDATA'],
  ])('refuses %s as malformed, naming what is wrong', (_what, doc, message) => {
    expect(() => parseXml(doc)).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }));
    expect(() => parseXml(doc)).toThrow(message);
  });

  it('finds an attribute spelled twice among many (past the first 16, where a set takes over) and accepts 40 distinct ones', () => {
    const attrs = Array.from({ length: 40 }, (_, i) => `a${i}="${i}"`);
    expect(parseXml(`<e ${attrs.join(' ')}/>`).name).toBe('e');
    expect(() => parseXml(`<e ${attrs.join(' ')} a20="again"/>`)).toThrow(
      'attribute a20 appears twice on one element',
    );
    expect(() => parseXml(`<e ${attrs.slice(0, 5).join(' ')} a3="again"/>`)).toThrow(
      'attribute a3 appears twice',
    );
  });

  it('accepts what is well formed: whitespace and comments around the root, spaces around = and before >, both quotes, an end tag with trailing space', () => {
    const root = parseXml(
      '<?xml version="1.0"?>\n<!-- before -->\n<a  b = "1"\tc=\'2\' ><d/><e f="x" /></a  >\n<!-- after -->\n',
    );
    expect(root.children.map((c) => c.name)).toEqual(['d', 'e']);
    expect(attr(root, '', 'c')).toBe('2');
  });

  // Namespaces in XML §4: a QName is an NCName or prefix:local, with one colon, neither first nor last.
  it.each([
    ['an element with an empty prefix bound by xmlns:', '<:Body xmlns:="urn:x"/>', 'a tag named ":Body"'],
    ['an element with an empty local name', '<p: xmlns:p="urn:x"/>', 'a tag named "p:"'],
    ['an element name with two colons', '<p:Body:x xmlns:p="urn:x"/>', 'a tag named "p:Body:x"'],
    ['a local name starting with a digit', '<p:1x xmlns:p="urn:x"/>', 'a tag named "p:1x"'],
    ['a declaration of the empty prefix', '<a xmlns:="urn:x"/>', 'an attribute named "xmlns:"'],
    ['an attribute with an empty prefix', '<a :type="1"/>', 'an attribute named ":type"'],
    ['an attribute name with two colons', '<a xmlns:p="urn:x" p:t:y="1"/>', 'an attribute named "p:t:y"'],
  ])('refuses %s as malformed', (_what, doc, message) => {
    expect(() => parseXml(doc)).toThrow(expect.objectContaining({ code: 'ERR_XML_MALFORMED' }));
    expect(() => parseXml(doc)).toThrow(message);
  });

  it('refuses one attribute spelled twice through two prefixes of the same namespace', () => {
    const xml = '<a xmlns:p="urn:x" xmlns:q="urn:x" p:type="1" q:type="2"/>';
    expect(refusal(() => parseXml(xml))).toBe('ERR_XML_MALFORMED');
    expect(parseXml('<a xmlns:p="urn:x" xmlns:q="urn:y" p:type="1" q:type="2"/>').attrs).toHaveLength(2);
  });
});

describe('decodeEntities', () => {
  // No time bound here (speed is measured in npm run bench): a quadratic decoder would not finish
  // 200,000 references within the test timeout.
  it('decodes a long run of entity references once each, without re-decoding its output', () => {
    const s = '&amp;'.repeat(200_000);
    expect(decodeEntities(s)).toBe('&'.repeat(200_000));
    expect(decodeEntities('&amp;lt;'.repeat(1000))).toBe('&lt;'.repeat(1000));
  });
});
