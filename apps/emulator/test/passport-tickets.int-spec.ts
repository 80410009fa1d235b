import { readFile } from 'node:fs/promises';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './emulator-harness';
import {
  crmAction,
  crmXml,
  DISCOVERY_ACTION,
  discoveryXml,
  faultCode,
  listAt,
  parseReply,
  rstXml,
  textAt,
  WHOAMI_BODY,
} from './soap-client';

const DISCOVERY = '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
const SOAP12 = { 'content-type': 'application/soap+xml; charset=utf-8' };
const TOKEN = 'Envelope/Body/RequestSecurityTokenResponse/RequestedSecurityToken/BinarySecurityToken';

describe('Passport tickets', () => {
  let h: Harness;
  let demo: Agent;
  beforeAll(async () => {
    h = await startHarness({ partnerDomains: ['crm.dynamics.com', 'crm4.dynamics.com'] });
    demo = h.clientWith({
      certPem: await readFile(h.emu.demo.certPath, 'utf8'),
      keyPem: await readFile(h.emu.demo.keyPath, 'utf8'),
      chainPem: await readFile(h.emu.demo.chainPath, 'utf8'),
    });
  });
  afterAll(async () => {
    await h.close();
  });

  async function issue(xml = rstXml()): Promise<string> {
    const res = await h.post('/RST2.srf', xml, SOAP12, demo);
    const ticket = textAt(parseReply(res.body), TOKEN);
    if (res.status !== 200 || !ticket) throw new Error(`STS refused: ${res.status} ${res.body}`);
    return ticket;
  }

  const organizations = (passport: string, headers: Record<string, string> = {}, via?: Agent) =>
    h.post(
      DISCOVERY,
      discoveryXml('RetrieveOrganizationsRequest', { PassportTicket: passport }),
      { ...DISCOVERY_ACTION, ...headers },
      via,
    );

  it('refuses at discovery a Passport ticket issued for another partner domain (AppliesTo) with 0x8004A102', async () => {
    const crm4 = await issue(rstXml({ appliesTo: 'crm4.dynamics.com' }));
    const res = await organizations(crm4);
    expect(res.status).toBe(500);
    expect(faultCode(res.body)).toBe('0x8004A102');
    expect(textAt(parseReply(res.body), 'Envelope/Body/Fault/detail/error/description')).toMatch(
      /issued for crm4\.dynamics\.com/,
    );
    const crmTicket = await h.post(
      DISCOVERY,
      discoveryXml('RetrieveCrmTicketRequest', { OrganizationName: 'contoso', PassportTicket: crm4 }),
      DISCOVERY_ACTION,
    );
    expect(faultCode(crmTicket.body)).toBe('0x8004A102');
    // The ticket for the domain this discovery service serves is accepted.
    expect((await organizations(await issue(rstXml({ appliesTo: 'crm.dynamics.com' })))).status).toBe(200);
  });

  it('scopes discovery by host: dev.crm4.dynamics.com accepts the crm4 ticket and refuses the crm one', async () => {
    const host = { host: `dev.crm4.dynamics.com:${h.emu.port}` };
    // The server certificate names localhost only; the Host header is what the emulator reads.
    const via = new Agent({
      connect: { ca: h.emu.caCertPem, servername: 'localhost', checkServerIdentity: () => undefined },
    });
    try {
      expect(
        (await organizations(await issue(rstXml({ appliesTo: 'crm4.dynamics.com' })), host, via)).status,
      ).toBe(200);
      expect(faultCode((await organizations(await issue(), host, via)).body)).toBe('0x8004A102');
    } finally {
      await via.close();
    }
  });

  it('issues Passport (t=…&p=) and CRM tickets in standard base64 with +, / and =, which travel intact through XML to discovery and CrmService', async () => {
    const res = await h.post('/RST2.srf', rstXml(), SOAP12, demo);
    // On the wire the & of the compact ticket is escaped; the text holds it.
    expect(res.body).toMatch(
      /<wsse:BinarySecurityToken Id="Compact0">t=[A-Za-z0-9+/]+={1,2}&amp;p=<\/wsse:BinarySecurityToken>/,
    );
    const passport = textAt(parseReply(res.body), TOKEN) ?? '';
    expect(passport).toMatch(/^t=[^&]*\+[^&]*&p=$/);
    expect(passport).toMatch(/^t=[^&]*\/[^&]*={1,2}&p=$/);

    const ticketReply = await h.post(
      DISCOVERY,
      // discoveryXml escapes the ticket: &amp; on the wire.
      discoveryXml('RetrieveCrmTicketRequest', { OrganizationName: 'contoso', PassportTicket: passport }),
      DISCOVERY_ACTION,
    );
    expect(ticketReply.status).toBe(200);
    const tree = parseReply(ticketReply.body);
    const crmTicket = textAt(tree, 'Envelope/Body/ExecuteResponse/Response/CrmTicket') ?? '';
    expect(crmTicket).toMatch(/^[A-Za-z0-9+/]+={1,2}$/);
    expect(crmTicket).toContain('+');
    expect(crmTicket).toContain('/');
    const url = new URL(
      textAt(tree, 'Envelope/Body/ExecuteResponse/Response/OrganizationDetail/CrmServiceUrl') ?? '',
    ).pathname;
    const whoAmI = await h.post(
      url,
      crmXml({ ticket: crmTicket, org: 'contoso' }, WHOAMI_BODY),
      crmAction('Execute'),
    );
    expect(whoAmI.status).toBe(200);
  });

  it('refuses a Passport or CRM ticket mangled by URL decoding or double escaping (0x8004A102), so a mangling path cannot pass unnoticed', async () => {
    const passport = await issue();
    const mangledPassports = [
      passport.replace(/\+/g, ' '), // form-decoded: + became a space
      passport.replace(/\+/g, '%2B').replace(/\//g, '%2F'), // URL-encoded and never decoded
      passport.replace('&', '&amp;'), // escaped twice: the text now holds "&amp;"
      passport.replace(/=+&/, '&'), // padding dropped
    ];
    for (const mangled of mangledPassports) {
      const res = await organizations(mangled);
      expect(faultCode(res.body), mangled.slice(-12)).toBe('0x8004A102');
    }
    // An unescaped & in the XML is no ticket at all, but malformed XML.
    const raw = discoveryXml('RetrieveOrganizationsRequest', { PassportTicket: 'X' }).replace(
      '>X<',
      `>${passport}<`,
    );
    expect((await h.post(DISCOVERY, raw, DISCOVERY_ACTION)).status).toBe(400);

    const reply = await h.post(
      DISCOVERY,
      discoveryXml('RetrieveCrmTicketRequest', { OrganizationName: 'contoso', PassportTicket: passport }),
      DISCOVERY_ACTION,
    );
    const crmTicket =
      textAt(parseReply(reply.body), 'Envelope/Body/ExecuteResponse/Response/CrmTicket') ?? '';
    const url = new URL(h.emu.crmServiceUrlFor('contoso')).pathname;
    for (const mangled of [
      crmTicket.replace(/\+/g, ' '),
      crmTicket.replace(/\+/g, '-').replace(/\//g, '_'),
      crmTicket.replace(/=+$/, ''),
    ]) {
      const res = await h.post(
        url,
        crmXml({ ticket: mangled, org: 'contoso' }, WHOAMI_BODY),
        crmAction('Execute'),
      );
      expect(faultCode(res.body)).toBe('0x8004A102');
    }
  });

  it('accepts the RST with wsa:To http://Passport.NET/tb as Live clients send it, and (the real check being unknown) another wsa:To or none', async () => {
    const xml = rstXml();
    expect(xml).toContain('<wsa:To s:mustUnderstand="1">http://Passport.NET/tb</wsa:To>');
    for (const variant of [
      xml,
      xml.replace('http://Passport.NET/tb', `${h.emu.stsUrl}`),
      xml.replace(/\s*<wsa:To[^>]*>[^<]*<\/wsa:To>/, ''),
    ]) {
      const res = await h.post('/RST2.srf', variant, SOAP12, demo);
      expect(res.status).toBe(200);
      expect(listAt(parseReply(res.body), TOKEN)).toHaveLength(1);
    }
  });
});
