import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataverseClient } from '../../src/dataverse/dataverse-client';
import { CrmAuthError } from '../../src/errors';
import {
  HttpsTransport,
  type TransportRequest,
  type TransportResponse,
} from '../../src/transport/https-transport';
import type { RoundTrip } from '../../src/clients/round-trip';

/** What the Web API client sends and how it reads the replies, over a transport that records and answers. */

const ENV = 'https://contoso.crm.example';
const API = `${ENV}/api/data/v9.2`;
const TOKEN = 'eyJ0eXAi.token';
const ID = '7a3c0b9e-1f2d-4e5a-8b6c-0d1e2f3a4b5c';
const USER = 'c0ffee00-1111-4222-8333-444455556666';
const OID = 'aa11bb22-cc33-4d44-8e55-ff6677889900';

type Reply = Partial<TransportResponse> & { status: number };

class RecordingTransport extends HttpsTransport {
  readonly requests: TransportRequest[] = [];
  readonly replies: Reply[] = [];
  override async post(req: TransportRequest): Promise<TransportResponse> {
    this.requests.push(req);
    const reply = this.replies.shift() ?? { status: 204 };
    return { contentType: 'application/json', body: '', ...reply };
  }
}

function setup(...replies: Reply[]) {
  const transport = new RecordingTransport();
  transport.replies.push(...replies);
  const trips: RoundTrip[] = [];
  const dv = new DataverseClient({
    environmentUrl: ENV,
    transport,
    onRoundTrip: (t) => trips.push(t),
  });
  return { dv, transport, trips, last: () => transport.requests.at(-1)! };
}

const ok = (body: unknown): Reply => ({ status: 200, body: JSON.stringify(body) });

async function failure(p: Promise<unknown>): Promise<CrmAuthError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrmAuthError);
  return err as CrmAuthError;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('DataverseClient: options and arguments', () => {
  it('names the options object and environmentUrl when they are wrong', () => {
    expect(() => new DataverseClient(null as never)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_OPTIONS',
        message: 'DataverseClient options must be an object',
      }),
    );
    expect(() => new DataverseClient({ environmentUrl: 'http://contoso.crm.example' })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_OPTIONS',
        message: 'environmentUrl must be an https URL',
      }),
    );
  });

  it('strips every trailing slash of environmentUrl before /api/data/v9.2', () => {
    const transport = new RecordingTransport();
    expect(new DataverseClient({ environmentUrl: `${ENV}//`, transport }).apiUrl).toBe(API);
    expect(new DataverseClient({ environmentUrl: `${ENV}/`, transport }).apiUrl).toBe(API);
  });

  it('refuses missing args, bad attributes, ids and top before sending, naming what is wrong', async () => {
    const { dv, transport } = setup();
    const invalid = (message: string) => expect.objectContaining({ code: 'ERR_INVALID_OPTIONS', message });
    const noSet = invalid('entitySet must be a non-empty string');
    await expect(dv.create(TOKEN, undefined as never)).rejects.toEqual(noSet);
    await expect(dv.retrieve(TOKEN, undefined as never)).rejects.toEqual(noSet);
    await expect(dv.update(TOKEN, undefined as never)).rejects.toEqual(noSet);
    await expect(dv.delete(TOKEN, undefined as never)).rejects.toEqual(noSet);
    await expect(dv.listUsers(TOKEN, undefined as never)).rejects.toEqual(
      invalid('top must be a whole number from 1 to 5000'),
    );
    for (const attributes of ['name=x', null, [{ name: 'x' }]]) {
      await expect(
        dv.create(TOKEN, { entitySet: 'accounts', attributes: attributes as never }),
      ).rejects.toEqual(invalid('attributes must be an object'));
      await expect(
        dv.update(TOKEN, { entitySet: 'accounts', id: ID, attributes: attributes as never }),
      ).rejects.toEqual(invalid('attributes must be an object'));
    }
    await expect(dv.retrieve(TOKEN, { entitySet: 'accounts', id: 'x' })).rejects.toEqual(
      invalid('id must be a GUID'),
    );
    await expect(dv.update(TOKEN, { entitySet: 'accounts', id: 'x', attributes: {} })).rejects.toEqual(
      invalid('id must be a GUID'),
    );
    await expect(dv.delete(TOKEN, { entitySet: 'accounts', id: 'x' })).rejects.toEqual(
      invalid('id must be a GUID'),
    );
    await expect(dv.whoAmI(TOKEN, { onBehalfOf: { userId: 'jon' } })).rejects.toEqual(
      invalid('onBehalfOf.userId must be a GUID'),
    );
    await expect(dv.findUserByEntraObjectId(TOKEN, 'x')).rejects.toEqual(
      invalid('entraObjectId must be a GUID'),
    );
    await expect(dv.create(TOKEN, { entitySet: 'accounts(1)', attributes: {} })).rejects.toEqual(
      invalid('entitySet must be an entity set name, e.g. accounts'),
    );
    await expect(dv.whoAmI('')).rejects.toEqual(invalid('accessToken must be a non-empty string'));
    await expect(dv.whoAmI(TOKEN, { onBehalfOf: { puid: '0003BFFD' } as never })).rejects.toEqual(
      invalid('Dataverse has no Windows Live PUIDs: act on behalf of an { entraObjectId } or a { userId }'),
    );
    expect(transport.requests).toHaveLength(0);
  });

  it('accepts top = 5000, the largest page', async () => {
    const { dv, last } = setup(ok({ value: [] }));
    await expect(dv.listUsers(TOKEN, { top: 5000 })).resolves.toEqual([]);
    expect(last().url).toMatch(/&\$top=5000$/);
  });

  it('closes the transport it made, never one it was given', async () => {
    const closed = vi.spyOn(HttpsTransport.prototype, 'close');
    const given = new RecordingTransport();
    await new DataverseClient({ environmentUrl: ENV, transport: given }).close();
    expect(closed).not.toHaveBeenCalled();
    await new DataverseClient({ environmentUrl: ENV }).close();
    expect(closed).toHaveBeenCalledTimes(1);
  });
});

