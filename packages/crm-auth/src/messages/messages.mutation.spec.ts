/**
 * Mutation-testing additions (stryker/README.md) for the message layer's shared rules: value
 * conversions at their bounds, the envelope's structure checks, how an Execute payload is
 * identified, what decodeMessage returns, and the field tables' paths, attributes and duplicates.
 */
import { describe, expect, it } from 'vitest';
import { CrmAuthError, isCrmAuthError } from '../errors';
import { parseXml } from '../xml/safe-parse';
import { serializeDocument } from '../xml/xml-writer';
import { requireGuid, requireText } from './arguments';
import { NS } from './constants';
import { decodeMessage } from './decode';
import { openEnvelope, soap11Envelope, soap12Envelope } from './envelope';
import { extract, f, type FieldTable, unexpected } from './fields';
import { identify, parseExpected, wrapperKey } from './message';
import { RETRIEVE_POLICY } from './discovery/retrieve-policy';
import { toBool, toDate, toGuid, toInt } from './values';
import { el } from '../xml/xml-writer';

const env11 = (body: string, header = '') =>
  `<soap:Envelope xmlns:soap="${NS.soap11}" xmlns:xsi="${NS.xsi}">${header}<soap:Body>${body}</soap:Body></soap:Envelope>`;
const env12 = (body: string) =>
  `<s:Envelope xmlns:s="${NS.soap12}" xmlns:xsi="${NS.xsi}"><s:Body>${body}</s:Body></s:Envelope>`;

function thrown(fn: () => unknown): CrmAuthError {
  try {
    fn();
  } catch (err) {
    if (isCrmAuthError(err)) return err;
    throw err;
  }
  throw new Error('expected a CrmAuthError');
}

