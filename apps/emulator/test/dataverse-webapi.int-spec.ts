import { DynamicsWebApi } from 'dynamics-web-api';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_ENTRA, DEMO_IDS } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { demoMsalApp, demoToken } from './entra-clients';

/**
 * The emulator's Dataverse Web API subset (docs/protocol.md §13.2, §13.5), driven by two clients nobody here
 * wrote: msal-node gets the token, dynamics-web-api makes the calls, impersonating by Entra object id.
 */
describe('the emulated Dataverse Web API, through msal-node and dynamics-web-api', () => {
  let h: Harness;
  let token: string;
  let api: (config?: { impersonateAAD?: string; impersonate?: string }) => DynamicsWebApi;
  const FORMATTED = 'OData.Community.Display.V1.FormattedValue';

  beforeAll(async () => {
    h = await startHarness();
    // dynamics-web-api builds its own https.Agent from Node's CA store: give its requests the emulator's CA.
    const realRequest = https.request.bind(https);
    vi.spyOn(https, 'request').mockImplementation(((options: https.RequestOptions, cb?: () => void) =>
      realRequest({ ...options, ca: h.emu.caCertPem }, cb)) as typeof https.request);
    // Its ESM build imports https's named exports, which follow module.exports only once synced.
    syncBuiltinESMExports();
    const msal = await demoMsalApp(h);
    const result = await msal.acquireTokenByClientCredential({
      scopes: [`${h.emu.entra.environmentUrl}/.default`],
    });
    token = result!.accessToken;
    api = (config = {}) =>
      new DynamicsWebApi({
        // A trailing slash: the library resolves 'api/data/v9.2' against it (an environment's URL is a bare host).
        serverUrl: `${h.emu.entra.environmentUrl}/`,
        dataApi: { version: '9.2' },
        onTokenRefresh: () => Promise.resolve(token),
        ...config,
      });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    syncBuiltinESMExports();
    await h?.close();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', {});
    // reset forgets issued tokens as well: get a new one.
    token = await demoToken(h);
  });

  it('counts identity-platform requests by kind and Web API requests by method in /_control/counts', async () => {
    await h.control('POST', '/counts/reset');
    await demoToken(h);
    const dv = api();
    const id = String(await dv.create({ collection: 'accounts', data: { name: 'Counted' } }));
    await dv.retrieve({ collection: 'accounts', key: id, select: ['name'] });
    const { json } = await h.control<{
      entra: Record<string, number>;
      dataverse: Record<string, number>;
      total: number;
    }>('GET', '/counts');
    // msal-node reads the tenant's openid-configuration before its first token request.
    expect(json.entra).toEqual({ openid: 1, token: 1 });
    expect(json.dataverse).toEqual({ POST: 1, GET: 1 });
    expect(json.total).toBe(4);
  });

  it('creates an account on behalf of Jon Wilson (CallerObjectId) that reads back stamped: createdby Jon, createdonbehalfby the app user, with names', async () => {
    const dv = api({ impersonateAAD: DEMO_ENTRA.jonObjectId });
    const id = String(
      await dv.create({
        collection: 'accounts',
        data: { name: 'Tailspin Toys', accountnumber: 'TT-1' },
      }),
    );
    const record = await dv.retrieve<Record<string, unknown>>({
      collection: 'accounts',
      key: id,
      select: ['name', '_createdby_value', '_createdonbehalfby_value'],
      includeAnnotations: FORMATTED,
    });
    expect(record).toMatchObject({
      name: 'Tailspin Toys',
      _createdby_value: DEMO_IDS.dvJonWilson,
      [`_createdby_value@${FORMATTED}`]: 'Jon Wilson',
      _createdonbehalfby_value: DEMO_IDS.dvAppUser,
      [`_createdonbehalfby_value@${FORMATTED}`]: DEMO_ENTRA.appName,
    });
  });

  it('updates an account under impersonateAAD: it reads back with _modifiedonbehalfby_value the app user and _modifiedby_value Jon Wilson', async () => {
    const id = String(await api().create({ collection: 'accounts', data: { name: 'Before update' } }));
    await api({ impersonateAAD: DEMO_ENTRA.jonObjectId }).update({
      collection: 'accounts',
      key: id,
      data: { name: 'After update' },
    });
    const record = await api().retrieve<Record<string, unknown>>({
      collection: 'accounts',
      key: id,
      select: ['name', '_createdby_value', '_modifiedby_value', '_modifiedonbehalfby_value'],
      includeAnnotations: FORMATTED,
    });
    expect(record).toMatchObject({
      name: 'After update',
      _createdby_value: DEMO_IDS.dvAppUser,
      _modifiedby_value: DEMO_IDS.dvJonWilson,
      _modifiedonbehalfby_value: DEMO_IDS.dvAppUser,
      [`_modifiedonbehalfby_value@${FORMATTED}`]: DEMO_ENTRA.appName,
    });
  });

  it('pages retrieveMultiple with $filter, $orderby and $expand by maxPageSize, following the nextLink to the last page', async () => {
    const jon = api({ impersonateAAD: DEMO_ENTRA.jonObjectId });
    for (const name of ['Paged D', 'Paged B', 'Paged A', 'Paged C'])
      await jon.create({ collection: 'accounts', data: { name } });
    await api().create({ collection: 'accounts', data: { name: 'Paged E (not by Jon)' } });
    const request = {
      collection: 'accounts',
      select: ['name'],
      filter: `contains(name,'paged') and _createdby_value eq ${DEMO_IDS.dvJonWilson}`,
      orderBy: ['name desc'],
      expand: [{ property: 'createdonbehalfby', select: ['fullname'] }],
      maxPageSize: 3,
    };
    const first = await api().retrieveMultiple<Record<string, unknown>>(request);
    expect(first.value.map((r) => r['name'])).toEqual(['Paged D', 'Paged C', 'Paged B']);
    expect(first.value[0]!['createdonbehalfby']).toEqual({
      systemuserid: DEMO_IDS.dvAppUser,
      fullname: DEMO_ENTRA.appName,
    });
    expect(first.oDataNextLink).toMatch(/\$skiptoken=/);
    const second = await api().retrieveMultiple<Record<string, unknown>>(request, first.oDataNextLink);
    expect(second.value.map((r) => r['name'])).toEqual(['Paged A']);
    expect(second.oDataNextLink).toBeUndefined();
  });

  it('answers WhoAmI with the environment, its business unit and the user (the one acted for, under CallerObjectId)', async () => {
    expect(await api().callFunction('WhoAmI')).toMatchObject({
      UserId: DEMO_IDS.dvAppUser,
      BusinessUnitId: DEMO_IDS.contosoDvBu,
      OrganizationId: DEMO_IDS.contosoDvOrg,
    });
    expect(await api({ impersonateAAD: DEMO_ENTRA.jonObjectId }).callFunction('WhoAmI')).toMatchObject({
      UserId: DEMO_IDS.dvJonWilson,
    });
  });

  it.each([
    ['CallerObjectId naming the app user itself', { impersonateAAD: DEMO_ENTRA.appObjectId }],
    ['an Entra object id sent as MSCRMCallerID', { impersonate: DEMO_ENTRA.jonObjectId }],
  ])(
    'silently does not impersonate for %s: createdby the app user, no createdonbehalfby',
    async (_what, config) => {
      const dv = api(config);
      const id = String(await dv.create({ collection: 'accounts', data: { name: 'Silent no-op' } }));
      const record = await dv.retrieve<Record<string, unknown>>({
        collection: 'accounts',
        key: id,
      });
      expect(record['_createdby_value']).toBe(DEMO_IDS.dvAppUser);
      expect(record).not.toHaveProperty('_createdonbehalfby_value');
    },
  );

  it('impersonates by systemuserid with MSCRMCallerID', async () => {
    const dv = api({ impersonate: DEMO_IDS.dvJonWilson });
    const id = String(
      await dv.create({ collection: 'contacts', data: { firstname: 'Ann', lastname: 'Lee' } }),
    );
    const record = await dv.retrieve<Record<string, unknown>>({ collection: 'contacts', key: id });
    expect(record).toMatchObject({
      _createdby_value: DEMO_IDS.dvJonWilson,
      _createdonbehalfby_value: DEMO_IDS.dvAppUser,
    });
  });

  it('refuses a create for a read-only user acted for with 403 0x80040231, and for an app user without the Delegate role with 403 0x8004A110', async () => {
    await expect(
      api({ impersonateAAD: DEMO_ENTRA.ritaObjectId }).create({
        collection: 'accounts',
        data: { name: 'x' },
      }),
    ).rejects.toMatchObject({ status: 403, code: '0x80040231' });
    await h.control('PATCH', `/users/${DEMO_IDS.dvAppUser}`, { proxyRole: false });
    await expect(
      api({ impersonateAAD: DEMO_ENTRA.jonObjectId }).create({ collection: 'accounts', data: { name: 'x' } }),
    ).rejects.toMatchObject({ status: 403, code: '0x8004A110' });
  });

  it('answers 401 with the Bearer challenge naming the tenant and the environment for a token it did not issue', async () => {
    const res = await request(`${h.emu.entra.environmentUrl}/api/data/v9.2/WhoAmI`, {
      dispatcher: h.agent,
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer authorization_uri=${h.emu.url}/${DEMO_ENTRA.tenantId}/oauth2/authorize, resource_id=${h.emu.entra.environmentUrl}`,
    );
    expect(((await res.body.json()) as { error: { code: string } }).error.code).toMatch(/^0x[0-9A-F]{8}$/);
  });

  it('refuses an unknown column with 400 and the OData error body, and deletes a record it created', async () => {
    const dv = api();
    await expect(dv.create({ collection: 'accounts', data: { nosuchcolumn: 1 } })).rejects.toMatchObject({
      status: 400,
      code: '0x80060888',
    });
    const id = String(await dv.create({ collection: 'leads', data: { subject: 'Gone soon' } }));
    await dv.deleteRecord({ collection: 'leads', key: id });
    await expect(dv.retrieve({ collection: 'leads', key: id })).rejects.toMatchObject({
      status: 404,
      code: '0x80040217',
    });
  });
});

/** A Web API reply body: a record's columns, or `{error: {code, message}}`. */
type ODataBody = Record<string, unknown> & { error?: { code?: string; message?: string } };

describe('the emulated Dataverse Web API: hostile and edge requests', () => {
  let h: Harness;
  let token: string;
  let base: string;
  const send = async (
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    dispatcher = h.agent,
  ) => {
    const res = await request(`${base}${path}`, {
      method,
      dispatcher,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      headers: res.headers,
      json: text ? (JSON.parse(text) as ODataBody) : undefined,
    };
  };

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

  it('answers the next request on the same connection after refusing a body over the size limit', async () => {
    const { Agent } = await import('undici');
    const one = new Agent({ connect: { ca: h.emu.caCertPem }, connections: 1 });
    try {
      expect((await send('GET', '/WhoAmI', undefined, {}, one)).status).toBe(200);
      const big = await send('POST', '/accounts', { name: 'x'.repeat(1_100_000) }, {}, one);
      expect(big.status).toBe(413);
      expect((await send('GET', '/WhoAmI', undefined, {}, one)).status).toBe(200);
    } finally {
      await one.close();
    }
  });

  it('names no entity set by an inherited property name (constructor, __proto__) and answers 404, not 500', async () => {
    for (const set of ['constructor', '__proto__', 'toString']) {
      const r = await send('GET', `/${set}(${DEMO_IDS.fourthCoffee})`);
      expect({ set, status: r.status, code: r.json?.error?.code }).toEqual({
        set,
        status: 404,
        code: '0x80060888',
      });
    }
    const bind = await send('POST', '/accounts', {
      name: 'x',
      'parentaccountid@odata.bind': `/constructor(${DEMO_IDS.fourthCoffee})`,
    });
    expect(bind.status).toBe(400);
  });

  it('refuses a lookup bound to a record that does not exist with 404 0x80040217', async () => {
    const r = await send('POST', '/accounts', {
      name: 'Orphan',
      'parentaccountid@odata.bind': '/accounts(00000000-0000-4000-8000-000000000001)',
    });
    expect({ status: r.status, code: r.json?.error?.code }).toEqual({ status: 404, code: '0x80040217' });
  });

  it('refuses a $select of a column the entity does not have, and always returns the primary key', async () => {
    const created = await send('POST', '/accounts', { name: 'Selected', accountnumber: 'S-1' });
    const id = /\(([0-9a-f-]{36})\)$/.exec(String(created.headers['odata-entityid']))![1]!;
    const bad = await send('GET', `/accounts(${id})?$select=name,nosuchcolumn`);
    expect({ status: bad.status, code: bad.json?.error?.code }).toEqual({ status: 400, code: '0x80060888' });
    const ok = await send('GET', `/accounts(${id})?$select=name`);
    expect(ok.json).toMatchObject({ accountid: id, name: 'Selected' });
    expect(ok.json).not.toHaveProperty('accountnumber');
  });

  it('answers THROTTLED as service protection: 429, Retry-After and 0x80072322, then serves the next call', async () => {
    await h.control('POST', '/scenarios', {
      name: 'THROTTLED',
      endpoint: 'crm',
      params: { status: 429, retryAfterSec: 3, count: 1 },
    });
    const r = await send('GET', '/WhoAmI');
    expect({ status: r.status, retryAfter: r.headers['retry-after'], code: r.json?.error?.code }).toEqual({
      status: 429,
      retryAfter: '3',
      code: '0x80072322',
    });
    expect((await send('GET', '/WhoAmI')).status).toBe(200);
  });

  it('answers a path with broken percent-encoding with 404, not 500', async () => {
    const r = await request(`${h.emu.url}/dataverse/%E0%A4%A/api/data/v9.2/WhoAmI`, { dispatcher: h.agent });
    await r.body.text();
    expect(r.statusCode).toBe(404);
    const t = await request(`${h.emu.url}/%E0%A4%A/oauth2/v2.0/token`, {
      method: 'POST',
      dispatcher: h.agent,
      body: '',
    });
    await t.body.text();
    expect(t.statusCode).toBe(400);
  });

  it('refuses, after a control reset, a token issued before it', async () => {
    expect((await send('GET', '/WhoAmI')).status).toBe(200);
    await h.control('POST', '/reset', {});
    expect((await send('GET', '/WhoAmI')).status).toBe(401);
  });
});
