import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type HttpResult } from './emulator-harness';
import { crmAction, crmTicket, crmXml, faultCode, parseReply, textAt, WHOAMI_BODY } from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

/**
 * What the emulator reads as XML, over HTTPS: bytes (strict UTF-8), entities (XML's five and
 * character references only), DTDs found by structure, and the SOAP envelope's own structure.
 */
describe('request bodies are read as strict XML and strict SOAP', () => {
  let h: Harness;
  let ticket: string;
  beforeAll(async () => {
    h = await startHarness();
    ticket = (await crmTicket(h)).ticket;
  });
  afterAll(async () => {
    await h.close();
  });

  /** Posts raw bytes (the harness posts strings). */
  async function postBytes(body: Buffer, op: string): Promise<HttpResult> {
    const res = await request(`${h.emu.url}${CRM}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'text/xml; charset=utf-8', ...crmAction(op) },
      dispatcher: h.agent,
    });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  }

  const create = (nameXml: string): string =>
    crmXml(
      { ticket, org: 'contoso' },
      `<Create xmlns="${WS}"><entity xsi:type="account"><name>${nameXml}</name></entity></Create>`,
    );

  function accountNamed(name: string): boolean {
    return h.emu.control
      .records({ org: 'contoso', entity: 'account' })
      .some((r) => r.attributes['name'] === name);
  }

  function expectMalformed(res: HttpResult, says: RegExp): void {
    expect(res.status, res.body).toBe(400);
    expect(res.body).toContain('<faultcode>soap:Client</faultcode>');
    expect(res.body).toMatch(says);
  }

  describe('bytes and entities', () => {
    it('refuses invalid UTF-8 as malformed XML (400) instead of storing U+FFFD', async () => {
      const [head, tail] = create('Caf@ Latin-1').split('@') as [string, string];
      // 0xE9 is é in Latin-1 and no UTF-8 sequence.
      const res = await postBytes(
        Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from([0xe9]), Buffer.from(tail, 'utf8')]),
        'Create',
      );
      expectMalformed(res, /not valid UTF-8/);
      expect(accountNamed('Caf\uFFFD Latin-1')).toBe(false);
    });

    it('refuses a truncated UTF-8 sequence and an overlong encoding', async () => {
      for (const bytes of [
        [0xe2, 0x82],
        [0xc0, 0xaf],
      ]) {
        const [head, tail] = create('x@y').split('@') as [string, string];
        const res = await postBytes(
          Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]),
          'Create',
        );
        expectMalformed(res, /not valid UTF-8/);
      }
    });

    it('still reads valid multi-byte UTF-8 and a leading byte-order mark', async () => {
      const body = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(create('Café Ünïcode ☕ 𝄞'), 'utf8'),
      ]);
      const res = await postBytes(body, 'Create');
      expect(res.status, res.body).toBe(200);
      expect(accountNamed('Café Ünïcode ☕ 𝄞')).toBe(true);
    });

    it('refuses a named HTML entity (&nbsp;) as malformed, with or without a numeric reference elsewhere', async () => {
      const alone = await h.post(CRM, create('Fourth&nbsp;Coffee'), crmAction('Create'));
      expectMalformed(alone, /'&amp;nbsp;' is not one of XML's predefined entities/);
      const withNumeric = await h.post(CRM, create('Fourth&nbsp;Coffee &#x41;'), crmAction('Create'));
      expectMalformed(withNumeric, /'&amp;nbsp;' is not one of XML's predefined entities/);
      expect(accountNamed('Fourth\u00A0Coffee A')).toBe(false);
    });

    it("decodes XML's five entities and character references", async () => {
      const res = await h.post(
        CRM,
        create('&lt;A&amp;B&gt; &quot;q&quot; &apos;s&apos; &#65;&#x42;'),
        crmAction('Create'),
      );
      expect(res.status, res.body).toBe(200);
      expect(accountNamed(`<A&B> "q" 's' AB`)).toBe(true);
    });

    it('refuses a bare ampersand and a character reference to a non-XML character', async () => {
      expectMalformed(await h.post(CRM, create('A & B'), crmAction('Create')), /not well-formed/);
      expectMalformed(await h.post(CRM, create('A&#0;B'), crmAction('Create')), /character reference/);
    });
  });

  describe('DTDs are found by structure', () => {
    it('accepts <!DOCTYPE inside CDATA as text', async () => {
      const res = await h.post(
        CRM,
        create('<![CDATA[<!DOCTYPE x [<!ENTITY y "z">]>]]>'),
        crmAction('Create'),
      );
      expect(res.status, res.body).toBe(200);
      expect(accountNamed('<!DOCTYPE x [<!ENTITY y "z">]>')).toBe(true);
    });

    it('accepts <!DOCTYPE inside a comment', async () => {
      const xml = create('Commented').replace(
        '<soap:Body>',
        '<soap:Body><!-- <!DOCTYPE x [<!ENTITY y "z">]> -->',
      );
      const res = await h.post(CRM, xml, crmAction('Create'));
      expect(res.status, res.body).toBe(200);
      expect(accountNamed('Commented')).toBe(true);
    });

    it('refuses a real DOCTYPE before expanding anything, also after a comment', async () => {
      const xml = create('&y;').replace(
        /^<\?xml[^>]*\?>/,
        '<?xml version="1.0"?><!-- hi --><!DOCTYPE soap:Envelope [<!ENTITY y "expanded">]>',
      );
      const res = await h.post(CRM, xml, crmAction('Create'));
      expect(res.status).toBe(500);
      expect(res.body).toContain('soap:Client');
      expect(res.body).toMatch(/DTD/);
      expect(res.body).not.toContain('expanded');
      expect(accountNamed('expanded')).toBe(false);
    });
  });

  describe('the SOAP envelope', () => {
    const whoami = (): string => crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY);

    it('refuses a SOAP 1.1 Envelope that holds a SOAP 1.2 Body', async () => {
      const xml = whoami()
        .replace('<soap:Body>', `<s12:Body xmlns:s12="${SOAP12}">`)
        .replace('</soap:Body>', '</s12:Body>');
      const res = await h.post(CRM, xml, crmAction('Execute'));
      expect(res.status).toBe(500);
      expect(res.body).toContain('<faultcode>soap:Client</faultcode>');
      expect(res.body).toContain(`The Body is in namespace '${SOAP12}'`);
    });

    it('refuses a SOAP 1.2 Envelope that holds a SOAP 1.1 Body or Header', async () => {
      const as12 = whoami().replace(`xmlns:soap="${SOAP11}"`, `xmlns:soap="${SOAP12}"`);
      const headers = { 'content-type': `application/soap+xml; charset=utf-8; action="${WS}/Execute"` };
      expect((await h.post(CRM, as12, headers)).status).toBe(200);
      const body11 = as12
        .replace('<soap:Body>', `<s11:Body xmlns:s11="${SOAP11}">`)
        .replace('</soap:Body>', '</s11:Body>');
      const res = await h.post(CRM, body11, headers);
      expect(res.status).toBe(500);
      expect(res.body).toContain('<soap:Value>soap:Sender</soap:Value>');
      expect(res.body).toContain(`The Body is in namespace '${SOAP11}'`);
      const header11 = as12
        .replace('<soap:Header>', `<s11:Header xmlns:s11="${SOAP11}">`)
        .replace('</soap:Header>', '</s11:Header>');
      expect((await h.post(CRM, header11, headers)).body).toContain(`The Header is in namespace '${SOAP11}'`);
    });

    it('refuses a Header that comes after the Body', async () => {
      const xml = whoami();
      const header = /<soap:Header>[\s\S]*<\/soap:Header>/.exec(xml)?.[0] ?? '';
      const moved = xml.replace(header, '').replace('</soap:Body>', `</soap:Body>${header}`);
      const res = await h.post(CRM, moved, crmAction('Execute'));
      expect(res.status).toBe(500);
      expect(res.body).toContain('<faultcode>soap:Client</faultcode>');
      expect(res.body).toContain('The SOAP Header must come before the Body');
    });

    it('accepts the same envelope under any prefix and with the envelope namespace as default', async () => {
      const prefixed = whoami()
        .replace(/<(\/?)soap:/g, '<$1SOAP-ENV:')
        .replace('xmlns:soap=', 'xmlns:SOAP-ENV=');
      const res = await h.post(CRM, prefixed, crmAction('Execute'));
      expect(res.status, res.body).toBe(200);
      // The envelope namespace as the default: the token then declares its own default namespace.
      const defaulted = whoami()
        .replace(/<(\/?)soap:/g, '<$1')
        .replace('xmlns:soap=', 'xmlns=');
      const res2 = await h.post(CRM, defaulted, crmAction('Execute'));
      expect(res2.status, res2.body).toBe(200);
      expect(textAt(parseReply(res2.body), 'Envelope/Body/ExecuteResponse/Response/UserId')).toMatch(
        /^[0-9a-f-]{36}$/,
      );
      expect(faultCode(res2.body)).toBeUndefined();
    });
  });
});
