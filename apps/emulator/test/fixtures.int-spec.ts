import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/index';
import { CORPORA, fixture as readFixture, startHarness, type Harness } from './emulator-harness';
import { crmTicket, esc, parseReply, passportTicket, textAt } from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';
const DISCOVERY = '/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

/** The structure of a parsed message: element and attribute names, with every value replaced. */
function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(
      Object.keys(node)
        .sort()
        .map((k) => [k, shape((node as Record<string, unknown>)[k])]),
    );
  }
  return '·';
}

function shapeOf(xml: string): unknown {
  return shape(parseReply(xml));
}

/** Rewrites a SOAP 1.1 request as SOAP 1.2. */
function toSoap12(xml: string): string {
  return xml.replace(`xmlns:soap="${SOAP11}"`, `xmlns:soap="${SOAP12}"`);
}

/** Renames the envelope prefix, as other clients write it. */
function reprefix(xml: string, prefix: string): string {
  return xml.replace(/<(\/?)soap:/g, `<$1${prefix}:`).replace('xmlns:soap=', `xmlns:${prefix}=`);
}

function withCrmTicket(xml: string, ticket: string): string {
  return xml.replace(/(<CrmTicket[^>]*>)[^<]*(<\/CrmTicket>)/, `$1${esc(ticket)}$2`);
}

function withPassport(xml: string, ticket: string): string {
  return xml.replace(/(<PassportTicket>)[^<]*(<\/PassportTicket>)/, `$1${esc(ticket)}$2`);
}

function headers(version: '1.1' | '1.2', action: string): Record<string, string> {
  return version === '1.1'
    ? { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }
    : { 'content-type': `application/soap+xml; charset=utf-8; action="${action}"` };
}

function envelopeNs(xml: string): string | undefined {
  return /<(?:\w+:)?Envelope[^>]*xmlns:(?:\w+)="(http:\/\/[^"]*soap[^"]*envelope\/?)"/.exec(xml)?.[1];
}

const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';

/**
 * A WhoAmIResponse with its three children in the proxy class's order (UserId, BusinessUnitId,
 * OrganizationId), the order the emulator writes; a corpus may list them in another order, which
 * ASMX reads alike. Anything else is left byte for byte.
 */
function inProxyOrder(xml: string): string {
  return xml.replace(
    /(<Response xsi:type="WhoAmIResponse">)((?:\s*<(\w+)>[^<]*<\/\3>){3})(\s*)/,
    (_m, open: string, children: string, _n, tail: string) => {
      const lines = [...children.matchAll(/(\s*)<(\w+)>([^<]*)<\/\2>/g)];
      const order = ['UserId', 'BusinessUnitId', 'OrganizationId'];
      const sorted = [...lines].sort((a, b) => order.indexOf(a[2] as string) - order.indexOf(b[2] as string));
      return open + sorted.map((l, i) => `${lines[i]?.[1] ?? ''}<${l[2]}>${l[3]}</${l[2]}>`).join('') + tail;
    },
  );
}
const CDS_ACTION = 'http://schemas.microsoft.com/crm/2007/CrmDiscoveryService/Execute';

