import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import {
  crmAction,
  crmTicket,
  crmXml,
  esc,
  faultCode,
  listAt,
  parseReply,
  textAt,
  WHOAMI_BODY,
} from './soap-client';

const CRM = '/MSCrmServices/2007/CrmService.asmx';
const WS = 'http://schemas.microsoft.com/crm/2007/WebServices';

describe('CrmService rules, as CRM Online applies them', () => {
  let h: Harness;
  let contoso: string;
  let fabrikam: string;

  beforeAll(async () => {
    h = await startHarness();
    contoso = (await crmTicket(h, 'contoso')).ticket;
    fabrikam = (await crmTicket(h, 'fabrikam')).ticket;
  });
  afterAll(async () => {
    await h.close();
  });

  async function crm(
    op: string,
    body: string,
    opts: { ticket?: string; org?: string; callerId?: string; authType?: string } = {},
  ) {
    return h.post(
      CRM,
      crmXml(
        {
          ticket: opts.ticket ?? contoso,
          org: opts.org ?? 'contoso',
          callerId: opts.callerId,
          authType: opts.authType,
        },
        body,
      ),
      crmAction(op),
    );
  }

  const createAccount = (name: string): string =>
    `<Create xmlns="${WS}"><entity xsi:type="account"><name>${esc(name)}</name></entity></Create>`;

  async function createdId(res: { status: number; body: string }): Promise<string> {
    expect(res.status, res.body).toBe(200);
    const id = textAt(parseReply(res.body), 'Envelope/Body/CreateResponse/CreateResult');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    return id ?? '';
  }

  function record(id: string, entity = 'account') {
    const found = h.emu.control.records({ org: 'contoso', entity }).find((r) => r.id === id);
    expect(found).toBeDefined();
    return found?.attributes ?? {};
  }

  describe('stamping', () => {
    it('without impersonation: the service account is createdby/modifiedby/ownerid, on-behalf fields absent', async () => {
      const id = await createdId(await crm('Create', createAccount('Plain Create')));
      const a = record(id);
      expect(a['createdby']).toEqual({
        id: DEMO_IDS.erpInContoso,
        type: 'systemuser',
        name: 'ERP_Integration',
      });
      expect(a['modifiedby']).toEqual({
        id: DEMO_IDS.erpInContoso,
        type: 'systemuser',
        name: 'ERP_Integration',
      });
      expect(a['ownerid']).toMatchObject({ id: DEMO_IDS.erpInContoso });
      expect(a['createdonbehalfby']).toBeUndefined();
      expect(a['modifiedonbehalfby']).toBeUndefined();
      expect(Date.parse(String(a['createdon']))).toBeGreaterThan(Date.now() - 60_000);
      expect(a['modifiedon']).toBe(a['createdon']);
    });

    it('with impersonation: the user is createdby/modifiedby/ownerid, the service account on behalf', async () => {
      const id = await createdId(
        await crm('Create', createAccount('On Behalf'), { callerId: DEMO_IDS.jonWilson }),
      );
      const a = record(id);
      expect(a['createdby']).toEqual({ id: DEMO_IDS.jonWilson, type: 'systemuser', name: 'Jon Wilson' });
      expect(a['modifiedby']).toEqual({ id: DEMO_IDS.jonWilson, type: 'systemuser', name: 'Jon Wilson' });
      expect(a['ownerid']).toMatchObject({ id: DEMO_IDS.jonWilson });
      expect(a['createdonbehalfby']).toEqual({
        id: DEMO_IDS.erpInContoso,
        type: 'systemuser',
        name: 'ERP_Integration',
      });
      expect(a['modifiedonbehalfby']).toEqual({
        id: DEMO_IDS.erpInContoso,
        type: 'systemuser',
        name: 'ERP_Integration',
      });
    });

    it('stamps contacts and leads the same way, deriving fullname', async () => {
      for (const entity of ['contact', 'lead']) {
        const id = await createdId(
          await crm(
            'Create',
            `<Create xmlns="${WS}"><entity xsi:type="${entity}"><firstname>Ann</firstname><lastname>Lee</lastname></entity></Create>`,
            { callerId: DEMO_IDS.jonWilson },
          ),
        );
        const a = record(id, entity);
        expect(a['fullname']).toBe('Ann Lee');
        expect(a['createdby']).toMatchObject({ id: DEMO_IDS.jonWilson });
        expect(a['createdonbehalfby']).toMatchObject({ id: DEMO_IDS.erpInContoso });
      }
    });

    it('an impersonated Update restamps modifiedby and modifiedonbehalfby; a plain one clears the on-behalf field', async () => {
      const id = await createdId(await crm('Create', createAccount('To Update')));
      const before = record(id);
      await new Promise((r) => setTimeout(r, 5));
      const update = (callerId?: string) =>
        crm(
          'Update',
          `<Update xmlns="${WS}"><entity xsi:type="account"><accountid>{${id.toUpperCase()}}</accountid><telephone1>555</telephone1></entity></Update>`,
          {
            callerId,
          },
        );
      expect((await update(DEMO_IDS.jonWilson)).status).toBe(200);
      const after = record(id);
      expect(after['telephone1']).toBe('555');
      expect(after['createdby']).toEqual(before['createdby']);
      expect(after['createdonbehalfby']).toBeUndefined();
      expect(after['modifiedby']).toMatchObject({ id: DEMO_IDS.jonWilson });
      expect(after['modifiedonbehalfby']).toMatchObject({ id: DEMO_IDS.erpInContoso });
      expect(Date.parse(String(after['modifiedon']))).toBeGreaterThan(
        Date.parse(String(before['modifiedon'])),
      );
      expect((await update()).status).toBe(200);
      const plain = record(id);
      expect(plain['modifiedby']).toMatchObject({ id: DEMO_IDS.erpInContoso });
      expect(plain['modifiedonbehalfby']).toBeUndefined();
    });

    it('ignores stamps sent by the client and honours an explicit ownerid', async () => {
      const id = await createdId(
        await crm(
          'Create',
          `<Create xmlns="${WS}"><entity xsi:type="account"><name>Owned</name><createdby type="systemuser">{${DEMO_IDS.frankMiller}}</createdby><ownerid type="systemuser">${DEMO_IDS.readOnlyUser}</ownerid></entity></Create>`,
        ),
      );
      const a = record(id);
      expect(a['createdby']).toMatchObject({ id: DEMO_IDS.erpInContoso });
      expect(a['ownerid']).toMatchObject({ id: DEMO_IDS.readOnlyUser, type: 'systemuser' });
    });

    it('writes lookups as {GUID} upper case with type and name on Retrieve', async () => {
      const id = await createdId(
        await crm('Create', createAccount('Read Back'), { callerId: DEMO_IDS.jonWilson }),
      );
      const res = await crm(
        'Retrieve',
        `<Retrieve xmlns="${WS}"><entityName>account</entityName><id>${id}</id><columnSet xmlns:q1="http://schemas.microsoft.com/crm/2006/Query" xsi:type="q1:AllColumns" /></Retrieve>`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toContain(`<RetrieveResult xsi:type="q1:account" xmlns:q1="${WS}">`);
      expect(res.body).toContain(`<q1:accountid>{${id.toUpperCase()}}</q1:accountid>`);
      expect(res.body).toContain(
        `<q1:createdby type="systemuser" name="Jon Wilson" dsc="0">{${DEMO_IDS.jonWilson.toUpperCase()}}</q1:createdby>`,
      );
      expect(res.body).toMatch(
        /<q1:createdon date="\d+\/\d+\/\d{4}" time="\d+:\d\d [AP]M">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-08:00<\/q1:createdon>/,
      );
    });
  });

  describe('impersonation checks', () => {
    it('WhoAmI under impersonation answers the service account, UserId first as the proxy class orders it', async () => {
      const res = await crm('Execute', WHOAMI_BODY, { callerId: DEMO_IDS.jonWilson });
      expect(res.status).toBe(200);
      expect(textAt(parseReply(res.body), 'Envelope/Body/ExecuteResponse/Response/UserId')).toBe(
        DEMO_IDS.erpInContoso,
      );
      const order = ['UserId', 'BusinessUnitId', 'OrganizationId'].map((n) => res.body.indexOf(`<${n}>`));
      expect(order.every((i) => i > 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    });

    it('an impersonated Retrieve of the user acted for reads their own row as them', async () => {
      const res = await crm(
        'Retrieve',
        `<Retrieve xmlns="${WS}"><entityName>systemuser</entityName><id>${DEMO_IDS.jonWilson}</id><columnSet xmlns:q1="http://schemas.microsoft.com/crm/2006/Query" xsi:type="q1:ColumnSet"><q1:Attributes><q1:Attribute>fullname</q1:Attribute></q1:Attributes></columnSet></Retrieve>`,
        { callerId: DEMO_IDS.jonWilson },
      );
      expect(res.status).toBe(200);
      expect(res.body).toContain('<q1:fullname>Jon Wilson</q1:fullname>');
    });

    it('refuses impersonation without the proxy role with 0x80040220 naming the privilege', async () => {
      const res = await crm('Execute', WHOAMI_BODY, {
        ticket: fabrikam,
        org: 'fabrikam',
        callerId: DEMO_IDS.frankMiller,
      });
      expect(res.status).toBe(500);
      expect(faultCode(res.body)).toBe('0x80040220');
      expect(res.body).toContain('prvActOnBehalfOfAnotherUser');
      const plain = await crm('Execute', WHOAMI_BODY, { ticket: fabrikam, org: 'fabrikam' });
      expect(plain.status).toBe(200);
    });

    it('refuses a CallerId that is no user of the org with 0x80040217', async () => {
      const res = await crm('Execute', WHOAMI_BODY, { callerId: DEMO_IDS.frankMiller });
      expect(faultCode(res.body)).toBe('0x80040217');
      const unknown = await crm('Execute', WHOAMI_BODY, { callerId: '11111111-2222-4333-8444-555555555555' });
      expect(faultCode(unknown.body)).toBe('0x80040217');
    });

    it('refuses acting for a disabled user with 0x80040225', async () => {
      const res = await crm('Execute', WHOAMI_BODY, { callerId: DEMO_IDS.disabledUser });
      expect(faultCode(res.body)).toBe('0x80040225');
    });

    it('refuses a Create for a user without the right with 0x80040231', async () => {
      for (const user of [DEMO_IDS.readOnlyUser, DEMO_IDS.noCreateAccountUser]) {
        const res = await crm('Create', createAccount('Denied'), { callerId: user });
        expect(res.status).toBe(500);
        expect(faultCode(res.body)).toBe('0x80040231');
        expect(res.body).toContain('prvCreateAccount');
      }
      // Noah may still create contacts; Rita may still read.
      const contact = await crm(
        'Create',
        `<Create xmlns="${WS}"><entity xsi:type="contact"><lastname>Ok</lastname></entity></Create>`,
        {
          callerId: DEMO_IDS.noCreateAccountUser,
        },
      );
      expect(contact.status).toBe(200);
      const read = await crm(
        'Retrieve',
        `<Retrieve xmlns="${WS}"><entityName>account</entityName><id>${DEMO_IDS.fourthCoffee}</id><columnSet xmlns:q1="http://schemas.microsoft.com/crm/2006/Query" xsi:type="q1:ColumnSet"><q1:Attributes><q1:Attribute>name</q1:Attribute></q1:Attributes></columnSet></Retrieve>`,
        { callerId: DEMO_IDS.readOnlyUser },
      );
      expect(textAt(parseReply(read.body), 'Envelope/Body/RetrieveResponse/RetrieveResult/name')).toBe(
        'Fourth Coffee',
      );
    });

    it('refuses when the service account itself lacks the right with 0x80040220', async () => {
      h.emu.control.updateUser(DEMO_IDS.erpInContoso, { rights: { account: ['read'], '*': ['read'] } });
      try {
        const res = await crm('Create', createAccount('Denied'), { callerId: DEMO_IDS.jonWilson });
        expect(faultCode(res.body)).toBe('0x80040220');
        expect(res.body).toContain('prvCreateAccount');
      } finally {
        h.emu.control.updateUser(DEMO_IDS.erpInContoso, {
          rights: {
            account: ['read', 'create', 'write', 'delete'],
            contact: ['read', 'create', 'write', 'delete'],
            lead: ['read', 'create', 'write', 'delete'],
            '*': ['read'],
          },
        });
      }
    });

    it('treats an all-zero or absent CallerId as no impersonation', async () => {
      const zero = await crm('Execute', WHOAMI_BODY, { callerId: '00000000-0000-0000-0000-000000000000' });
      expect(textAt(parseReply(zero.body), 'Envelope/Body/ExecuteResponse/Response/UserId')).toBe(
        DEMO_IDS.erpInContoso,
      );
      const absent = await h.post(
        CRM,
        crmXml({ ticket: contoso, org: 'contoso' }, WHOAMI_BODY).replace(
          /<CallerId[^>]*>[^<]*<\/CallerId>/,
          '',
        ),
        crmAction('Execute'),
      );
      expect(textAt(parseReply(absent.body), 'Envelope/Body/ExecuteResponse/Response/UserId')).toBe(
        DEMO_IDS.erpInContoso,
      );
    });
  });

  describe('tickets', () => {
    it('refuses AuthenticationType other than 1, a garbled ticket and a forged one with 0x8004A102', async () => {
      expect(faultCode((await crm('Execute', WHOAMI_BODY, { authType: '0' })).body)).toBe('0x8004A102');
      expect(faultCode((await crm('Execute', WHOAMI_BODY, { ticket: 'garbage!!' })).body)).toBe('0x8004A102');
      const raw = Buffer.from(contoso, 'base64');
      const forged = Buffer.from(raw.toString('utf8').replace('"contoso"', '"contosx"'), 'utf8');
      expect(faultCode((await crm('Execute', WHOAMI_BODY, { ticket: forged.toString('base64') })).body)).toBe(
        '0x8004A102',
      );
      expect(faultCode((await crm('Execute', WHOAMI_BODY, { ticket: fabrikam })).body)).toBe('0x8004A102');
    });

    it('expires a ticket at its ExpirationDate with 0x8004A101', async () => {
      h.emu.control.setLifetimes({ crmTicketSec: 1 });
      try {
        const { ticket, expirationDate } = await crmTicket(h);
        expect(Date.parse(expirationDate) - Date.now()).toBeLessThanOrEqual(1000);
        const now = await crm('Execute', WHOAMI_BODY, { ticket });
        if (Date.now() < Date.parse(expirationDate)) expect(now.status).toBe(200);
        await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expirationDate) - Date.now()) + 50));
        const later = await crm('Execute', WHOAMI_BODY, { ticket });
        expect(later.status).toBe(500);
        expect(faultCode(later.body)).toBe('0x8004A101');
      } finally {
        h.emu.control.setLifetimes({ crmTicketSec: 8 * 3600 });
      }
    });

    it('expires every ticket of one org on demand, and new tickets work at once', async () => {
      const { ticket: old } = await crmTicket(h);
      h.emu.control.expireTickets({ org: 'contoso' });
      expect(faultCode((await crm('Execute', WHOAMI_BODY, { ticket: old })).body)).toBe('0x8004A101');
      expect((await crm('Execute', WHOAMI_BODY, { ticket: fabrikam, org: 'fabrikam' })).status).toBe(200);
      const { ticket: fresh } = await crmTicket(h);
      expect((await crm('Execute', WHOAMI_BODY, { ticket: fresh })).status).toBe(200);
      contoso = fresh;
    });

    it('refuses calls to a disabled org with 0x8004A104, at CrmService and at discovery', async () => {
      h.emu.control.updateOrg('contoso', { enabled: false });
      try {
        expect(faultCode((await crm('Execute', WHOAMI_BODY)).body)).toBe('0x8004A104');
        await expect(crmTicket(h)).rejects.toThrow(/0x8004A104/);
      } finally {
        h.emu.control.updateOrg('contoso', { enabled: true });
      }
    });
  });

  describe('queries', () => {
    const query = (
      criteria: string,
      page = '<q1:PageInfo><q1:PageNumber>1</q1:PageNumber><q1:Count>50</q1:Count></q1:PageInfo>',
      entity = 'account',
    ) =>
      `<RetrieveMultiple xmlns="${WS}"><query xmlns:q1="http://schemas.microsoft.com/crm/2006/Query" xsi:type="q1:QueryExpression"><q1:EntityName>${entity}</q1:EntityName><q1:ColumnSet xsi:type="q1:ColumnSet"><q1:Attributes><q1:Attribute>${entity === 'systemuser' ? 'fullname' : 'name'}</q1:Attribute></q1:Attributes></q1:ColumnSet><q1:Distinct>false</q1:Distinct>${criteria}${page}</query></RetrieveMultiple>`;
    const condition = (attr: string, op: string, ...values: string[]) =>
      `<q1:Criteria><q1:FilterOperator>And</q1:FilterOperator><q1:Conditions><q1:Condition><q1:AttributeName>${attr}</q1:AttributeName><q1:Operator>${op}</q1:Operator><q1:Values>${values
        .map((v) => `<q1:Value xsi:type="xsd:string">${v}</q1:Value>`)
        .join('')}</q1:Values></q1:Condition></q1:Conditions></q1:Criteria>`;
    async function names(criteria: string, entity = 'account'): Promise<string[]> {
      const res = await crm('RetrieveMultiple', query(criteria, undefined, entity));
      expect(res.status, res.body).toBe(200);
      return listAt(
        parseReply(res.body),
        'Envelope/Body/RetrieveMultipleResponse/RetrieveMultipleResult/BusinessEntities/BusinessEntity',
      ).map((e) => textAt(e, 'name') ?? textAt(e, 'fullname') ?? '');
    }

    it('filters on strings with Equal and NotEqual (case-insensitive)', async () => {
      expect(await names(condition('name', 'Equal', 'fourth coffee'))).toEqual(['Fourth Coffee']);
      expect(await names(condition('name', 'NotEqual', 'Fourth Coffee'))).not.toContain('Fourth Coffee');
    });

    it('filters on lookups with Equal, braces or not, and with Null / NotNull', async () => {
      const byJon = await names(condition('createdby', 'Equal', `{${DEMO_IDS.jonWilson.toUpperCase()}}`));
      expect(byJon).toEqual(expect.arrayContaining(['Fourth Coffee', 'Blue Yonder Airlines']));
      expect(byJon).not.toContain('Adventure Works');
      expect(await names(condition('createdonbehalfby', 'Null'))).toContain('Adventure Works');
      expect(await names(condition('createdonbehalfby', 'NotNull'))).not.toContain('Adventure Works');
    });

    it('filters createdon with GreaterThan, LessThan, OnOrAfter, OnOrBefore', async () => {
      expect(await names(condition('createdon', 'LessThan', '2026-11-23T00:00:00Z'))).toEqual([
        'Blue Yonder Airlines',
      ]);
      expect(await names(condition('createdon', 'OnOrBefore', '2026-11-23'))).toEqual(
        expect.arrayContaining(['Fourth Coffee', 'Adventure Works', 'Blue Yonder Airlines']),
      );
      expect(await names(condition('createdon', 'OnOrAfter', '2026-11-23'))).not.toContain(
        'Blue Yonder Airlines',
      );
      const recent = await names(
        condition('createdon', 'GreaterThan', new Date(Date.now() - 3_600_000).toISOString()),
      );
      expect(recent).not.toContain('Fourth Coffee');
      expect(await names(condition('modifiedon', 'GreaterThan', '2026-11-23T14:02:10Z'))).toContain(
        'Fourth Coffee',
      );
    });

    it('pages with Count and PageNumber, reporting MoreRecords', async () => {
      const all = await names('');
      const pages: string[] = [];
      for (let page = 1; ; page++) {
        const res = await crm(
          'RetrieveMultiple',
          query(
            '',
            `<q1:PageInfo><q1:PageNumber>${page}</q1:PageNumber><q1:Count>2</q1:Count></q1:PageInfo>`,
          ),
        );
        const tree = parseReply(res.body);
        pages.push(
          ...listAt(
            tree,
            'Envelope/Body/RetrieveMultipleResponse/RetrieveMultipleResult/BusinessEntities/BusinessEntity',
          ).map((e) => textAt(e, 'name') ?? ''),
        );
        const more = res.body.includes('MoreRecords="1"');
        if (!more) break;
        expect(page).toBeLessThan(20);
      }
      expect(pages).toEqual(all);
    });

    it('retrieves systemusers with their attributes', async () => {
      const res = await crm(
        'Retrieve',
        `<Retrieve xmlns="${WS}"><entityName>systemuser</entityName><id>${DEMO_IDS.jonWilson}</id><columnSet xmlns:q1="http://schemas.microsoft.com/crm/2006/Query" xsi:type="q1:AllColumns" /></Retrieve>`,
      );
      const r = textAt.bind(null, parseReply(res.body));
      expect(r('Envelope/Body/RetrieveResponse/RetrieveResult/domainname')).toBe('JonW');
      expect(r('Envelope/Body/RetrieveResponse/RetrieveResult/windowsliveid')).toBe('jonw@contoso.example');
      expect(r('Envelope/Body/RetrieveResponse/RetrieveResult/isdisabled')).toBe('false');
      expect(res.body).toContain(
        `<q1:businessunitid type="businessunit" name="Contoso Ltd" dsc="0">{${DEMO_IDS.contosoBu.toUpperCase()}}</q1:businessunitid>`,
      );
      const disabled = await names(condition('isdisabled', 'Equal', 'true'), 'systemuser');
      expect(disabled).toEqual(['Dana Dorsey']);
    });

    it('faults on an unknown record (0x80040217) and an unknown entity (0x80040203)', async () => {
      const missing = await crm(
        'Retrieve',
        `<Retrieve xmlns="${WS}"><entityName>account</entityName><id>11111111-2222-4333-8444-555555555555</id><columnSet xmlns:q1="http://schemas.microsoft.com/crm/2006/Query" xsi:type="q1:AllColumns" /></Retrieve>`,
      );
      expect(faultCode(missing.body)).toBe('0x80040217');
      expect(faultCode((await crm('RetrieveMultiple', query('', '', 'invoice'))).body)).toBe('0x80040203');
    });
  });
});