describe('values at their bounds', () => {
  it('reads integers of up to 15 digits with an optional sign, and nothing longer', () => {
    expect(toInt('+7')).toBe(7);
    expect(toInt('999999999999999')).toBe(999_999_999_999_999);
    expect(toInt('-999999999999999')).toBe(-999_999_999_999_999);
    expect(toInt('1000000000000000')).toBeUndefined();
    expect(toInt('1 ')).toBeUndefined();
    expect(toInt('+')).toBeUndefined();
  });

  it('reads booleans case-insensitively and nothing else', () => {
    expect(toBool('TRUE')).toBe(true);
    expect(toBool('False')).toBe(false);
    expect(toBool('')).toBeUndefined();
    expect(toBool('2')).toBeUndefined();
  });

  it('refuses a GUID with a closing brace only or text around it', () => {
    expect(toGuid('c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c}')).toBeUndefined();
    expect(toGuid(' c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c')).toBeUndefined();
    expect(toGuid('c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c0')).toBeUndefined();
    expect(toGuid('xc1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c')).toBeUndefined();
  });

  it.each([
    ['2026-11-23T22:00:00z', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23 22:00:00Z', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23T22:00:00,5Z', '2026-11-23T22:00:00.500Z'],
    ['2026-11-23T22:00:00.05Z', '2026-11-23T22:00:00.050Z'],
    ['2026-11-24T06:00:00+08', '2026-11-23T22:00:00.000Z'],
    ['2026-11-23T21:00:00-0100', '2026-11-23T22:00:00.000Z'],
    ['2026-11-24T07:59:00+09:59', '2026-11-23T22:00:00.000Z'],
    ['2026-12-31T23:59:60Z', '2026-12-31T23:59:59.000Z'],
    ['2026-01-31T00:00:00Z', '2026-01-31T00:00:00.000Z'],
    ['2026-12-01T23:59:59Z', '2026-12-01T23:59:59.000Z'],
    ['2026-11-24T21:00:00+23:00', '2026-11-23T22:00:00.000Z'],
    ['11/23/2026 10:00 PM', '2026-11-23T22:00:00.000Z'],
    ['11/23/2026 10:00:00 pm', '2026-11-23T22:00:00.000Z'],
    ['11/23/2026 12:00:00 PM', '2026-11-23T12:00:00.000Z'],
    ['11/23/2026 11:00:00 AM', '2026-11-23T11:00:00.000Z'],
    ['11/23/2026 1:00:00 AM', '2026-11-23T01:00:00.000Z'],
    ['11/23/2026 23:00:00 Z', '2026-11-23T23:00:00.000Z'],
    ['11/23/2026 6:00:00 AM +8', '2026-11-22T22:00:00.000Z'],
    ['11/23/2026 22:00:00.5', '2026-11-23T22:00:00.500Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(toDate(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-00-10T00:00:00Z',
    '2026-11-00T00:00:00Z',
    '2026-11-32T00:00:00Z',
    '2026-11-23T24:00:00Z',
    '2026-11-23T22:60:00Z',
    '2026-11-23T22:00:61Z',
    '2026-11-23T22:00:00+24:00',
    '2026-11-23T22:00:00+10:60',
    '2026-04-31T00:00:00Z',
    '2026-11-23T22:00:00Zjunk',
    'x2026-11-23',
    '11/23/2026 13:00:00 AM',
    '11/23/2026 10:00:00 PM junk',
    'junk 11/23/2026',
  ])('refuses %s', (text) => {
    expect(toDate(text)).toBeUndefined();
  });
});

describe('builder arguments', () => {
  it('refuses an empty or non-string text with ERR_INVALID_OPTIONS naming the argument, never its value', () => {
    expect(requireText('x', 'ticket')).toBe('x');
    for (const bad of ['', undefined, 7]) {
      const err = thrown(() => requireText(bad, 'passportTicket'));
      expect(err.code).toBe('ERR_INVALID_OPTIONS');
      expect(err.message).toBe('passportTicket must be a non-empty string');
    }
  });

  it('normalizes a GUID and refuses anything else, naming the argument', () => {
    expect(requireGuid('{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}', 'id')).toBe(
      'c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c',
    );
    const err = thrown(() => requireGuid(42, 'entity id'));
    expect(err).toMatchObject({ code: 'ERR_INVALID_OPTIONS', message: 'entity id must be a GUID' });
    expect(thrown(() => requireGuid('not-a-guid', 'id')).code).toBe('ERR_INVALID_OPTIONS');
  });
});

describe('openEnvelope', () => {
  const open = (xml: string) => openEnvelope(parseXml(xml));

  it('finds the version, the header and the one payload', () => {
    const e11 = open(env11('<a xmlns="urn:x"/>', '<soap:Header><h xmlns="urn:x"/></soap:Header>'));
    expect(e11.soapVersion).toBe('1.1');
    expect(e11.ns).toBe(NS.soap11);
    expect(e11.header?.children.map((c) => c.name)).toEqual(['h']);
    expect(e11.payload.name).toBe('a');
    const e12 = open(env12('<b xmlns="urn:x"/>'));
    expect(e12).toMatchObject({ soapVersion: '1.2', ns: NS.soap12, header: undefined });
    expect(e12.payload.name).toBe('b');
  });

  it('refuses a root that is not a SOAP Envelope, naming it', () => {
    expect(thrown(() => open('<Envelope xmlns="urn:other"><Body/></Envelope>'))).toMatchObject({
      code: 'ERR_XML_MALFORMED',
      message: 'not a SOAP envelope: the root element is Envelope',
    });
    expect(thrown(() => open(`<soap:Body xmlns:soap="${NS.soap11}"/>`)).message).toBe(
      'not a SOAP envelope: the root element is Body',
    );
  });

  it('refuses a Header after the Body, a second Header or Body, and elements of another namespace', () => {
    const h = '<soap:Header/>';
    for (const xml of [
      `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body><a/></soap:Body>${h}</soap:Envelope>`,
      `<soap:Envelope xmlns:soap="${NS.soap11}">${h}${h}<soap:Body><a/></soap:Body></soap:Envelope>`,
      `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Body><a/></soap:Body><soap:Body><b/></soap:Body></soap:Envelope>`,
      `<soap:Envelope xmlns:soap="${NS.soap11}"><Body xmlns="urn:other"><a/></Body></soap:Envelope>`,
      `<soap:Envelope xmlns:soap="${NS.soap11}"><Header xmlns="urn:other"/><soap:Body><a/></soap:Body></soap:Envelope>`,
    ]) {
      const err = thrown(() => open(xml));
      expect(err.code).toBe('ERR_XML_MALFORMED');
      expect(err.message).toMatch(
        /^invalid SOAP envelope: unexpected (Header|Body) element in Envelope \(exactly one Body allowed\)$/,
      );
    }
  });

  it('refuses an envelope without Body, with an empty Body, or with two payloads', () => {
    expect(
      thrown(() => open(`<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Header/></soap:Envelope>`)).message,
    ).toBe('invalid SOAP envelope: no Body');
    expect(thrown(() => open(env11(''))).message).toBe('invalid SOAP envelope: empty Body');
    expect(thrown(() => open(env11('<a/><b/>'))).message).toBe(
      'invalid SOAP envelope: more than one element in Body',
    );
  });
});

describe('outgoing envelopes', () => {
  const reopen = (node: ReturnType<typeof el>) => parseXml(serializeDocument(node));

  it('writes a SOAP 1.1 envelope with xsi and xsd declared, and a Header only when there are header blocks', () => {
    const bare = reopen(soap11Envelope([], el('Ping', [['xmlns', 'urn:x']])));
    expect(bare).toMatchObject({ ns: NS.soap11, name: 'Envelope' });
    expect(bare.scope).toMatchObject({ soap: NS.soap11, xsi: NS.xsi, xsd: NS.xsd });
    expect(bare.children.map((c) => c.name)).toEqual(['Body']);
    expect(openEnvelope(bare).payload).toMatchObject({ ns: 'urn:x', name: 'Ping' });
    const withHeader = openEnvelope(reopen(soap11Envelope([el('H', null)], el('Ping', null))));
    expect(withHeader.header?.children.map((c) => c.name)).toEqual(['H']);
    expect(withHeader.payload.name).toBe('Ping');
  });

  it('writes a SOAP 1.2 envelope with the given declarations, and a Header only when there are header blocks', () => {
    const bare = reopen(soap12Envelope([['xmlns:a', NS.wsa]], [], el('Ping', null)));
    expect(bare).toMatchObject({ ns: NS.soap12, name: 'Envelope' });
    expect(bare.scope).toMatchObject({ s: NS.soap12, a: NS.wsa });
    expect(bare.children.map((c) => c.name)).toEqual(['Body']);
    const withHeader = openEnvelope(reopen(soap12Envelope([], [el('H', null)], el('Ping', null))));
    expect(withHeader.soapVersion).toBe('1.2');
    expect(withHeader.header?.children.map((c) => c.name)).toEqual(['H']);
    expect(withHeader.payload.name).toBe('Ping');
  });
});

describe('identify: which message the Body carries', () => {
  const payloadOf = (body: string) => openEnvelope(parseXml(env11(body))).payload;

  it('keys a plain wrapper by namespace and name, and reads it as itself', () => {
    const found = identify(
      payloadOf(`<CreateResponse xmlns="${NS.ws}"><CreateResult>x</CreateResult></CreateResponse>`),
    );
    expect(found.key).toBe(`${NS.ws} CreateResponse`);
    expect(found.label).toBe('CreateResponse');
    expect(found.payload.name).toBe('CreateResponse');
  });

  it('treats an Execute outside the discovery and CrmService namespaces as a plain wrapper', () => {
    const found = identify(payloadOf('<Execute xmlns="urn:elsewhere"><Request/></Execute>'));
    expect(found).toMatchObject({ key: 'urn:elsewhere Execute', label: 'Execute' });
  });

  it('keys an Execute by its Request type, prefixed or not, and an ExecuteResponse by its Response type', () => {
    const req = identify(
      payloadOf(`<Execute xmlns="${NS.cds}"><Request xsi:type="RetrievePolicyRequest"/></Execute>`),
    );
    expect(req).toMatchObject({
      key: `${NS.cds} Execute RetrievePolicyRequest`,
      label: 'RetrievePolicyRequest',
    });
    expect(req.payload.name).toBe('Request');
    const res = identify(
      payloadOf(
        `<ExecuteResponse xmlns="${NS.ws}" xmlns:w="${NS.ws}"><Response xsi:type="w:WhoAmIResponse"/></ExecuteResponse>`,
      ),
    );
    expect(res).toMatchObject({ key: `${NS.ws} ExecuteResponse WhoAmIResponse`, label: 'WhoAmIResponse' });
    expect(res.payload.name).toBe('Response');
  });

  it('refuses an Execute without exactly one Request, naming what it must hold', () => {
    expect(thrown(() => identify(payloadOf(`<Execute xmlns="${NS.cds}"/>`))).message).toBe(
      'Execute must hold exactly one Request',
    );
    const two = `<ExecuteResponse xmlns="${NS.cds}"><Response xsi:type="A"/><Response xsi:type="A"/></ExecuteResponse>`;
    expect(thrown(() => identify(payloadOf(two)))).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'ExecuteResponse must hold exactly one Response',
    });
    // A Response inside an Execute is not its Request.
    expect(
      thrown(() => identify(payloadOf(`<Execute xmlns="${NS.cds}"><Response xsi:type="A"/></Execute>`))).code,
    ).toBe('ERR_UNEXPECTED_MESSAGE');
  });

  it('refuses a Request without xsi:type or whose type lies in another namespace', () => {
    for (const body of [
      `<Execute xmlns="${NS.cds}"><Request/></Execute>`,
      `<Execute xmlns="${NS.cds}" xmlns:o="urn:other"><Request xsi:type="o:RetrievePolicyRequest"/></Execute>`,
      `<Execute xmlns="${NS.cds}"><Request xsi:type="u:RetrievePolicyRequest"/></Execute>`,
    ]) {
      expect(thrown(() => identify(payloadOf(body)))).toMatchObject({
        code: 'ERR_UNEXPECTED_MESSAGE',
        message: 'Execute/Request has no xsi:type in its namespace',
      });
    }
  });

  it('makes wrapper keys with and without an Execute type', () => {
    expect(wrapperKey({ ns: 'urn:a', name: 'B' })).toBe('urn:a B');
    expect(wrapperKey({ ns: 'urn:a', name: 'Execute', executeType: 'T' })).toBe('urn:a Execute T');
  });
});

