import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/index';
import { startHarness, type Harness, type HttpResult } from './emulator-harness';
import { crmAction, crmTicket, crmXml, esc, faultCode, parseReply, textAt } from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';
const Q = 'http://schemas.microsoft.com/crm/2006/Query';

/** Entities as CRM has them: known, case-sensitive attributes (docs/protocol.md §5.3, §6.2). */
describe('entities as CRM has them', () => {
  let h: Harness;
  let ticket: string;
  beforeAll(async () => {
    h = await startHarness();
    ticket = (await crmTicket(h)).ticket;
  });
  afterAll(async () => {
    await h.close();
  });

  const crm = (op: string, body: string): Promise<HttpResult> =>
    h.post(CRM, crmXml({ ticket, org: 'contoso' }, body), crmAction(op));
  const create = (entity: string, attrs: string): Promise<HttpResult> =>
    crm('Create', `<Create xmlns="${WS}"><entity xsi:type="${entity}">${attrs}</entity></Create>`);
  const update = (entity: string, id: string, attrs: string): Promise<HttpResult> =>
    crm(
      'Update',
      `<Update xmlns="${WS}"><entity xsi:type="${entity}"><${entity}id>${id}</${entity}id>${attrs}</entity></Update>`,
    );
  const columnSet = (...names: string[]): string =>
    `<q1:ColumnSet xsi:type="q1:ColumnSet"><q1:Attributes>${names.map((n) => `<q1:Attribute>${n}</q1:Attribute>`).join('')}</q1:Attributes></q1:ColumnSet>`;
  const query = (inner: string, entity = 'account'): string =>
    `<RetrieveMultiple xmlns="${WS}"><query xmlns:q1="${Q}" xsi:type="q1:QueryExpression"><q1:EntityName>${entity}</q1:EntityName>${inner}</query></RetrieveMultiple>`;
  const retrieve = (entity: string, id: string, ...columns: string[]): Promise<HttpResult> =>
    crm(
      'Retrieve',
      `<Retrieve xmlns="${WS}"><entityName>${entity}</entityName><id>${id}</id><columnSet xmlns:q1="${Q}" xsi:type="q1:ColumnSet"><q1:Attributes>${columns
        .map((c) => `<q1:Attribute>${c}</q1:Attribute>`)
        .join('')}</q1:Attributes></columnSet></Retrieve>`,
    );

  function accounts() {
    return h.emu.control.records({ org: 'contoso', entity: 'account' });
  }

  function expectUnknownAttribute(res: HttpResult, entity: string, name: string): void {
    expect(res.status, res.body).toBe(500);
    expect(faultCode(res.body)).toBe('0x80040203');
    expect(res.body).toContain(`'${entity}' entity doesn't contain attribute with Name = '${name}'.`);
  }

  async function createdId(res: HttpResult): Promise<string> {
    expect(res.status, res.body).toBe(200);
    return textAt(parseReply(res.body), 'Envelope/Body/CreateResponse/CreateResult') ?? '';
  }

  describe('attributes the entity does not have', () => {
    it("refuses an unknown attribute in Create with 0x80040203 and CRM's words, creating nothing", async () => {
      const before = accounts().length;
      expectUnknownAttribute(await create('account', '<name>Foo Inc</name><foo>bar</foo>'), 'account', 'foo');
      expect(accounts().length).toBe(before);
    });

    it('refuses an unknown attribute in Update and leaves the record as it was', async () => {
      expectUnknownAttribute(
        await update('account', DEMO_IDS.fourthCoffee, '<telephone1>1</telephone1><revenu>5</revenu>'),
        'account',
        'revenu',
      );
      expect(
        accounts().find((r) => r.id === DEMO_IDS.fourthCoffee)?.attributes['telephone1'],
      ).toBeUndefined();
    });

    it('refuses an unknown attribute in a Retrieve ColumnSet and in a RetrieveMultiple ColumnSet', async () => {
      expectUnknownAttribute(
        await retrieve('account', DEMO_IDS.fourthCoffee, 'name', 'foo'),
        'account',
        'foo',
      );
      expectUnknownAttribute(
        await crm('RetrieveMultiple', query(columnSet('name', 'nickname'))),
        'account',
        'nickname',
      );
    });

    it('refuses an unknown attribute in a query condition or order', async () => {
      const condition = `<q1:ColumnSet xsi:type="q1:AllColumns" /><q1:Criteria><q1:Conditions><q1:Condition><q1:AttributeName>colour</q1:AttributeName><q1:Operator>Null</q1:Operator></q1:Condition></q1:Conditions></q1:Criteria>`;
      expectUnknownAttribute(await crm('RetrieveMultiple', query(condition)), 'account', 'colour');
      const order = `<q1:ColumnSet xsi:type="q1:AllColumns" /><q1:Orders><q1:Order><q1:AttributeName>size</q1:AttributeName><q1:OrderType>Ascending</q1:OrderType></q1:Order></q1:Orders>`;
      expectUnknownAttribute(await crm('RetrieveMultiple', query(order)), 'account', 'size');
    });

    it('refuses an attribute of another entity (fullname on an account, parentcustomerid on a lead)', async () => {
      expectUnknownAttribute(await create('account', '<fullname>Ann Lee</fullname>'), 'account', 'fullname');
      expectUnknownAttribute(
        await create(
          'lead',
          '<parentcustomerid type="account">{' + DEMO_IDS.fourthCoffee + '}</parentcustomerid>',
        ),
        'lead',
        'parentcustomerid',
      );
    });

    it('refuses an attribute element outside 2007/WebServices', async () => {
      const res = await create('account', '<name>x</name><name2 xmlns="urn:other">y</name2>');
      expectUnknownAttribute(res, 'account', '{urn:other}name2');
    });
  });

  describe('names are case-sensitive', () => {
    it('refuses Name on Create: Name is not name', async () => {
      expectUnknownAttribute(await create('account', '<Name>Capital Inc</Name>'), 'account', 'Name');
      expect(accounts().some((r) => r.attributes['name'] === 'Capital Inc')).toBe(false);
    });

    it('refuses Name in a ColumnSet and in a condition', async () => {
      expectUnknownAttribute(await retrieve('account', DEMO_IDS.fourthCoffee, 'Name'), 'account', 'Name');
      const condition = `<q1:ColumnSet xsi:type="q1:AllColumns" /><q1:Criteria><q1:Conditions><q1:Condition><q1:AttributeName>Name</q1:AttributeName><q1:Operator>NotNull</q1:Operator></q1:Condition></q1:Conditions></q1:Criteria>`;
      expectUnknownAttribute(await crm('RetrieveMultiple', query(condition)), 'account', 'Name');
    });

    it('refuses Account as an entity name (0x80040203)', async () => {
      const res = await retrieve('Account', DEMO_IDS.fourthCoffee, 'name');
      expect(faultCode(res.body)).toBe('0x80040203');
      expect(faultCode((await create('Account', '<name>x</name>')).body)).toBe('0x80040203');
    });
  });

  describe('IsNull is an explicit null', () => {
    function record(entity: string, id: string): Record<string, unknown> {
      return h.emu.control.records({ org: 'contoso', entity }).find((r) => r.id === id)?.attributes ?? {};
    }

    it('clears an attribute on Update with IsNull="1" and with IsNull="true"', async () => {
      const id = await createdId(
        await create(
          'account',
          '<name>Nulls</name><telephone1>555</telephone1><websiteurl>https://x.example/</websiteurl>',
        ),
      );
      expect((await update('account', id, '<telephone1 IsNull="1" />')).status).toBe(200);
      expect(record('account', id)['telephone1']).toBeUndefined();
      expect((await update('account', id, '<websiteurl IsNull="true"></websiteurl>')).status).toBe(200);
      expect(record('account', id)['websiteurl']).toBeUndefined();
      expect(record('account', id)['name']).toBe('Nulls');
    });

    it('clears a lookup with IsNull="1", and the cleared attribute is gone from Retrieve', async () => {
      const id = await createdId(
        await create(
          'account',
          `<name>Child</name><parentaccountid type="account">{${DEMO_IDS.fourthCoffee.toUpperCase()}}</parentaccountid>`,
        ),
      );
      expect(record('account', id)['parentaccountid']).toMatchObject({ id: DEMO_IDS.fourthCoffee });
      expect((await update('account', id, '<parentaccountid IsNull="1" />')).status).toBe(200);
      expect(record('account', id)['parentaccountid']).toBeUndefined();
      const res = await retrieve('account', id, 'name', 'parentaccountid');
      expect(res.body).not.toContain('parentaccountid>');
    });

    it('keeps the value with IsNull="0" or IsNull="false"', async () => {
      const id = await createdId(await create('account', '<name>Kept</name>'));
      expect((await update('account', id, '<telephone1 IsNull="0">111</telephone1>')).status).toBe(200);
      expect(record('account', id)['telephone1']).toBe('111');
      expect((await update('account', id, '<telephone1 IsNull="false">222</telephone1>')).status).toBe(200);
      expect(record('account', id)['telephone1']).toBe('222');
    });

    it('creates without an attribute sent with IsNull="1", even when it holds text', async () => {
      const id = await createdId(
        await create('account', '<name>Sparse</name><accountnumber IsNull="1">AN-1</accountnumber>'),
      );
      expect(record('account', id)).not.toHaveProperty('accountnumber');
    });

    it("re-derives a contact's fullname when its first name is cleared", async () => {
      const id = await createdId(
        await create('contact', '<firstname>Ann</firstname><lastname>Lee</lastname>'),
      );
      expect((await update('contact', id, '<firstname IsNull="1" />')).status).toBe(200);
      expect(record('contact', id)).toMatchObject({ lastname: 'Lee', fullname: 'Lee' });
      expect(record('contact', id)).not.toHaveProperty('firstname');
    });

    it('refuses an IsNull that is no xs:boolean', async () => {
      const res = await update('account', DEMO_IDS.fourthCoffee, '<telephone1 IsNull="yes" />');
      expect(res.status).toBe(500);
      expect(res.body).toContain('soap:Client');
      expect(res.body).toContain('is not an xs:boolean');
    });
  });

  describe('the paging cookie drives paging', () => {
    const page = (prefix: string, pageNumber: number, cookie?: string): Promise<HttpResult> =>
      crm(
        'RetrieveMultiple',
        query(
          `${columnSet('name')}<q1:Criteria><q1:Conditions><q1:Condition><q1:AttributeName>name</q1:AttributeName><q1:Operator>BeginsWith</q1:Operator><q1:Values><q1:Value xsi:type="xsd:string">${prefix}</q1:Value></q1:Values></q1:Condition></q1:Conditions></q1:Criteria>` +
            `<q1:PageInfo><q1:PageNumber>${pageNumber}</q1:PageNumber><q1:Count>2</q1:Count>${cookie === undefined ? '' : `<q1:PagingCookie>${esc(cookie)}</q1:PagingCookie>`}</q1:PageInfo>`,
        ),
      );
    const namesOf = (res: HttpResult): string[] =>
      [...res.body.matchAll(/<q1:name>([^<]*)<\/q1:name>/g)].map((m) => m[1] as string);
    const cookieOf = (res: HttpResult): string => {
      const attr = /PagingCookie="([^"]*)"/.exec(res.body)?.[1] ?? '';
      return attr
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
    };
    async function seed(prefix: string, n: number): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 1; i <= n; i++)
        ids.push(await createdId(await create('account', `<name>${prefix} ${i}</name>`)));
      return ids;
    }
    const remove = (id: string): Promise<HttpResult> =>
      crm('Delete', `<Delete xmlns="${WS}"><entityName>account</entityName><id>${id}</id></Delete>`);

    it("continues page N+1 after the cookie's last id, even when an earlier record was deleted meanwhile", async () => {
      const ids = await seed('Cookie A', 5);
      const first = await page('Cookie A', 1);
      expect(namesOf(first)).toEqual(['Cookie A 1', 'Cookie A 2']);
      expect(cookieOf(first)).toBe(
        `<cookie page="1"><accountid last="{${ids[1]?.toUpperCase()}}" first="{${ids[0]?.toUpperCase()}}" /></cookie>`,
      );
      expect((await remove(ids[0] as string)).status).toBe(200);
      // Counting pages would now skip "Cookie A 3"; the cookie continues after "Cookie A 2".
      const second = await page('Cookie A', 2, cookieOf(first));
      expect(namesOf(second)).toEqual(['Cookie A 3', 'Cookie A 4']);
      expect(second.body).toContain('MoreRecords="1"');
      const third = await page('Cookie A', 3, cookieOf(second));
      expect(namesOf(third)).toEqual(['Cookie A 5']);
      expect(third.body).toContain('MoreRecords="0"');
      expect(namesOf(await page('Cookie A', 2))).toEqual(['Cookie A 4', 'Cookie A 5']);
    });

    it("goes back to page N-1 before the cookie's first id, even when an earlier record was deleted meanwhile", async () => {
      const ids = await seed('Cookie B', 5);
      const one = await page('Cookie B', 1);
      const two = await page('Cookie B', 2, cookieOf(one));
      const three = await page('Cookie B', 3, cookieOf(two));
      expect(namesOf(three)).toEqual(['Cookie B 5']);
      expect((await remove(ids[0] as string)).status).toBe(200);
      // Counting pages would now answer "Cookie B 4" and "Cookie B 5"; the cookie ends before "Cookie B 5".
      expect(namesOf(await page('Cookie B', 2, cookieOf(three)))).toEqual(['Cookie B 3', 'Cookie B 4']);
    });

    it('refuses a garbled cookie with 0x80040203 instead of answering page 1', async () => {
      const [id] = await seed('Cookie C', 3);
      const guid = `{${(id as string).toUpperCase()}}`;
      for (const garbled of [
        'not a cookie',
        '<cookie page="1"><accountid last="nope" first="nope" /></cookie>',
        `<cookie page="1"><accountid last="${guid}" /></cookie>`,
        `<cookie page="x"><accountid last="${guid}" first="${guid}" /></cookie>`,
        `<cookie page="1"><contactid last="${guid}" first="${guid}" /></cookie>`,
        `<other page="1"><accountid last="${guid}" first="${guid}" /></other>`,
        `<cookie page="1"><accountid last="${guid}" first="${guid}" /><accountid last="${guid}" first="${guid}" /></cookie>`,
        `<!DOCTYPE cookie [<!ENTITY g "${guid}">]><cookie page="1"><accountid last="&g;" first="&g;" /></cookie>`,
      ]) {
        const res = await page('Cookie C', 2, garbled);
        expect(res.status, garbled).toBe(500);
        expect(faultCode(res.body), garbled).toBe('0x80040203');
        expect(res.body, garbled).toContain('The paging cookie is not valid');
      }
    });

    it('takes an empty cookie as no cookie', async () => {
      await seed('Cookie D', 3);
      expect(namesOf(await page('Cookie D', 2, ''))).toEqual(['Cookie D 3']);
    });
  });

  describe('the attributes the emulator knows', () => {
    it('accepts the real CRM attributes clients send: description and the address1 fields', async () => {
      const id = await createdId(
        await create(
          'account',
          '<name>Woodgrove</name><description>Bank &amp; trust</description><address1_line1>1 Main St</address1_line1><address1_city>Redmond</address1_city><address1_stateorprovince>WA</address1_stateorprovince><address1_postalcode>98052</address1_postalcode><address1_country>USA</address1_country><emailaddress1>info@woodgrove.example</emailaddress1><telephone2>555</telephone2><fax>556</fax>',
        ),
      );
      const a = accounts().find((r) => r.id === id)?.attributes ?? {};
      expect(a['description']).toBe('Bank & trust');
      expect(a['address1_city']).toBe('Redmond');
      const contact = await create(
        'contact',
        '<firstname>Ann</firstname><lastname>Lee</lastname><jobtitle>CFO</jobtitle><mobilephone>1</mobilephone><address1_city>Oslo</address1_city>',
      );
      expect(contact.status, contact.body).toBe(200);
      const lead = await create(
        'lead',
        '<subject>Coffee</subject><lastname>Ray</lastname><emailaddress1>r@example.com</emailaddress1><description>d</description>',
      );
      expect(lead.status, lead.body).toBe(200);
    });

    it("the WSDL declares each entity's attributes from the same metadata the service checks", async () => {
      const wsdl = (await h.get(`${CRM}?WSDL`)).body;
      const declared = (type: string): string[] => {
        const block =
          new RegExp(`<s:complexType name="${type}">([\\s\\S]*?)</s:complexType>`).exec(wsdl)?.[1] ?? '';
        return [...block.matchAll(/<s:element [^>]*name="([^"]+)" type="([^"]+)"/g)].map(
          (m) => `${m[1]}:${m[2]}`,
        );
      };
      const account = declared('account');
      expect(account).toEqual(
        expect.arrayContaining([
          'accountid:ws6:Key',
          'name:s:string',
          'description:s:string',
          'address1_city:s:string',
          'parentaccountid:ws6:Lookup',
          'ownerid:ws6:Owner',
          'createdby:ws6:Lookup',
        ]),
      );
      expect(declared('opportunity')).toEqual(
        expect.arrayContaining(['opportunityid:ws6:Key', 'customerid:ws6:Customer']),
      );
      expect(declared('businessunit')).toEqual(
        expect.arrayContaining(['businessunitid:ws6:Key', 'name:s:string']),
      );
      // Every string attribute the WSDL declares for account is accepted by Create, and nothing else.
      const strings = account.filter((a) => a.endsWith(':s:string')).map((a) => a.split(':')[0] as string);
      expect(strings.length).toBeGreaterThan(10);
      const res = await create('account', strings.map((n) => `<${n}>v ${n}</${n}>`).join(''));
      expect(res.status, res.body).toBe(200);
      expectUnknownAttribute(
        await create('account', '<name>x</name><nickname>y</nickname>'),
        'account',
        'nickname',
      );
    });

    it('accepts the stamps and ownerid in a ColumnSet, as the API reconciliation asks for them', async () => {
      const res = await retrieve(
        'account',
        DEMO_IDS.fourthCoffee,
        'createdby',
        'createdonbehalfby',
        'modifiedby',
        'modifiedonbehalfby',
        'ownerid',
        'createdon',
        'modifiedon',
      );
      expect(res.status, res.body).toBe(200);
      const user = await retrieve(
        'systemuser',
        DEMO_IDS.jonWilson,
        'fullname',
        'domainname',
        'isdisabled',
        'windowsliveid',
        'businessunitid',
      );
      expect(user.status, user.body).toBe(200);
    });
  });
});
