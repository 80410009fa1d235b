import { describe, expect, it } from 'vitest';
import { CrmAuthError } from '../errors';
import { el, escapeAttr, escapeText, hasOnlyXmlChars, isSafeName, serializeDocument } from './xml-writer';

describe('xml-writer', () => {
  it('escapes markup characters in text, so caller data never becomes markup', () => {
    expect(escapeText('</a><evil/> & ]]>')).toBe('&lt;/a&gt;&lt;evil/&gt; &amp; ]]&gt;');
    expect(escapeText('"quotes" stay')).toBe('"quotes" stay');
    expect(escapeText('cr\r\nlf')).toBe('cr&#13;\nlf');
  });

  it('escapes quotes and whitespace in attributes, which parsers would otherwise normalize', () => {
    expect(escapeAttr(`a"b'c<d>&\te\nf\rg`)).toBe('a&quot;b&apos;c&lt;d&gt;&amp;&#9;e&#10;f&#13;g');
  });

  it('refuses characters XML 1.0 cannot carry', () => {
    for (const bad of ['\u0000', 'a\u0001', '\u001F', '\uFFFE', '\uD800x', 'x\uDC00']) {
      expect(hasOnlyXmlChars(bad)).toBe(false);
      expect(() => escapeText(bad)).toThrow(CrmAuthError);
    }
    expect(hasOnlyXmlChars('tab\tlf\ncr\r \u{1F600} \uE000')).toBe(true);
  });

  it('accepts only plain XML names that the parser reads back', () => {
    expect(isSafeName('new_customfield1')).toBe(true);
    expect(isSafeName('a.b-c')).toBe(true);
    for (const bad of ['', '1abc', 'a b', 'a:b', 'a>b', '__proto__', 'constructor', 'x'.repeat(129)]) {
      expect(isSafeName(bad)).toBe(false);
    }
  });

  it('writes a declaration, two-space indentation, self-closing empties and a final newline', () => {
    const doc = serializeDocument(
      el('r', [['xmlns', 'urn:x']], [el('a', null, 'x&y'), el('b', [['k', 'v']]), el('c', null, '')]),
    );
    expect(doc).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<r xmlns="urn:x">\n  <a>x&amp;y</a>\n  <b k="v" />\n  <c />\n</r>\n',
    );
  });
});
