/**
 * DataverseSession's limits against a loopback HTTPS server standing in for the token endpoint and the Web
 * API: at most maxConcurrent calls in flight (under the service's 52 per user), and a call on behalf of the
 * application user itself refused before anything is sent.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DataverseSession, type DataverseSessionOptions } from '../../src/dataverse/dataverse-session';
import { serviceAccountBundle } from '../helpers/fake-services';
import { startTestServer, type TestServer } from '../helpers/https-test-server';

const APP_USER = '3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6f';
const APP_OBJECT = '7d2e9f41-3a5c-4b6d-8e1f-2a3b4c5d6e7f';
const JON_OBJECT = 'b8c9d0e1-f2a3-4b4c-9d5e-6f7a8b9c0d1e';

let server: TestServer;
let inFlight = 0;
let peak = 0;
let webApiCalls = 0;
let tokenCalls = 0;
/** What a systemusers query answers. */
let users: Array<Record<string, unknown>> = [];
/** Replies held until the test lets them go, to see how many the session sends at once. */
let held: ServerResponse[] = [];

beforeAll(async () => {
  server = await startTestServer((req, res) => {
    if (req.url?.endsWith('/oauth2/v2.0/token')) {
      tokenCalls += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: 'opaque' }));
      return;
    }
    if (req.url?.includes('/systemusers?')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: users }));
      return;
    }
    webApiCalls += 1;
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    held.push(res);
  });
}, 30_000);

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  inFlight = 0;
  peak = 0;
  webApiCalls = 0;
  tokenCalls = 0;
  held = [];
});