describe('parseExpected and decodeMessage', () => {
  const policyResponse = (policy: string) =>
    env11(
      `<ExecuteResponse xmlns="${NS.cds}"><Response xsi:type="RetrievePolicyResponse"><Policy>${policy}</Policy></Response></ExecuteResponse>`,
    );

  it("applies the caller's size cap when parsing and decoding", () => {
    const xml = policyResponse('MBI_SSL');
    expect(thrown(() => parseExpected(xml, RETRIEVE_POLICY.response, { maxBytes: 100 })).code).toBe(
      'ERR_XML_TOO_LARGE',
    );
    expect(thrown(() => decodeMessage(xml, { maxBytes: 100 })).code).toBe('ERR_XML_TOO_LARGE');
    expect(parseExpected(xml, RETRIEVE_POLICY.response, { maxBytes: xml.length })).toEqual({
      policy: 'MBI_SSL',
    });
  });

  it('names the expected and the received message when another one arrives', () => {
    const other = env11(
      `<ExecuteResponse xmlns="${NS.cds}"><Response xsi:type="RetrieveOrganizationsResponse"/></ExecuteResponse>`,
    );
    expect(thrown(() => parseExpected(other, RETRIEVE_POLICY.response))).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'expected RetrievePolicyResponse, received RetrieveOrganizationsResponse',
      operation: 'RetrievePolicy',
    });
  });

  it('reads with the message label and operation in errors of the fields', () => {
    expect(thrown(() => parseExpected(policyResponse(''), RETRIEVE_POLICY.response))).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'RetrievePolicyResponse: Policy is not a valid value',
      operation: 'RetrievePolicy',
    });
  });

  it('decodes a response to its JSON form with service, kind, operation and version', () => {
    expect(decodeMessage(policyResponse('MBI_SSL'))).toEqual({
      service: 'discovery',
      kind: 'response',
      operation: 'RetrievePolicy',
      soapVersion: '1.1',
      body: { policy: 'MBI_SSL' },
    });
  });

  it('returns a fault as data, with only its code, name, description and type', () => {
    const fault = env11(
      '<soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring></soap:Fault>',
    );
    expect(decodeMessage(fault)).toEqual({
      service: 'crm',
      kind: 'fault',
      operation: null,
      soapVersion: '1.1',
      fault: { code: 'Server', name: 'Unknown', description: 'boom', type: 'Soap' },
    });
  });

  it('refuses an unsupported message, naming it', () => {
    expect(thrown(() => decodeMessage(env11('<Ping xmlns="urn:x"/>')))).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'unsupported message: Ping',
    });
  });

  it('shows the CrmAuthenticationToken of a CrmService request, and no header for a response', () => {
    const token = `<CrmAuthenticationToken xmlns="${NS.ws}"><AuthenticationType xmlns="${NS.ct}">1</AuthenticationType><CrmTicket xmlns="${NS.ct}">t</CrmTicket><OrganizationName xmlns="${NS.ct}">contoso</OrganizationName><CallerId xmlns="${NS.ct}">00000000-0000-0000-0000-000000000000</CallerId></CrmAuthenticationToken>`;
    const request = env11(
      `<Execute xmlns="${NS.ws}"><Request xsi:type="WhoAmIRequest"/></Execute>`,
      `<soap:Header>${token}</soap:Header>`,
    );
    const decoded = decodeMessage(request);
    expect(decoded.header).toEqual({
      authenticationType: 1,
      crmTicket: 't',
      organizationName: 'contoso',
      callerId: null,
    });
    expect(decoded).toMatchObject({ service: 'crm', kind: 'request', operation: 'WhoAmI', body: {} });
    const noHeader = decodeMessage(
      env11(`<Execute xmlns="${NS.ws}"><Request xsi:type="WhoAmIRequest"/></Execute>`),
    );
    expect('header' in noHeader).toBe(false);
    const response = env11(
      `<ExecuteResponse xmlns="${NS.ws}"><Response xsi:type="WhoAmIResponse"><UserId>{6A2C1E0B-0000-4000-8000-0000000000A1}</UserId><BusinessUnitId>6a2c1e0b-0000-4000-8000-0000000000a2</BusinessUnitId><OrganizationId>6a2c1e0b-0000-4000-8000-0000000000a3</OrganizationId></Response></ExecuteResponse>`,
      `<soap:Header>${token}</soap:Header>`,
    );
    expect('header' in decodeMessage(response)).toBe(false);
  });

  it('refuses two CrmAuthenticationToken headers', () => {
    const token = `<CrmAuthenticationToken xmlns="${NS.ws}"/>`;
    const request = env11(
      `<Execute xmlns="${NS.ws}"><Request xsi:type="WhoAmIRequest"/></Execute>`,
      `<soap:Header>${token}${token}</soap:Header>`,
    );
    expect(thrown(() => decodeMessage(request))).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'WhoAmIRequest: two CrmAuthenticationToken headers',
    });
  });

  it('writes dates as ISO text in the JSON and leaves out absent members', () => {
    const ticket = env11(
      `<ExecuteResponse xmlns="${NS.cds}"><Response xsi:type="RetrieveCrmTicketResponse"><CrmTicket>ct</CrmTicket><ExpirationDate>2026-11-23T22:00:00Z</ExpirationDate><OrganizationDetail><OrganizationId>5f1d0c2e-0000-4000-8000-00000000c0de</OrganizationId><OrganizationName>contoso</OrganizationName><FriendlyName>Contoso</FriendlyName><CrmServiceUrl>https://c/CrmService.asmx</CrmServiceUrl><CrmMetadataServiceUrl>https://c/MetadataService.asmx</CrmMetadataServiceUrl><WebApplicationUrl>https://c/</WebApplicationUrl></OrganizationDetail></Response></ExecuteResponse>`,
    );
    const body = decodeMessage(ticket).body as Record<string, unknown>;
    expect(body.expirationDate).toBe('2026-11-23T22:00:00.000Z');
    expect(body.crmTicket).toBe('ct');
  });
});

