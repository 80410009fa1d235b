import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ENTRA, DEMO_IDS } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { demoToken } from './entra-clients';

/** A Web API reply body: a record, a collection (`value`), or `{error: {code, message}}`. */
type ODataBody = Record<string, unknown> & {
  value?: Array<Record<string, unknown>>;
  error?: { code?: string; message?: string };
};

/**
 * The emulated Dataverse Web API's update (PATCH, upsert) and collection queries ($filter, $orderby, $top,
 * $expand, $count, paging), over plain HTTP so that each header and status is seen as sent (docs/protocol.md
 * §13.5).
 */
describe('the emulated Dataverse Web API: update and collections', () => {
  let h: Harness;
  let token: string;
  let base: string;
  const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
  const send = async (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await request(path.startsWith('https:') ? path : `${base}${path}`, {
      method,
      dispatcher: h.agent,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      headers: res.headers,
      json: text ? (JSON.parse(text) as ODataBody) : undefined,
    };
  };
  const create = async (set: string, data: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const r = await send('POST', `/${set}`, data, headers);
    expect(r.status).toBe(204);
    return /\(([0-9a-f-]{36})\)$/.exec(String(r.headers['odata-entityid']))![1]!;
  };
  const names = (body: ODataBody | undefined) => body?.value?.map((r) => r['name']);

  beforeAll(async () => {
    h = await startHarness();
    base = `${h.emu.entra.environmentUrl}/api/data/v9.2`;
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', {});
    token = await demoToken(h);
  });

  describe('PATCH', () => {
    it('updates an account under CallerObjectId: 204, then modifiedby Jon, modifiedonbehalfby the app user, createdby unchanged', async () => {
      const id = await create('accounts', { name: 'Before', accountnumber: 'P-1' });
      const r = await send(
        'PATCH',
        `/accounts(${id})`,
        { name: 'After' },
        { 'if-match': '*', callerobjectid: DEMO_ENTRA.jonObjectId },
      );
      expect(r.status).toBe(204);
      expect(r.headers['odata-entityid']).toBe(`${base}/accounts(${id})`);
      const back = await send('GET', `/accounts(${id})`);
      expect(back.json).toMatchObject({
        name: 'After',
        accountnumber: 'P-1',
        _createdby_value: DEMO_IDS.dvAppUser,
        _modifiedby_value: DEMO_IDS.dvJonWilson,
        _modifiedonbehalfby_value: DEMO_IDS.dvAppUser,
      });
      expect(back.json).not.toHaveProperty('_createdonbehalfby_value');
    });

    it('clears modifiedonbehalfby when a later update is not impersonated, and a null removes a column', async () => {
      const id = await create('contacts', { firstname: 'Ann', lastname: 'Lee', jobtitle: 'Buyer' });
      await send(
        'PATCH',
        `/contacts(${id})`,
        { lastname: 'Long' },
        { callerobjectid: DEMO_ENTRA.jonObjectId },
      );
      expect((await send('PATCH', `/contacts(${id})`, { jobtitle: null })).status).toBe(204);
      const back = await send('GET', `/contacts(${id})`);
      expect(back.json).toMatchObject({ fullname: 'Ann Long', _modifiedby_value: DEMO_IDS.dvAppUser });
      expect(back.json).not.toHaveProperty('_modifiedonbehalfby_value');
      expect(back.json).not.toHaveProperty('jobtitle');
    });

    it('answers 200 with the updated record and Preference-Applied under Prefer: return=representation', async () => {
      const id = await create('leads', { subject: 'Old subject' });
      const r = await send(
        'PATCH',
        `/leads(${id})?$select=subject`,
        { subject: 'New subject' },
        { prefer: 'return=representation' },
      );
      expect(r.status).toBe(200);
      expect(r.headers['preference-applied']).toBe('return=representation');
      expect(r.json).toMatchObject({ leadid: id, subject: 'New subject' });
      expect(r.json).not.toHaveProperty('_createdby_value');
    });

    it('with If-Match: * refuses a record that does not exist with 404 0x80040217 and creates nothing', async () => {
      const id = '0a0b0c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';
      const r = await send('PATCH', `/accounts(${id})`, { name: 'Nobody' }, { 'if-match': '*' });
      expect({ status: r.status, code: r.json?.error?.code }).toEqual({ status: 404, code: '0x80040217' });
      expect((await send('GET', `/accounts(${id})`)).status).toBe(404);
    });

    it('without If-Match creates a missing record with the id of the URL (upsert), stamped as a create', async () => {
      const id = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
      const r = await send(
        'PATCH',
        `/accounts(${id})`,
        { name: 'Upserted' },
        {
          callerobjectid: DEMO_ENTRA.jonObjectId,
        },
      );
      expect(r.status).toBe(204);
      expect((await send('GET', `/accounts(${id})`)).json).toMatchObject({
        accountid: id,
        name: 'Upserted',
        _createdby_value: DEMO_IDS.dvJonWilson,
        _createdonbehalfby_value: DEMO_IDS.dvAppUser,
      });
    });

    it('with If-None-Match: * refuses to overwrite an existing record with 412', async () => {
      const id = await create('accounts', { name: 'Kept' });
      const r = await send('PATCH', `/accounts(${id})`, { name: 'Overwritten' }, { 'if-none-match': '*' });
      expect(r.status).toBe(412);
      expect((await send('GET', `/accounts(${id})`)).json?.['name']).toBe('Kept');
    });

    it('refuses an unknown column with 400 0x80060888, a read-only user acted for with 403 0x80040231, and a systemuser with 405', async () => {
      const id = await create('accounts', { name: 'Guarded' });
      const bad = await send('PATCH', `/accounts(${id})`, { nosuchcolumn: 'x' });
      expect({ status: bad.status, code: bad.json?.error?.code }).toEqual({
        status: 400,
        code: '0x80060888',
      });
      const rita = await send(
        'PATCH',
        `/accounts(${id})`,
        { name: 'x' },
        { callerobjectid: DEMO_ENTRA.ritaObjectId },
      );
      expect({ status: rita.status, code: rita.json?.error?.code }).toEqual({
        status: 403,
        code: '0x80040231',
      });
      expect((await send('PATCH', `/systemusers(${DEMO_IDS.dvJonWilson})`, { fullname: 'x' })).status).toBe(
        405,
      );
      expect((await send('GET', `/accounts(${id})`)).json?.['name']).toBe('Guarded');
    });
  });

  describe('collections', () => {
    beforeEach(async () => {
      await create('accounts', { name: 'Alpine Ski House', accountnumber: '30', telephone1: '555-0100' });
      await create('accounts', { name: 'Blue Yonder', accountnumber: '10' });
      await create(
        'accounts',
        { name: 'Coho Winery', accountnumber: '20', telephone1: '555-0199' },
        {
          callerobjectid: DEMO_ENTRA.jonObjectId,
        },
      );
    });

    it('filters with eq, ne, contains, and/or and parentheses, string values without regard to case', async () => {
      const f = async (filter: string) =>
        names((await send('GET', `/accounts?$select=name&$filter=${encodeURIComponent(filter)}`)).json);
      expect(await f("name eq 'blue yonder'")).toEqual(['Blue Yonder']);
      expect(await f("contains(name,'ho')")).toEqual(['Alpine Ski House', 'Coho Winery']);
      expect(await f("name ne 'Blue Yonder' and (accountnumber eq '10' or accountnumber eq '20')")).toEqual([
        'Coho Winery',
      ]);
      expect(await f("(name eq 'Blue Yonder' or name eq 'Coho Winery') and telephone1 ne null")).toEqual([
        'Coho Winery',
      ]);
      expect(await f('telephone1 eq null')).toEqual(['Blue Yonder']);
      expect(await f("not contains(name,'o')")).toEqual([]);
      expect(await f('accountnumber gt 15')).toEqual(['Alpine Ski House', 'Coho Winery']);
    });

    it('filters a lookup by _<name>_value with a bare GUID', async () => {
      const r = await send(
        'GET',
        `/accounts?$select=name&$filter=_createdby_value eq ${DEMO_IDS.dvJonWilson}`,
      );
      expect(names(r.json)).toEqual(['Coho Winery']);
    });

    it('orders by one or more columns, ascending or descending, and $top keeps the first N', async () => {
      const byNumber = await send('GET', '/accounts?$select=name&$orderby=accountnumber desc');
      expect(names(byNumber.json)).toEqual(['Alpine Ski House', 'Coho Winery', 'Blue Yonder']);
      await create('accounts', { name: 'Blue Yonder', accountnumber: '05' });
      const two = await send(
        'GET',
        '/accounts?$select=name,accountnumber&$orderby=name asc,accountnumber desc&$top=3',
      );
      expect(two.json?.value?.map((r) => `${String(r['name'])} ${String(r['accountnumber'])}`)).toEqual([
        'Alpine Ski House 30',
        'Blue Yonder 10',
        'Blue Yonder 05',
      ]);
    });

    it('expands createdby and createdonbehalfby with their $select, null where the lookup is empty', async () => {
      const r = await send(
        'GET',
        `/accounts?$select=name&$filter=${encodeURIComponent("name eq 'Coho Winery' or name eq 'Blue Yonder'")}&$orderby=name&$expand=createdby($select=fullname),createdonbehalfby($select=fullname)`,
      );
      expect(r.json?.value).toEqual([
        {
          accountid: expect.any(String),
          name: 'Blue Yonder',
          createdby: { systemuserid: DEMO_IDS.dvAppUser, fullname: DEMO_ENTRA.appName },
          createdonbehalfby: null,
        },
        {
          accountid: expect.any(String),
          name: 'Coho Winery',
          createdby: { systemuserid: DEMO_IDS.dvJonWilson, fullname: 'Jon Wilson' },
          createdonbehalfby: { systemuserid: DEMO_IDS.dvAppUser, fullname: DEMO_ENTRA.appName },
        },
      ]);
    });

    it('pages with Prefer: odata.maxpagesize: N records, Preference-Applied, an absolute nextLink with $skiptoken that gives the rest, and $count', async () => {
      const first = await send('GET', '/accounts?$select=name&$orderby=name&$count=true', undefined, {
        prefer: `odata.maxpagesize=2,odata.include-annotations="${FORMATTED}"`,
      });
      expect(first.headers['preference-applied']).toBe(
        `odata.include-annotations="${FORMATTED}",odata.maxpagesize=2`,
      );
      expect(first.json?.['@odata.count']).toBe(3);
      expect(names(first.json)).toEqual(['Alpine Ski House', 'Blue Yonder']);
      const next = String(first.json?.['@odata.nextLink']);
      expect(next.startsWith(`${base}/accounts?`)).toBe(true);
      expect(new URL(next).searchParams.get('$skiptoken')).toMatch(/^<cookie pagenumber="2" /);
      const second = await send('GET', next, undefined, { prefer: 'odata.maxpagesize=2' });
      expect(names(second.json)).toEqual(['Coho Winery']);
      expect(second.json).not.toHaveProperty('@odata.nextLink');
      const all = await send('GET', '/accounts?$select=name');
      expect(all.json?.value).toHaveLength(3);
      expect(all.json).not.toHaveProperty('@odata.nextLink');
      expect(all.headers['preference-applied']).toBeUndefined();
    });

    it('keeps a parameter with broken percent-encoding in the nextLink instead of failing with 500', async () => {
      const r = await send('GET', '/accounts?%E0%A4%A=1&$select=name', undefined, {
        prefer: 'odata.maxpagesize=1',
      });
      expect(r.status).toBe(200);
      expect(String(r.json?.['@odata.nextLink'])).toContain('?%E0%A4%A=1&$select=name&$skiptoken=');
    });

    it('adds the formatted-value annotations to each record of a list', async () => {
      const r = await send('GET', '/accounts?$select=name,_createdby_value&$orderby=name&$top=1', undefined, {
        prefer: `odata.include-annotations="${FORMATTED}"`,
      });
      expect(r.json?.value?.[0]).toMatchObject({
        name: 'Alpine Ski House',
        [`_createdby_value@${FORMATTED}`]: DEMO_ENTRA.appName,
      });
    });

    it('finds a systemuser by azureactivedirectoryobjectid, with fullname, isdisabled and applicationid', async () => {
      const jon = await send(
        'GET',
        `/systemusers?$select=systemuserid,fullname,isdisabled&$filter=azureactivedirectoryobjectid eq ${DEMO_ENTRA.jonObjectId.toUpperCase()}`,
      );
      expect(jon.json?.value).toEqual([
        { systemuserid: DEMO_IDS.dvJonWilson, fullname: 'Jon Wilson', isdisabled: false },
      ]);
      const app = await send(
        'GET',
        `/systemusers?$select=fullname,applicationid,azureactivedirectoryobjectid&$filter=applicationid ne null`,
      );
      expect(app.json?.value).toEqual([
        {
          systemuserid: DEMO_IDS.dvAppUser,
          fullname: DEMO_ENTRA.appName,
          applicationid: DEMO_ENTRA.clientId,
          azureactivedirectoryobjectid: DEMO_ENTRA.appObjectId,
        },
      ]);
    });

    it.each([
      ['an unknown column in $filter', "$filter=nosuch eq 'x'", 'nosuch'],
      ['an unsupported function', "$filter=substringof('x',name)", 'substringof'],
      ['a missing comparison', "$filter=name 'x'", "'x'"],
      ['an unbalanced parenthesis', "$filter=(name eq 'x'", 'end'],
      ['$skip, which Dataverse does not support', '$skip=2', '$skip'],
      ['an unknown $orderby column', '$orderby=nosuch desc', 'nosuch'],
      ['a $top that is not a number', '$top=two', 'two'],
      ['an $expand of a column that is no lookup', '$expand=name', 'name'],
      ['an option inside $expand other than $select', '$expand=createdby($top=1)', '$top=1'],
      ['a $skiptoken it did not issue', '$skiptoken=abc', 'abc'],
    ])('refuses %s with 400 0x80060888 naming it', async (_what, query, named) => {
      const r = await send('GET', `/accounts?${query.replace(/ /g, '%20')}`);
      expect({ status: r.status, code: r.json?.error?.code }).toEqual({ status: 400, code: '0x80060888' });
      expect(r.json?.error?.message).toContain(named);
    });
  });
});