/** Answers every held Create with its id. */
function releaseAll(): void {
  const batch = held;
  held = [];
  for (const res of batch) {
    inFlight -= 1;
    res.writeHead(204, {
      'odata-entityid': `${server.url}/api/data/v9.2/accounts(00000000-0000-4000-8000-${String(webApiCalls).padStart(12, '0')})`,
    });
    res.end();
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

function session(over: Partial<DataverseSessionOptions> = {}): DataverseSession {
  return new DataverseSession({
    authorityUrl: server.url,
    tenant: 'contoso.onmicrosoft.com',
    clientId: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
    certificate: serviceAccountBundle(),
    environmentUrl: server.url,
    ca: [server.caPem],
    ...over,
  });
}

describe('DataverseSession limits', { timeout: 30_000 }, () => {
  it('sends at most maxConcurrent Web API calls at once; the others wait their turn, in order, and all succeed', async () => {
    const s = session({ maxConcurrent: 2 });
    try {
      const calls = Array.from({ length: 5 }, (_, i) =>
        s.create({ entitySet: 'accounts', attributes: { name: `c${i}` } }),
      );
      await until(() => held.length === 2);
      await new Promise((r) => setTimeout(r, 50));
      expect(held.length).toBe(2); // the other three wait in the session, not on the wire
      releaseAll();
      await until(() => held.length === 2);
      releaseAll();
      await until(() => held.length === 1);
      releaseAll();
      expect(await Promise.all(calls)).toHaveLength(5);
      expect(peak).toBe(2);
      expect(webApiCalls).toBe(5);
    } finally {
      releaseAll();
      await s.close();
    }
  });

  it('lets a waiting call go when its signal aborts, and hands its turn on to the next', async () => {
    const s = session({ maxConcurrent: 1 });
    try {
      const first = s.create({ entitySet: 'accounts', attributes: { name: 'first' } });
      await until(() => held.length === 1);
      const abort = new AbortController();
      const second = s.create(
        { entitySet: 'accounts', attributes: { name: 'second' } },
        { signal: abort.signal },
      );
      const third = s.create({ entitySet: 'accounts', attributes: { name: 'third' } });
      abort.abort();
      await expect(second).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      releaseAll();
      await first;
      await until(() => held.length === 1);
      releaseAll();
      await third;
      expect(webApiCalls).toBe(2);
    } finally {
      releaseAll();
      await s.close();
    }
  });

  it('hands the turn on when a waiting call is granted its slot at the moment its signal aborts: the next call still goes', async () => {
    const s = session({ maxConcurrent: 1 });
    try {
      const first = s.create({ entitySet: 'accounts', attributes: { name: 'first' } });
      await until(() => held.length === 1);
      // The race: the slot is granted (the wait's promise resolved) and, before the waiting call has
      // seen it, the signal aborts. The wait detaches its abort listener on the grant; the abort is fired
      // right there, so the call rejects with the slot already its own and must pass it on.
      const abort = new AbortController();
      const signal = abort.signal;
      const detach = signal.removeEventListener.bind(signal);
      let armed = false;
      signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
        if (armed && !signal.aborted) abort.abort();
        detach(...args);
      }) as AbortSignal['removeEventListener'];
      const second = s.create({ entitySet: 'accounts', attributes: { name: 'second' } }, { signal });
      const third = s.create({ entitySet: 'accounts', attributes: { name: 'third' } });
      const secondSettled = second.then(
        () => 'sent',
        (err: unknown) => err,
      );
      armed = true;
      releaseAll();
      await first;
      expect(await secondSettled).toMatchObject({ code: 'ERR_ABORTED' });
      await until(() => held.length === 1);
      releaseAll();
      await third;
      expect(webApiCalls).toBe(2);
    } finally {
      releaseAll();
      await s.close();
    }
  });

  it('defaults to 48 calls in flight, under the service limit of 52 concurrent requests', async () => {
    // More connections than calls, so that the pool is not what limits them.
    const s = session({ connections: 64 });
    try {
      const calls = Array.from({ length: 50 }, (_, i) =>
        s.create({ entitySet: 'accounts', attributes: { name: `c${i}` } }),
      );
      await until(() => held.length === 48);
      await new Promise((r) => setTimeout(r, 50));
      expect(held.length).toBe(48);
      releaseAll();
      await until(() => held.length === 2);
      releaseAll();
      await Promise.all(calls);
    } finally {
      releaseAll();
      await s.close();
    }
  });

  it('refuses a call on behalf of the application user itself (by Entra object id or systemuserid, any case or braces) with ERR_IMPERSONATION_NO_OP, sending nothing', async () => {
    const s = session({ applicationUser: { userId: APP_USER, entraObjectId: APP_OBJECT } });
    try {
      for (const onBehalfOf of [
        { entraObjectId: APP_OBJECT },
        { entraObjectId: `{${APP_OBJECT.toUpperCase()}}` },
        { userId: APP_USER },
      ]) {
        await expect(
          s.create({ entitySet: 'accounts', attributes: { name: 'x' } }, { onBehalfOf }),
        ).rejects.toMatchObject({ code: 'ERR_IMPERSONATION_NO_OP' });
      }
      expect(tokenCalls + webApiCalls).toBe(0);
      // Someone else is sent as asked.
      const other = s.create(
        { entitySet: 'accounts', attributes: { name: 'x' } },
        { onBehalfOf: { entraObjectId: JON_OBJECT } },
      );
      await until(() => held.length === 1);
      expect(server.requests.at(-1)?.headers['callerobjectid']).toBe(JON_OBJECT);
      releaseAll();
      await other;
    } finally {
      releaseAll();
      await s.close();
    }
  });

  it('resolves an Entra object id to the systemuserid, name and disabled flag by one systemusers query', async () => {
    const s = session();
    try {
      users = [{ systemuserid: APP_USER.toUpperCase(), fullname: 'Jon Wilson', isdisabled: false }];
      expect(await s.resolveUserId({ entraObjectId: `{${JON_OBJECT.toUpperCase()}}` })).toEqual({
        userId: APP_USER,
        fullName: 'Jon Wilson',
        disabled: false,
      });
      const path = decodeURIComponent(server.requests.at(-1)?.path ?? '');
      expect(path).toBe(
        `/api/data/v9.2/systemusers?$select=systemuserid,fullname,isdisabled&$filter=azureactivedirectoryobjectid eq ${JON_OBJECT}`,
      );
      users = [{ systemuserid: APP_USER, isdisabled: true }];
      expect(await s.resolveUserId({ entraObjectId: JON_OBJECT })).toEqual({
        userId: APP_USER,
        fullName: null,
        disabled: true,
      });
      users = [];
      await expect(s.resolveUserId({ entraObjectId: JON_OBJECT })).rejects.toMatchObject({
        code: 'ERR_CRM_OBJECT_NOT_FOUND',
        message: expect.stringContaining(JON_OBJECT),
      });
      users = [{ fullname: 'no id' }];
      await expect(s.resolveUserId({ entraObjectId: JON_OBJECT })).rejects.toMatchObject({
        code: 'ERR_UNEXPECTED_MESSAGE',
      });
      await expect(s.resolveUserId({ entraObjectId: 'nope' })).rejects.toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
      });
    } finally {
      users = [];
      await s.close();
    }
  });

  it('lists the first users with their Entra object and application ids; rows without a GUID id are left out; a bad top is refused', async () => {
    const s = session();
    try {
      users = [
        {
          systemuserid: APP_USER,
          fullname: 'ISV app',
          azureactivedirectoryobjectid: APP_OBJECT,
          applicationid: `{${JON_OBJECT.toUpperCase()}}`,
          isdisabled: false,
        },
        { systemuserid: 'nope', fullname: 'broken' },
        { systemuserid: JON_OBJECT, isdisabled: true, azureactivedirectoryobjectid: null },
      ];
      expect(await s.listUsers({ top: 2 })).toEqual([
        {
          userId: APP_USER,
          fullName: 'ISV app',
          entraObjectId: APP_OBJECT,
          applicationId: JON_OBJECT,
          disabled: false,
        },
        { userId: JON_OBJECT, fullName: null, entraObjectId: null, applicationId: null, disabled: true },
      ]);
      expect(decodeURIComponent(server.requests.at(-1)?.path ?? '')).toBe(
        '/api/data/v9.2/systemusers?$select=systemuserid,fullname,isdisabled,azureactivedirectoryobjectid,applicationid&$top=2',
      );
      await s.listUsers({ top: 5, peopleOnly: true });
      expect(decodeURIComponent(server.requests.at(-1)?.path ?? '')).toBe(
        '/api/data/v9.2/systemusers?$select=systemuserid,fullname,isdisabled,azureactivedirectoryobjectid,applicationid' +
          '&$filter=isdisabled eq false and applicationid eq null and azureactivedirectoryobjectid ne null&$top=5',
      );
      for (const top of [0, 1.5, 5001, Number.NaN])
        await expect(s.listUsers({ top })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
    } finally {
      users = [];
      await s.close();
    }
  });

  it('refuses a bad applicationUser or maxConcurrent when built (ERR_INVALID_OPTIONS)', () => {
    expect(() => session({ applicationUser: { userId: 'not-a-guid' } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
    );
    expect(() => session({ maxConcurrent: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
    );
    expect(() => session({ maxConcurrent: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
    );
  });
});