describe('field tables', () => {
  const ctx = { message: 'TestMessage', operation: 'Test' };
  const xml = (inner: string) => parseXml(`<root xmlns:p="urn:p">${inner}</root>`);

  it('reads an attribute of the element itself and of a child, trimmed', () => {
    const table: FieldTable<{ own: string; child: number; absent?: string }> = {
      own: f.text('@kind'),
      child: f.int('Item/@n'),
      absent: f.text('Missing/@x').optional(),
    };
    const root = parseXml('<root kind=" top "><Item n=" 42 "/></root>');
    expect(extract(root, table, ctx)).toEqual({ own: 'top', child: 42 });
  });

  it('names a missing field and a field that is not of its kind, never echoing its value', () => {
    expect(thrown(() => f.nonEmpty('Name').read(xml(''), ctx))).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'TestMessage: Name is missing',
      operation: 'Test',
    });
    const bad = thrown(() => f.guid('Id').read(xml('<Id>secret-ticket</Id>'), ctx));
    expect(bad.message).toBe('TestMessage: Id is not a valid GUID');
    expect(thrown(() => f.date('When').read(xml('<When>soon</When>'), ctx)).message).toBe(
      'TestMessage: When is not a valid date',
    );
    expect(thrown(() => f.bool('B').read(xml('<B>maybe</B>'), ctx)).message).toBe(
      'TestMessage: B is not a valid boolean',
    );
    expect(thrown(() => f.int('N').read(xml('<N>x</N>'), ctx)).message).toBe(
      'TestMessage: N is not a valid integer',
    );
    expect(thrown(() => f.int('@n').read(parseXml('<root/>'), ctx)).message).toBe(
      'TestMessage: @n is missing',
    );
  });

  it('refuses two candidates anywhere on a path, and accepts alternatives named with |', () => {
    expect(thrown(() => f.text('A/B').read(xml('<A><B>1</B><B>2</B></A>'), ctx)).message).toBe(
      'TestMessage: more than one A/B',
    );
    expect(thrown(() => f.text('A/B').read(xml('<A><B>1</B></A><A/>'), ctx)).message).toBe(
      'TestMessage: more than one A/B',
    );
    expect(f.text('A/B|C').read(xml('<A><C>c</C></A>'), ctx)).toBe('c');
    expect(thrown(() => f.text('B|C').read(xml('<B/><C/>'), ctx)).message).toBe(
      'TestMessage: more than one B|C',
    );
    expect(f.text('.').read(parseXml('<root> self </root>'), ctx)).toBe('self');
  });

  it('reads lists (none when the container is absent), nested tables, optional ones and mapped values', () => {
    const list = f.list('Items/Item', f.int('.'));
    expect(list.read(xml('<Items><Item>1</Item><Other/><Item>2</Item></Items>'), ctx)).toEqual([1, 2]);
    expect(list.read(xml(''), ctx)).toEqual([]);
    const tableList = f.list('Item', { n: f.int('@n') });
    expect(tableList.read(xml('<Item n="3"/><Item n="4"/>'), ctx)).toEqual([{ n: 3 }, { n: 4 }]);
    const nested = f.nested('Box', { label: f.text('Label') });
    expect(nested.read(xml('<Box><Label>x</Label></Box>'), ctx)).toEqual({ label: 'x' });
    expect(thrown(() => nested.read(xml(''), ctx)).message).toBe('TestMessage: Box is missing');
    const optional = f.optionalNested('Box', { label: f.text('Label') });
    expect(optional.read(xml(''), ctx)).toBeUndefined();
    expect(optional.read(xml('<Box><Label>y</Label></Box>'), ctx)).toEqual({ label: 'y' });
    const mapped = f.map(f.int('N'), (n) => n * 2);
    expect(mapped.read(xml('<N>21</N>'), ctx)).toBe(42);
    expect(f.custom((e) => e.children.length).read(xml('<a/><b/>'), ctx)).toBe(2);
  });

  it('keeps the table order and leaves out undefined values', () => {
    const table: FieldTable<{ b?: string; a: string }> = { b: f.text('B').optional(), a: f.text('A') };
    expect(Object.keys(extract(xml('<A>1</A><B>2</B>'), table, ctx))).toEqual(['b', 'a']);
    expect(extract(xml('<A>1</A>'), table, ctx)).toEqual({ a: '1' });
  });

  it('builds unexpected-message errors with the message name and operation', () => {
    expect(unexpected(ctx, 'bad shape')).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'TestMessage: bad shape',
      operation: 'Test',
    });
  });
});