describe('DataverseClient: the requests on the wire', () => {
  const BASE_HEADERS = {
    authorization: `Bearer ${TOKEN}`,
    accept: 'application/json',
    'odata-version': '4.0',
    'odata-maxversion': '4.0',
  };

  it('WhoAmI: a GET of WhoAmI with the OData headers, no body and no content type', async () => {
    const { dv, last, trips } = setup(
      ok({ UserId: USER.toUpperCase(), BusinessUnitId: ID, OrganizationId: OID }),
    );
    expect(await dv.whoAmI(TOKEN)).toEqual({ userId: USER, businessUnitId: ID, organizationId: OID });
    expect(last()).toMatchObject({ url: `${API}/WhoAmI`, method: 'GET', body: '', operation: 'WhoAmI' });
    expect(last().headers).toEqual(BASE_HEADERS);
    expect(trips).toEqual([expect.objectContaining({ service: 'dataverse', operation: 'WhoAmI', ok: true })]);
  });

  it('create: a POST of the attributes as JSON with a content type, acting for a systemuserid', async () => {
    const { dv, last } = setup({
      status: 204,
      headers: { 'odata-entityid': `${API}/accounts(${ID.toUpperCase()})` },
    });
    const id = await dv.create(
      TOKEN,
      { entitySet: 'accounts', attributes: { name: 'Tailspin' } },
      { onBehalfOf: { userId: USER } },
    );
    expect(id).toBe(ID);
    expect(last()).toMatchObject({
      url: `${API}/accounts`,
      method: 'POST',
      body: '{"name":"Tailspin"}',
      operation: 'Create',
    });
    expect(last().headers).toEqual({
      ...BASE_HEADERS,
      mscrmcallerid: USER,
      'content-type': 'application/json; charset=utf-8',
    });
  });

  it('retrieve: a GET of set(id) with $select and the annotations asked for, acting for an Entra object id', async () => {
    const { dv, last } = setup(ok({ name: 'Tailspin' }));
    const record = await dv.retrieve(
      TOKEN,
      { entitySet: 'accounts', id: ID, select: ['name', '_createdby_value'] },
      { onBehalfOf: { entraObjectId: OID } },
    );
    expect(record).toEqual({ name: 'Tailspin' });
    expect(last()).toMatchObject({
      url: `${API}/accounts(${ID})?$select=name,_createdby_value`,
      method: 'GET',
      body: '',
      operation: 'Retrieve',
    });
    expect(last().headers).toEqual({
      ...BASE_HEADERS,
      prefer:
        'odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname"',
      callerobjectid: OID,
    });
  });

  it('update: a PATCH with If-Match: * (never an upsert); delete: a DELETE without a body', async () => {
    const { dv, transport } = setup({ status: 204 }, { status: 204 });
    await dv.update(TOKEN, { entitySet: 'accounts', id: ID, attributes: { name: 'B' } });
    await dv.delete(TOKEN, { entitySet: 'accounts', id: ID });
    const [update, del] = transport.requests;
    expect(update).toMatchObject({
      url: `${API}/accounts(${ID})`,
      method: 'PATCH',
      body: '{"name":"B"}',
      operation: 'Update',
    });
    expect(update!.headers).toEqual({
      ...BASE_HEADERS,
      'if-match': '*',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(del).toMatchObject({
      url: `${API}/accounts(${ID})`,
      method: 'DELETE',
      body: '',
      operation: 'Delete',
    });
    expect(del!.headers).toEqual(BASE_HEADERS);
  });

  it('listUsers and findUserByEntraObjectId: GETs of systemusers, reported as RetrieveMultiple', async () => {
    const row = { systemuserid: USER, fullname: 'Jon Wilson', isdisabled: false };
    const { dv, transport } = setup(ok({ value: [row] }), ok({ value: [row] }));
    await dv.listUsers(TOKEN, { top: 3 });
    await dv.findUserByEntraObjectId(TOKEN, OID);
    const [list, find] = transport.requests;
    expect(list).toMatchObject({
      url: `${API}/systemusers?$select=systemuserid,fullname,isdisabled,azureactivedirectoryobjectid,applicationid&$top=3`,
      method: 'GET',
      operation: 'RetrieveMultiple',
    });
    expect(find).toMatchObject({
      url: `${API}/systemusers?$select=systemuserid,fullname,isdisabled&$filter=azureactivedirectoryobjectid%20eq%20${OID}`,
      method: 'GET',
      operation: 'RetrieveMultiple',
    });
  });

  it("passes the caller's abort signal to the transport", async () => {
    const { dv, last } = setup(ok({ UserId: USER, BusinessUnitId: ID, OrganizationId: OID }));
    const signal = new AbortController().signal;
    await dv.whoAmI(TOKEN, { signal });
    expect(last().signal).toBe(signal);
  });
});

describe('DataverseClient: reading the replies', () => {
  it('WhoAmI without a GUID UserId (absent, or not a string) is an unexpected message', async () => {
    for (const UserId of [undefined, [USER]]) {
      const { dv } = setup(ok({ UserId, BusinessUnitId: ID, OrganizationId: OID }));
      const err = await failure(dv.whoAmI(TOKEN));
      expect(err).toMatchObject({
        code: 'ERR_UNEXPECTED_MESSAGE',
        message: 'WhoAmI answered without a GUID UserId',
        operation: 'WhoAmI',
      });
    }
  });

  it('create: the id is the key at the end of OData-EntityId, or ERR_UNEXPECTED_MESSAGE', async () => {
    const other = '11111111-2222-4333-8444-555555555555';
    const nested = setup({
      status: 204,
      headers: { 'odata-entityid': `${API}/accounts(${other})/contacts(${ID})` },
    });
    expect(await nested.dv.create(TOKEN, { entitySet: 'accounts', attributes: {} })).toBe(ID);
    const spaced = setup({ status: 204, headers: { 'odata-entityid': `${API}/accounts(${ID})  ` } });
    expect(await spaced.dv.create(TOKEN, { entitySet: 'accounts', attributes: {} })).toBe(ID);
    const refused: Array<Record<string, string> | undefined> = [
      undefined,
      {},
      { 'odata-entityid': `${API}/accounts(not-a-guid)` },
      { 'odata-entityid': `${API}/accounts(${ID})x` },
    ];
    for (const headers of refused) {
      const { dv } = setup({ status: 204, ...(headers ? { headers } : {}) });
      const err = await failure(dv.create(TOKEN, { entitySet: 'accounts', attributes: {} }));
      expect(err).toMatchObject({
        code: 'ERR_UNEXPECTED_MESSAGE',
        message: 'Create answered without an OData-EntityId',
        operation: 'Create',
      });
    }
  });

  it('a 2xx body that is not JSON is ERR_UNEXPECTED_MESSAGE with the status', async () => {
    const { dv } = setup({ status: 200, body: '<html>ok</html>' });
    const err = await failure(dv.retrieve(TOKEN, { entitySet: 'accounts', id: ID }));
    expect(err).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'The Web API answered with a body that is not JSON',
      httpStatus: 200,
    });
  });

  it('listUsers keeps the object rows with a GUID systemuserid, reading non-string ids as null', async () => {
    const { dv } = setup(
      ok({
        value: [
          null,
          7,
          'row',
          { fullname: 'no id' },
          {
            systemuserid: USER,
            fullname: 'App',
            isdisabled: true,
            azureactivedirectoryobjectid: OID,
            applicationid: [ID],
          },
        ],
      }),
    );
    expect(await dv.listUsers(TOKEN, { top: 10 })).toEqual([
      { userId: USER, fullName: 'App', entraObjectId: OID, applicationId: null, disabled: true },
    ]);
  });

  it('a systemusers reply without a value array is an unexpected message', async () => {
    for (const body of ['null', '{}', '{"value":{}}']) {
      const { dv } = setup({ status: 200, body });
      const err = await failure(dv.listUsers(TOKEN, { top: 1 }));
      expect(err).toMatchObject({
        code: 'ERR_UNEXPECTED_MESSAGE',
        message: 'systemusers answered without a value array',
        operation: 'RetrieveMultiple',
      });
    }
  });

  it('findUserByEntraObjectId: no object row is not found (not executed); a row without a GUID id is unexpected', async () => {
    for (const value of [[], ['row'], [null]]) {
      const { dv } = setup(ok({ value }));
      const err = await failure(dv.findUserByEntraObjectId(TOKEN, OID));
      expect(err).toMatchObject({
        code: 'ERR_CRM_OBJECT_NOT_FOUND',
        message: `no user of the environment has the Entra object id ${OID}`,
        operation: 'RetrieveMultiple',
        notExecuted: true,
      });
    }
    const { dv } = setup(ok({ value: [{ systemuserid: 'nope' }] }));
    const err = await failure(dv.findUserByEntraObjectId(TOKEN, OID));
    expect(err).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'a systemuser came back without a GUID systemuserid',
      operation: 'RetrieveMultiple',
    });
  });
});

