import { describe, expect, it } from 'vitest';
import { parseSoapEnvelope, resolveTypeName, SoapParseError } from './soap-envelope.parser';
import { attr, child, text } from './xml-node.util';

const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const S12 = 'http://www.w3.org/2003/05/soap-envelope';
const CDS = 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService';

const env = (ns: string, body: string, prefix = 'soap'): string =>
  `<?xml version="1.0"?><${prefix}:Envelope xmlns:${prefix}="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><${prefix}:Body>${body}</${prefix}:Body></${prefix}:Envelope>`;

function refusal(xml: string): SoapParseError {
  try {
    parseSoapEnvelope(xml);
  } catch (error) {
    if (error instanceof SoapParseError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseSoapEnvelope', () => {
  it('tells SOAP 1.1 from 1.2 by the Envelope namespace, whatever the prefix', () => {
    expect(parseSoapEnvelope(env(S11, '<a/>')).version).toBe('1.1');
    expect(parseSoapEnvelope(env(S12, '<a/>', 'e')).version).toBe('1.2');
    expect(refusal(env('urn:other', '<a/>')).kind).toBe('not-soap');
  });

  it('decodes standard and numeric entities, trims text and keeps CDATA', () => {
    const e = parseSoapEnvelope(env(S11, '<a><b>  t=x&amp;p=&#x41;  </b><c><![CDATA[ <raw> ]]></c></a>'));
    expect(text(child(e.bodyElement, 'b'))).toBe('t=x&p=A');
    // CDATA content is kept verbatim (handlers trim the fields they read).
    expect(text(child(e.bodyElement, 'c'))).toBe(' <raw> ');
  });

  it('accepts a leading byte-order mark', () => {
    expect(parseSoapEnvelope(`\uFEFF${env(S11, '<a/>')}`).bodyName).toBe('a');
  });

  it('keeps values as text: no number coercion of ids or tickets', () => {
    const e = parseSoapEnvelope(env(S11, '<a><puid>0003BFFD8F3A5B21</puid><n>00123</n><x>1e5</x></a>'));
    expect(text(child(e.bodyElement, 'n'))).toBe('00123');
    expect(text(child(e.bodyElement, 'x'))).toBe('1e5');
  });

  it('refuses DTDs, HTML pages, malformed XML and non-envelopes', () => {
    expect(refusal(`<!DOCTYPE x [<!ENTITY a "b">]>${env(S11, '<a>&a;</a>')}`).kind).toBe('forbidden-dtd');
    expect(refusal('<!DOCTYPE html><html><body></body></html>').kind).toBe('html-page');
    expect(refusal(env(S11, '<a><b></a>')).kind).toBe('malformed');
    expect(refusal(env(S11, '<a>').slice(0, -20)).kind).toBe('malformed');
    expect(refusal('{"json": true}').kind).toBe('not-xml');
    expect(refusal('<Envelope2 xmlns="urn:x"/>').kind).toBe('not-soap');
    expect(
      refusal(
        `<soap:Envelope xmlns:soap="${S11}"><soap:Body><a/></soap:Body><soap:Body><b/></soap:Body></soap:Envelope>`,
      ).kind,
    ).toBe('invalid-envelope');
    expect(refusal(env(S11, '<a/><b/>')).kind).toBe('invalid-envelope');
    expect(refusal(env(S11, `${'<d>'.repeat(200)}${'</d>'.repeat(200)}`)).httpStatus).toBe(400);
  });

  it('decodes bytes as strict UTF-8: invalid sequences are malformed, a BOM is dropped', () => {
    const bytes = (xml: string) => new TextEncoder().encode(xml);
    expect(parseSoapEnvelope(bytes(`\uFEFF${env(S11, '<a>é</a>')}`)).bodyElement.text).toBe('é');
    const bad = Uint8Array.from([
      ...bytes(env(S11, '<a>')).slice(0, -40),
      0xff,
      ...bytes(env(S11, '<a>')).slice(-40),
    ]);
    expect(refusal(bad as unknown as string).message).toMatch(/not valid UTF-8/);
  });

  it('refuses a named HTML entity whatever else the body holds', () => {
    expect(refusal(env(S11, '<a>&nbsp;</a>')).kind).toBe('malformed');
    expect(refusal(env(S11, '<a>&#x41;&nbsp;</a>')).kind).toBe('malformed');
  });

  it('finds DOCTYPE by structure: in a comment or CDATA it is text', () => {
    const xml = env(S11, '<a><![CDATA[<!DOCTYPE y>]]></a>').replace('?>', '?><!-- <!DOCTYPE x> -->');
    expect(parseSoapEnvelope(xml).bodyElement.text).toBe('<!DOCTYPE y>');
  });

  it('refuses a Body or Header of the other SOAP version, a Header after the Body, and strangers in the Envelope', () => {
    const mixed = `<soap:Envelope xmlns:soap="${S11}" xmlns:e="${S12}"><e:Body><a/></e:Body></soap:Envelope>`;
    expect(refusal(mixed).kind).toBe('invalid-envelope');
    const mixedHeader = `<e:Envelope xmlns:soap="${S11}" xmlns:e="${S12}"><soap:Header/><e:Body><a/></e:Body></e:Envelope>`;
    expect(refusal(mixedHeader).message).toMatch(/Header is in namespace/);
    const late = `<soap:Envelope xmlns:soap="${S11}"><soap:Body><a/></soap:Body><soap:Header/></soap:Envelope>`;
    expect(refusal(late).message).toMatch(/before the Body/);
    const stranger = `<soap:Envelope xmlns:soap="${S11}"><x/><soap:Body><a/></soap:Body></soap:Envelope>`;
    expect(refusal(stranger).kind).toBe('invalid-envelope');
  });

  it('reads the body element with its namespace, whatever the prefixes', () => {
    const e = parseSoapEnvelope(
      `<Envelope xmlns="${S12}"><Header/><Body><c:Execute xmlns:c="${CDS}"/></Body></Envelope>`,
    );
    expect([e.version, e.bodyName, e.bodyNs, e.header?.local]).toEqual(['1.2', 'Execute', CDS, 'Header']);
  });

  it('maps refusals to 400 for unreadable bodies and 500 otherwise', () => {
    expect(refusal('nope').httpStatus).toBe(400);
    expect(refusal(`<!DOCTYPE x>${env(S11, '<a/>')}`).httpStatus).toBe(500);
  });
});

describe('resolveTypeName', () => {
  it('resolves prefixed names through the declared namespace and accepts unprefixed ones', () => {
    const e = parseSoapEnvelope(
      env(
        S11,
        `<Execute xmlns="${CDS}" xmlns:d="${CDS}" xmlns:o="urn:other"><Request xsi:type="d:RetrievePolicyRequest"/></Execute>`,
      ),
    );
    const type = attr(child(e.bodyElement, 'Request'), 'type');
    expect(resolveTypeName(type, e.namespaces, CDS)).toBe('RetrievePolicyRequest');
    expect(resolveTypeName('RetrievePolicyRequest', e.namespaces, CDS)).toBe('RetrievePolicyRequest');
    expect(resolveTypeName('o:RetrievePolicyRequest', e.namespaces, CDS)).toBeUndefined();
    expect(resolveTypeName('missing:RetrievePolicyRequest', e.namespaces, CDS)).toBeUndefined();
  });
});
