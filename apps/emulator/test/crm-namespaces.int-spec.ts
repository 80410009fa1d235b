import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/index';
import { startHarness, type Harness, type HttpResult } from './emulator-harness';
import { crmAction, crmTicket, crmXml, esc, faultCode, parseReply, textAt, WHOAMI_BODY } from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';
const CT = 'http://schemas.microsoft.com/crm/2007/CoreTypes';
const WS6 = 'http://schemas.microsoft.com/crm/2006/WebServices';
const CT6 = 'http://schemas.microsoft.com/crm/2006/CoreTypes';
const Q = 'http://schemas.microsoft.com/crm/2006/Query';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * CrmService checks namespaces as ASMX and XmlSerializer do (docs/protocol.md §2.3, §5.1, §5.2):
 * wrappers and parameters in 2007/WebServices, token fields in 2007/CoreTypes, query parts in
 * 2006/Query, xsi:type values resolved as QNames where they are written; a single-valued element
 * once. Every legitimate spelling of the same request is still accepted.
 */
describe('CrmService checks namespaces as ASMX does', () => {
  let h: Harness;
  let ticket: string;
  beforeAll(async () => {
    h = await startHarness();
    ticket = (await crmTicket(h)).ticket;
  });
  afterAll(async () => {
    await h.close();
  });

  const token = (): { ticket: string; org: string } => ({ ticket, org: 'contoso' });
  const post = (xml: string, op?: string): Promise<HttpResult> => h.post(CRM, xml, op ? crmAction(op) : {});

  function expectClientFault(res: HttpResult, says: RegExp): void {
    expect(res.status, res.body).toBe(500);
    expect(res.body).toContain('<faultcode>soap:Client</faultcode>');
    expect(res.body).toMatch(says);
  }

  function expectNoToken(res: HttpResult): void {
    expect(res.status, res.body).toBe(500);
    expect(faultCode(res.body)).toBe('0x8004A102');
    expect(res.body).toContain('The request has no CrmAuthenticationToken header with a CrmTicket.');
  }

  const retrieveJon = `<Retrieve xmlns="${WS}"><entityName>systemuser</entityName><id>${DEMO_IDS.jonWilson}</id><columnSet xmlns:q1="${Q}" xsi:type="q1:ColumnSet"><q1:Attributes><q1:Attribute>fullname</q1:Attribute></q1:Attributes></columnSet></Retrieve>`;

  describe('the body', () => {
    it('refuses an Execute wrapper in urn:not-crm with a soap:Client fault, with or without SOAPAction', async () => {
      const body = `<Execute xmlns="urn:not-crm"><Request xsi:type="WhoAmIRequest" /></Execute>`;
      expectClientFault(
        await post(crmXml(token(), body), 'Execute'),
        /&lt;Execute xmlns='urn:not-crm'&gt; was not expected/,
      );
      expectClientFault(await post(crmXml(token(), body)), /was not expected/);
    });

    it('refuses a wrapper in the 2006 WebServices namespace', async () => {
      const body = `<Execute xmlns="${WS6}"><Request xsi:type="WhoAmIRequest" /></Execute>`;
      expectClientFault(await post(crmXml(token(), body), 'Execute'), /was not expected/);
    });

    it('refuses a request type in another namespace with a soap:Client fault naming the type', async () => {
      const body = `<Execute xmlns="${WS}"><Request xmlns:x="urn:not-crm" xsi:type="x:WhoAmIRequest" /></Execute>`;
      expectClientFault(
        await post(crmXml(token(), body), 'Execute'),
        /The specified type was not recognized: name='WhoAmIRequest', namespace='urn:not-crm'/,
      );
    });

    it('refuses an unprefixed request type when no default namespace is in scope', async () => {
      const body = `<ws:Execute xmlns:ws="${WS}"><ws:Request xsi:type="WhoAmIRequest" /></ws:Execute>`;
      expectClientFault(await post(crmXml(token(), body), 'Execute'), /name='WhoAmIRequest', namespace=''/);
    });

    it('refuses an xsi:type whose prefix is not declared', async () => {
      const body = `<Execute xmlns="${WS}"><Request xsi:type="nowhere:WhoAmIRequest" /></Execute>`;
      expectClientFault(await post(crmXml(token(), body), 'Execute'), /undeclared prefix/);
    });

    it('refuses an entity type in the 2006 namespace (no such type) and creates nothing', async () => {
      const before = h.emu.control.records({ org: 'contoso', entity: 'account' }).length;
      const body = `<Create xmlns="${WS}"><entity xmlns:w6="${WS6}" xsi:type="w6:account"><name>Wrong type</name></entity></Create>`;
      expectClientFault(
        await post(crmXml(token(), body), 'Create'),
        /name='account', namespace='http:\/\/schemas.microsoft.com\/crm\/2006\/WebServices'/,
      );
      expect(h.emu.control.records({ org: 'contoso', entity: 'account' }).length).toBe(before);
    });

    it('refuses a column set typed in another namespace', async () => {
      const body = retrieveJon
        .replace(`xmlns:q1="${Q}"`, `xmlns:q1="${Q}" xmlns:o="urn:other"`)
        .replace('xsi:type="q1:ColumnSet"', 'xsi:type="o:ColumnSet"');
      expectClientFault(
        await post(crmXml(token(), body), 'Retrieve'),
        /name='ColumnSet', namespace='urn:other'/,
      );
    });

    it('treats a parameter in another namespace as absent (0x80040203), as XmlSerializer ignores it', async () => {
      const body = retrieveJon.replace(
        '<entityName>systemuser</entityName>',
        '<entityName xmlns="urn:not-crm">systemuser</entityName>',
      );
      const res = await post(crmXml(token(), body), 'Retrieve');
      expect(res.status).toBe(500);
      expect(faultCode(res.body)).toBe('0x80040203');
    });

    it('treats a query part outside 2006/Query as absent', async () => {
      const body = `<RetrieveMultiple xmlns="${WS}"><query xmlns:q1="${Q}" xsi:type="q1:QueryExpression"><EntityName>account</EntityName><q1:ColumnSet xsi:type="q1:AllColumns" /></query></RetrieveMultiple>`;
      const res = await post(crmXml(token(), body), 'RetrieveMultiple');
      expect(faultCode(res.body)).toBe('0x80040203');
      expect(res.body).toContain('The query needs an EntityName');
    });
  });

  describe('repeated elements', () => {
    it('refuses two entityName in a Retrieve', async () => {
      const body = retrieveJon.replace(
        '<entityName>systemuser</entityName>',
        '<entityName>systemuser</entityName><entityName>account</entityName>',
      );
      expectClientFault(await post(crmXml(token(), body), 'Retrieve'), /'entityName' may appear only once/);
    });

    it('refuses two id in a Delete, and two EntityName or PageInfo in a query', async () => {
      const del = `<Delete xmlns="${WS}"><entityName>account</entityName><id>${DEMO_IDS.blueYonder}</id><id>${DEMO_IDS.fourthCoffee}</id></Delete>`;
      expectClientFault(await post(crmXml(token(), del), 'Delete'), /'id' may appear only once/);
      expect(h.emu.control.records({ org: 'contoso', entity: 'account' }).map((r) => r.id)).toContain(
        DEMO_IDS.blueYonder,
      );
      const query = (extra: string) =>
        `<RetrieveMultiple xmlns="${WS}"><query xmlns:q1="${Q}" xsi:type="q1:QueryExpression"><q1:EntityName>account</q1:EntityName><q1:ColumnSet xsi:type="q1:AllColumns" />${extra}</query></RetrieveMultiple>`;
      expectClientFault(
        await post(crmXml(token(), query('<q1:EntityName>contact</q1:EntityName>')), 'RetrieveMultiple'),
        /'EntityName' may appear only once/,
      );
      const page = '<q1:PageInfo><q1:PageNumber>1</q1:PageNumber><q1:Count>1</q1:Count></q1:PageInfo>';
      expectClientFault(
        await post(crmXml(token(), query(page + page)), 'RetrieveMultiple'),
        /'PageInfo' may appear only once/,
      );
      const count =
        '<q1:PageInfo><q1:PageNumber>1</q1:PageNumber><q1:Count>1</q1:Count><q1:Count>2</q1:Count></q1:PageInfo>';
      expectClientFault(
        await post(crmXml(token(), query(count)), 'RetrieveMultiple'),
        /'Count' may appear only once/,
      );
    });

    it('refuses two CrmTicket in the token', async () => {
      const xml = crmXml(token(), WHOAMI_BODY).replace(/(<CrmTicket[^>]*>[^<]*<\/CrmTicket>)/, '$1$1');
      expectClientFault(await post(xml, 'Execute'), /'CrmTicket' may appear only once/);
    });

    it('refuses a second CrmAuthenticationToken', async () => {
      const xml = crmXml(token(), WHOAMI_BODY);
      const tok = /<CrmAuthenticationToken[\s\S]*<\/CrmAuthenticationToken>/.exec(xml)?.[0] ?? '';
      expectClientFault(
        await post(xml.replace(tok, tok + tok), 'Execute'),
        /'CrmAuthenticationToken' may appear only once/,
      );
    });

    it('still reads many Attribute, Condition and Value elements', async () => {
      const body = `<RetrieveMultiple xmlns="${WS}"><query xmlns:q1="${Q}" xsi:type="q1:QueryExpression"><q1:EntityName>account</q1:EntityName><q1:ColumnSet xsi:type="q1:ColumnSet"><q1:Attributes><q1:Attribute>name</q1:Attribute><q1:Attribute>accountnumber</q1:Attribute></q1:Attributes></q1:ColumnSet><q1:Criteria><q1:FilterOperator>And</q1:FilterOperator><q1:Conditions><q1:Condition><q1:AttributeName>name</q1:AttributeName><q1:Operator>In</q1:Operator><q1:Values><q1:Value xsi:type="xsd:string">Fourth Coffee</q1:Value><q1:Value xsi:type="xsd:string">Adventure Works</q1:Value></q1:Values></q1:Condition><q1:Condition><q1:AttributeName>accountnumber</q1:AttributeName><q1:Operator>NotNull</q1:Operator></q1:Condition></q1:Conditions></q1:Criteria></query></RetrieveMultiple>`;
      const res = await post(crmXml(token(), body), 'RetrieveMultiple');
      expect(res.status, res.body).toBe(200);
      expect(res.body.match(/<BusinessEntity /g)?.length).toBe(2);
    });
  });

  describe('the CrmAuthenticationToken', () => {
    it('counts a token element in 2006/WebServices as missing (0x8004A102)', async () => {
      const xml = crmXml(token(), WHOAMI_BODY).replace(
        `<CrmAuthenticationToken xmlns="${WS}">`,
        `<CrmAuthenticationToken xmlns="${WS6}">`,
      );
      expectNoToken(await post(xml, 'Execute'));
    });

    for (const field of ['AuthenticationType', 'CrmTicket', 'OrganizationName', 'CallerId']) {
      it(`counts the token as missing when ${field} is not in 2007/CoreTypes`, async () => {
        const xml = crmXml(token(), WHOAMI_BODY).replace(
          `<${field} xmlns="${CT}">`,
          `<${field} xmlns="${CT6}">`,
        );
        expect(xml).toContain(`<${field} xmlns="${CT6}">`);
        expectNoToken(await post(xml, 'Execute'));
      });
    }

    it('counts the token as missing when its fields are unqualified (inheriting the token namespace)', async () => {
      const xml = crmXml(token(), WHOAMI_BODY).replace(new RegExp(` xmlns="${CT}"`, 'g'), '');
      expectNoToken(await post(xml, 'Execute'));
    });
  });

  describe('legitimate variants', () => {
    it('accepts any prefixes, xsi under another prefix, the token fields in any order, SOAP 1.1 and 1.2', async () => {
      const variant = `<?xml version="1.0" encoding="utf-8"?>
<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="${XSI}" xmlns:w="${WS}" xmlns:c="${CT}" xmlns:qq="${Q}">
  <e:Header>
    <w:CrmAuthenticationToken e:mustUnderstand="0">
      <c:CallerId>{${DEMO_IDS.jonWilson.toUpperCase()}}</c:CallerId>
      <c:OrganizationName>contoso</c:OrganizationName>
      <c:CrmTicket>${esc(ticket)}</c:CrmTicket>
      <c:AuthenticationType>1</c:AuthenticationType>
    </w:CrmAuthenticationToken>
  </e:Header>
  <e:Body>
    <w:Retrieve>
      <w:columnSet i:type="qq:ColumnSet"><Attributes xmlns="${Q}"><Attribute>fullname</Attribute></Attributes></w:columnSet>
      <w:id>${DEMO_IDS.jonWilson}</w:id>
      <w:entityName>systemuser</w:entityName>
    </w:Retrieve>
  </e:Body>
</e:Envelope>`;
      const res = await post(variant, 'Retrieve');
      expect(res.status, res.body).toBe(200);
      expect(textAt(parseReply(res.body), 'Envelope/Body/RetrieveResponse/RetrieveResult/fullname')).toBe(
        'Jon Wilson',
      );
      const as12 = variant.replace(
        'http://schemas.xmlsoap.org/soap/envelope/',
        'http://www.w3.org/2003/05/soap-envelope',
      );
      const res12 = await h.post(CRM, as12, {
        'content-type': `application/soap+xml; charset=utf-8; action="${WS}/Retrieve"`,
      });
      expect(res12.status, res12.body).toBe(200);
    });

    it('accepts a prefixed request and entity type, and an unprefixed one under a default 2007 namespace', async () => {
      const prefixed = `<w:Execute xmlns:w="${WS}"><w:Request xsi:type="w:WhoAmIRequest" /></w:Execute>`;
      expect((await post(crmXml(token(), prefixed), 'Execute')).status).toBe(200);
      const redeclared = `<x:Execute xmlns:x="${WS}"><x:Request xmlns="${WS}" xsi:type="WhoAmIRequest" /></x:Execute>`;
      expect((await post(crmXml(token(), redeclared), 'Execute')).status).toBe(200);
      const create = `<Create xmlns="${WS}" xmlns:k="${WS}"><entity xsi:type="k:account"><k:name>Prefixed type</k:name></entity></Create>`;
      expect((await post(crmXml(token(), create), 'Create')).status).toBe(200);
    });

    it('accepts query parts under a default 2006/Query namespace and in any order', async () => {
      const body = `<RetrieveMultiple xmlns="${WS}"><query xmlns:t="${Q}" t:dummy="1" xsi:type="t:QueryExpression"><PageInfo xmlns="${Q}"><Count>1</Count><PageNumber>1</PageNumber></PageInfo><ColumnSet xmlns="${Q}" xsi:type="t:ColumnSet"><Attributes><Attribute>name</Attribute></Attributes></ColumnSet><EntityName xmlns="${Q}">account</EntityName></query></RetrieveMultiple>`;
      const res = await post(crmXml(token(), body), 'RetrieveMultiple');
      expect(res.status, res.body).toBe(200);
      expect(res.body).toContain('MoreRecords="1"');
    });
  });
});