describe.each(CORPORA)('$label: fixture requests get replies shaped like the fixture replies', ({ dir }) => {
  /** The corpus under test: the project's fixtures/, or an external corpus of the same layout. */
  const fixture = (name: string): Promise<string> => readFixture(name, dir);
  let h: Harness;
  let passport: string;
  let ticket: string;
  beforeAll(async () => {
    h = await startHarness();
    passport = await passportTicket(h);
    ticket = (await crmTicket(h)).ticket;
  });
  afterAll(async () => {
    await h.close();
  });

  const discoveryCases = [
    'retrieve-policy',
    'retrieve-organizations',
    'retrieve-crm-ticket',
    'retrieve-crm-user-id-by-external-id',
  ];
  for (const name of discoveryCases) {
    for (const version of ['1.1', '1.2'] as const) {
      it(`discovery/${name} over SOAP ${version}`, async () => {
        let xml = withPassport(await fixture(`discovery/${name}-request.xml`), passport);
        // The fixture's PUID is not seeded; Jon Wilson's is (and maps to the fixture's CrmUserId).
        xml = xml.replace('00037FFE8A4B21C9', '0003BFFD8F3A5B21');
        if (version === '1.2') xml = toSoap12(xml);
        const res = await h.post(DISCOVERY, xml, headers(version, CDS_ACTION));
        expect(res.status).toBe(200);
        expect(envelopeNs(res.body)).toBe(version === '1.1' ? SOAP11 : SOAP12);
        expect(String(res.headers['content-type'])).toContain(
          version === '1.1' ? 'text/xml' : 'application/soap+xml',
        );
        expect(shapeOf(res.body)).toEqual(shapeOf(await fixture(`discovery/${name}-response.xml`)));
      });
    }
  }

  it('answers RetrievePolicy byte for byte like the fixture', async () => {
    const res = await h.post(
      DISCOVERY,
      await fixture('discovery/retrieve-policy-request.xml'),
      headers('1.1', CDS_ACTION),
    );
    expect(res.body.trim()).toBe((await fixture('discovery/retrieve-policy-response.xml')).trim());
  });

  it('maps the HexPUID to the fixture user id, byte for byte', async () => {
    const xml = withPassport(
      await fixture('discovery/retrieve-crm-user-id-by-external-id-request.xml'),
      passport,
    ).replace('00037FFE8A4B21C9', '0003bffd8f3a5b21');
    const res = await h.post(DISCOVERY, xml, headers('1.1', CDS_ACTION));
    expect(res.body.trim()).toBe(
      (await fixture('discovery/retrieve-crm-user-id-by-external-id-response.xml')).trim(),
    );
  });

  it('resolves a prefixed xsi:type and refuses one bound to another namespace', async () => {
    const base = withPassport(await fixture('discovery/retrieve-organizations-request.xml'), passport);
    const prefixed = base
      .replace('xsi:type="RetrieveOrganizationsRequest"', 'xsi:type="d:RetrieveOrganizationsRequest"')
      .replace(
        '<soap:Envelope ',
        '<soap:Envelope xmlns:d="http://schemas.microsoft.com/crm/2007/CrmDiscoveryService" ',
      );
    const ok = await h.post(DISCOVERY, prefixed, headers('1.1', CDS_ACTION));
    expect(ok.status).toBe(200);
    expect(
      textAt(
        parseReply(ok.body),
        'Envelope/Body/ExecuteResponse/Response/OrganizationDetails/OrganizationDetail/OrganizationName',
      ),
    ).toBe('contoso');
    const wrong = prefixed.replace(
      'xmlns:d="http://schemas.microsoft.com/crm/2007/CrmDiscoveryService"',
      'xmlns:d="urn:other"',
    );
    const refused = await h.post(DISCOVERY, wrong, headers('1.1', CDS_ACTION));
    expect(refused.status).toBe(500);
    expect(refused.body).toContain('<faultcode>soap:Server</faultcode>');
  });

  it('accepts the discovery request under another envelope prefix and without SOAPAction', async () => {
    const xml = reprefix(await fixture('discovery/retrieve-policy-request.xml'), 'env');
    const res = await h.post(DISCOVERY, xml, { 'content-type': 'text/xml; charset=utf-8' });
    expect(res.status).toBe(200);
    expect(textAt(parseReply(res.body), 'Envelope/Body/ExecuteResponse/Response/Policy')).toBe('MBI_SSL');
  });

  it('refuses an unknown discovery request type with a fault naming it', async () => {
    const res = await h.post(
      DISCOVERY,
      await fixture('hostile/unknown-discovery-request.xml'),
      headers('1.1', CDS_ACTION),
    );
    expect(res.status).toBe(500);
    expect(res.body).toContain('RetrieveClientPatchesRequest');
    expect(res.body).toContain('<faultstring>Server was unable to process request.</faultstring>');
  });

  describe('CrmService', () => {
    const crmCases: Array<[string, string]> = [
      ['whoami', 'Execute'],
      ['retrieve-systemuser', 'Retrieve'],
      ['retrieve-multiple-accounts', 'RetrieveMultiple'],
      ['create-account', 'Create'],
    ];
    for (const [name, op] of crmCases) {
      for (const version of ['1.1', '1.2'] as const) {
        it(`crm/${name} over SOAP ${version}`, async () => {
          let xml = withCrmTicket(await fixture(`crm/${name}-request.xml`), ticket);
          if (version === '1.2') xml = toSoap12(xml);
          const res = await h.post(CRM, xml, headers(version, `${WS}/${op}`));
          expect(res.status).toBe(200);
          expect(envelopeNs(res.body)).toBe(version === '1.1' ? SOAP11 : SOAP12);
          expect(shapeOf(res.body)).toEqual(shapeOf(await fixture(`crm/${name}-response.xml`)));
        });
      }
    }

    it('answers WhoAmI, Retrieve and page 1 of RetrieveMultiple byte for byte like the fixtures', async () => {
      for (const [name, op] of crmCases.slice(0, 3)) {
        const res = await h.post(
          CRM,
          withCrmTicket(await fixture(`crm/${name}-request.xml`), ticket),
          headers('1.1', `${WS}/${op}`),
        );
        expect(inProxyOrder(res.body.trim()), name).toBe(
          inProxyOrder((await fixture(`crm/${name}-response.xml`)).trim()),
        );
      }
    });

    it('pages with the PagingCookie of the fixture (page 2)', async () => {
      const xml = withCrmTicket(await fixture('crm/retrieve-multiple-accounts-page2-request.xml'), ticket);
      const res = await h.post(CRM, xml, headers('1.1', `${WS}/RetrieveMultiple`));
      expect(res.status).toBe(200);
      const result = parseReply(res.body);
      expect(
        textAt(
          result,
          'Envelope/Body/RetrieveMultipleResponse/RetrieveMultipleResult/BusinessEntities/BusinessEntity/name',
        ),
      ).toBe('Blue Yonder Airlines');
      expect(res.body).toContain('PagingCookie="&lt;cookie page=&quot;2&quot;&gt;');
    });

    it('accepts PageCookie in place of PagingCookie', async () => {
      const xml = withCrmTicket(
        await fixture('crm/retrieve-multiple-accounts-page2-request.xml'),
        ticket,
      ).replace(/PagingCookie>/g, 'PageCookie>');
      expect(xml).toContain('<q1:PageCookie>');
      const res = await h.post(CRM, xml, headers('1.1', `${WS}/RetrieveMultiple`));
      expect(res.status).toBe(200);
      expect(
        textAt(
          parseReply(res.body),
          'Envelope/Body/RetrieveMultipleResponse/RetrieveMultipleResult/BusinessEntities/BusinessEntity/name',
        ),
      ).toBe('Blue Yonder Airlines');
    });

    for (const version of ['1.1', '1.2'] as const) {
      it(`runs the create, update and delete fixtures on one record over SOAP ${version}, replies like the fixtures`, async () => {
        const prepare = async (name: string): Promise<string> => {
          const xml = withCrmTicket(await fixture(`crm/${name}-request.xml`), ticket);
          return version === '1.2' ? toSoap12(xml) : xml;
        };
        const create = (await prepare('create-account')).replace(
          '<name>',
          '<accountid>{E7B9D2F1-3C4A-4B5D-8E6F-0A1B2C3D4E5F}</accountid><name>',
        );
        const created = await h.post(CRM, create, headers(version, `${WS}/Create`));
        expect(shapeOf(created.body)).toEqual(shapeOf(await fixture('crm/create-account-response.xml')));
        expect(textAt(parseReply(created.body), 'Envelope/Body/CreateResponse/CreateResult')).toBe(
          'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f',
        );
        for (const [name, op] of [
          ['update-account', 'Update'],
          ['delete-account', 'Delete'],
        ] as const) {
          const res = await h.post(CRM, await prepare(name), headers(version, `${WS}/${op}`));
          expect(res.status, name).toBe(200);
          if (version === '1.1')
            expect(res.body.trim(), name).toBe((await fixture(`crm/${name}-response.xml`)).trim());
          else expect(shapeOf(res.body), name).toEqual(shapeOf(await fixture(`crm/${name}-response.xml`)));
        }
        const ids = h.emu.control.records({ org: 'contoso', entity: 'account' }).map((r) => r.id);
        expect(ids).not.toContain('e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f');
      });
    }

    it('takes the operation from the body when SOAPAction is absent, and from the 1.2 action parameter', async () => {
      const xml = withCrmTicket(await fixture('crm/whoami-request.xml'), ticket);
      const bare = await h.post(CRM, xml, { 'content-type': 'text/xml; charset=utf-8' });
      // The fixture impersonates Jon Wilson; WhoAmI still answers the service account.
      expect(textAt(parseReply(bare.body), 'Envelope/Body/ExecuteResponse/Response/UserId')).toBe(
        DEMO_IDS.erpInContoso,
      );
      const mismatched = await h.post(CRM, xml, headers('1.1', `${WS}/Create`));
      expect(mismatched.status).toBe(500);
      expect(mismatched.body).toContain('soap:Client');
    });

    it('accepts CallerId and ids in braces, upper case, under other prefixes', async () => {
      const xml = reprefix(withCrmTicket(await fixture('crm/retrieve-systemuser-request.xml'), ticket), 's')
        .replace(
          '<id>c1f3a7d2-4e5b-4a69-9c8d-0b1e2f3a4b5c</id>',
          '<id>{C1F3A7D2-4E5B-4A69-9C8D-0B1E2F3A4B5C}</id>',
        )
        .replace('00000000-0000-0000-0000-000000000000', `{${DEMO_IDS.jonWilson.toUpperCase()}}`);
      const res = await h.post(CRM, xml, headers('1.1', `${WS}/Retrieve`));
      expect(res.status).toBe(200);
      expect(textAt(parseReply(res.body), 'Envelope/Body/RetrieveResponse/RetrieveResult/fullname')).toBe(
        'Jon Wilson',
      );
    });
  });

  describe('Windows Live STS', () => {
    it('answers the fixture RST with a reply shaped like the fixture RSTR', async () => {
      const client = h.clientWith({
        certPem: await readFile(h.emu.demo.certPath, 'utf8'),
        keyPem: await readFile(h.emu.demo.keyPath, 'utf8'),
        chainPem: await readFile(h.emu.demo.chainPath, 'utf8'),
      });
      const res = await h.post(
        '/RST2.srf',
        await fixture('wlid/request-security-token.xml'),
        { 'content-type': 'application/soap+xml; charset=utf-8' },
        client,
      );
      expect(res.status).toBe(200);
      expect(shapeOf(res.body)).toEqual(shapeOf(await fixture('wlid/request-security-token-response.xml')));
      // The ticket holds '&', so it must arrive escaped.
      expect(res.body).toMatch(
        /<wsse:BinarySecurityToken Id="Compact0">t=[A-Za-z0-9+/]+={1,2}&amp;p=<\/wsse:BinarySecurityToken>/,
      );
      expect(textAt(parseReply(res.body), 'Envelope/Header/pp/PUID')).toBe('0003BFFD1C2E9A77');
    });

    it('answers an unregistered certificate with a fault shaped like the fixture fault', async () => {
      const issued = await h.emu.control.issueCertificate({ commonName: 'nobody' });
      const client = h.clientWith({
        certPem: issued.certPem,
        keyPem: issued.keyPem,
        chainPem: issued.chainPem,
      });
      const res = await h.post(
        '/RST2.srf',
        await fixture('wlid/request-security-token.xml'),
        { 'content-type': 'application/soap+xml' },
        client,
      );
      expect(res.status).toBe(500);
      expect(shapeOf(res.body)).toEqual(shapeOf(await fixture('wlid/fault-certificate-not-associated.xml')));
      expect(res.body).toContain('<psf:code>0x80048862</psf:code>');
    });
  });

  it('answers an expired ticket with a fault shaped like the fixture fault', async () => {
    h.emu.control.expireTickets({ org: 'contoso' });
    const res = await h.post(
      CRM,
      withCrmTicket(await fixture('crm/whoami-request.xml'), ticket),
      headers('1.1', `${WS}/Execute`),
    );
    expect(res.status).toBe(500);
    expect(shapeOf(res.body)).toEqual(shapeOf(await fixture('crm/fault-expired-auth-ticket.xml')));
    expect(res.body.trim()).toBe((await fixture('crm/fault-expired-auth-ticket.xml')).trim());
  });
});