describe('values, envelopes, identification and extraction: edge cases', () => {
  it('reads a .NET offset written as three digits without a colon, +830, as 8 h 30', () => {
    expect(toDate('11/23/2026 6:30:00 AM +830')?.toISOString()).toBe('2026-11-22T22:00:00.000Z');
    expect(toDate('11/23/2026 6:30:00 AM -130')?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
  });

  it('refuses a GUID argument that is not a string, even an array holding one, with ERR_INVALID_OPTIONS', () => {
    const err = thrown(() => requireGuid(['c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c'], 'id'));
    expect(err).toMatchObject({ code: 'ERR_INVALID_OPTIONS', message: 'id must be a GUID' });
  });

  it('refuses an envelope whose only child is a SOAP element other than Header or Body', () => {
    const xml = `<soap:Envelope xmlns:soap="${NS.soap11}"><soap:Content><a xmlns="urn:x"/></soap:Content></soap:Envelope>`;
    expect(thrown(() => openEnvelope(parseXml(xml)))).toMatchObject({
      code: 'ERR_XML_MALFORMED',
      message: 'invalid SOAP envelope: unexpected Content element in Envelope (exactly one Body allowed)',
    });
  });

  it('accepts an Execute Request whose unprefixed xsi:type has no default namespace in scope', () => {
    const xml = env11(
      `<cds:Execute xmlns:cds="${NS.cds}"><cds:Request xsi:type="RetrievePolicyRequest"/></cds:Execute>`,
    );
    expect(identify(openEnvelope(parseXml(xml)).payload).label).toBe('RetrievePolicyRequest');
    expect(decodeMessage(xml)).toMatchObject({
      service: 'discovery',
      kind: 'request',
      operation: 'RetrievePolicy',
    });
  });

  it('shows no CrmAuthenticationToken header for a discovery request, even when one is sent', () => {
    const token = `<CrmAuthenticationToken xmlns="${NS.ws}"><AuthenticationType xmlns="${NS.ct}">1</AuthenticationType><CrmTicket xmlns="${NS.ct}">x</CrmTicket><OrganizationName xmlns="${NS.ct}">contoso</OrganizationName></CrmAuthenticationToken>`;
    const xml = env11(
      `<Execute xmlns="${NS.cds}"><Request xsi:type="RetrievePolicyRequest"/></Execute>`,
      `<soap:Header>${token}</soap:Header>`,
    );
    const decoded = decodeMessage(xml);
    expect(decoded.operation).toBe('RetrievePolicy');
    expect(decoded).not.toHaveProperty('header');
  });

  it('leaves an absent optional field out of the object rather than holding undefined', () => {
    const ctx = { message: 'TestMessage', operation: 'Test' };
    const table: FieldTable<{ a: string; b?: string }> = { a: f.text('A'), b: f.text('B').optional() };
    const out = extract(parseXml('<root><A>1</A></root>'), table, ctx);
    expect('b' in out).toBe(false);
    expect(out).toStrictEqual({ a: '1' });
  });
});