describe('DataverseClient: error replies', () => {
  const usersUrl = `${API}/systemusers`;

  it('a status outside 200-299 is an error, 300 included; its url has no query', async () => {
    const { dv } = setup({ status: 300, body: '' });
    const err = await failure(dv.listUsers(TOKEN, { top: 1 }));
    expect(err).toMatchObject({
      code: 'ERR_HTTP_STATUS',
      httpStatus: 300,
      operation: 'RetrieveMultiple',
      url: usersUrl,
      message: 'Dataverse answered HTTP 300',
    });
    expect(err.notExecuted).toBeUndefined();
  });

  it('a status below 200 is not a success either', async () => {
    const { dv } = setup({ status: 199, body: '' });
    expect(await failure(dv.delete(TOKEN, { entitySet: 'accounts', id: ID }))).toMatchObject({
      code: 'ERR_HTTP_STATUS',
      httpStatus: 199,
      operation: 'Delete',
    });
  });

  it('401: ERR_CRM_EXPIRED_TICKET, not executed, with the reason sent or a default one', async () => {
    const bare = setup({ status: 401, body: '' });
    const err = await failure(bare.dv.whoAmI(TOKEN));
    expect(err).toMatchObject({
      code: 'ERR_CRM_EXPIRED_TICKET',
      message: 'Dataverse refused the access token (401): expired or invalid',
      httpStatus: 401,
      notExecuted: true,
    });
    expect(err.faultDescription).toBeUndefined();
    const told = setup({
      status: 401,
      body: JSON.stringify({ error: { code: '0x80072560', message: 'token expired' } }),
    });
    expect(await failure(told.dv.whoAmI(TOKEN))).toMatchObject({
      code: 'ERR_CRM_EXPIRED_TICKET',
      message: 'Dataverse refused the access token (401): token expired',
      faultCode: '0x80072560',
      faultDescription: 'token expired',
    });
  });

  it('429: ERR_HTTP_STATUS, not executed, with retryAfterMs, even with an error code', async () => {
    const { dv } = setup({
      status: 429,
      retryAfterMs: 5000,
      body: JSON.stringify({ error: { code: '0x80072322', message: 'Number of requests exceeded' } }),
    });
    expect(await failure(dv.whoAmI(TOKEN))).toMatchObject({
      code: 'ERR_HTTP_STATUS',
      message: 'Dataverse answered HTTP 429: Number of requests exceeded',
      httpStatus: 429,
      retryAfterMs: 5000,
      faultCode: '0x80072322',
      notExecuted: true,
    });
  });

  it('a 5xx without an error code: ERR_HTTP_STATUS, perhaps executed', async () => {
    for (const body of ['<html>Bad gateway</html>', '{"error":{"code":-2147220969}}']) {
      const { dv } = setup({ status: 503, body });
      const err = await failure(dv.whoAmI(TOKEN));
      expect(err).toMatchObject({ code: 'ERR_HTTP_STATUS', message: 'Dataverse answered HTTP 503' });
      expect(err.notExecuted).toBeUndefined();
      expect(err.faultCode).toBeUndefined();
    }
  });

  it('an error code: the CRM code it maps to (or ERR_CRM_FAULT), named in the message with the description', async () => {
    const reply = (error: unknown): Reply => ({ status: 404, body: JSON.stringify({ error }) });
    const { dv } = setup(
      reply({ code: '0x80040217', message: 'account With Id = x Does Not Exist' }),
      reply({ code: '0x80040217', message: 42 }),
      reply({ code: '0x80049999' }),
    );
    const args = { entitySet: 'accounts', id: ID };
    expect(await failure(dv.retrieve(TOKEN, args))).toMatchObject({
      code: 'ERR_CRM_OBJECT_NOT_FOUND',
      message: 'Dataverse refused Retrieve: account With Id = x Does Not Exist',
      faultCode: '0x80040217',
      faultDescription: 'account With Id = x Does Not Exist',
      operation: 'Retrieve',
      url: `${API}/accounts(${ID})`,
      notExecuted: true,
    });
    const numeric = await failure(dv.retrieve(TOKEN, args));
    expect(numeric).toMatchObject({
      code: 'ERR_CRM_OBJECT_NOT_FOUND',
      message: 'Dataverse refused Retrieve: 0x80040217',
    });
    expect(numeric.faultDescription).toBeUndefined();
    expect(await failure(dv.retrieve(TOKEN, args))).toMatchObject({
      code: 'ERR_CRM_FAULT',
      message: 'Dataverse refused Retrieve: 0x80049999',
      faultCode: '0x80049999',
    });
  });
});
