/**
 * DataverseSession's rules against a loopback HTTPS server standing in for the token endpoint and the Web API:
 * its option checks (each naming the option), the token's cache key and the shared store's rule, the default
 * refresh-ahead, the 401 and 429 retry rules, the self-impersonation refusal, and the slot queue.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoundTrip } from '../../src/clients/round-trip';
import { DataverseSession, type DataverseSessionOptions } from '../../src/dataverse/dataverse-session';
import type { SessionEvent } from '../../src/session/session-event';
import { MemoryTicketStore, type StoredTicket, type TicketStore } from '../../src/session/ticket-store';
import { serviceAccountBundle } from '../helpers/fake-services';
import { startTestServer, type TestServer } from '../helpers/https-test-server';
import { invalidOptions } from '../helpers/invalid-options';

const CLIENT_ID = '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21';
const APP_USER = '3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6f';
const APP_OBJECT = '7d2e9f41-3a5c-4b6d-8e1f-2a3b4c5d6e7f';
const WHO = {
  UserId: APP_USER,
  BusinessUnitId: '11111111-2222-4333-8444-555555555555',
  OrganizationId: '66666666-7777-4888-9999-000000000000',
};

let server: TestServer;
let tokenCalls = 0;
let webApiCalls = 0;
let inFlight = 0;
let peak = 0;
/** Token requests held unanswered (a hanging token endpoint) while holdTokens is set. */
let holdTokens = false;
let heldTokens: ServerResponse[] = [];
/** Web API requests held until the test releases them, while holdWebApi is set. */
let holdWebApi = false;
let held: ServerResponse[] = [];
/** Answers to the next Web API requests, in order: [status, headers]; then WhoAmI. */
let webApiReplies: Array<[number, Record<string, string>]> = [];

function answerWhoAmI(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(WHO));
}

beforeAll(async () => {
  server = await startTestServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.endsWith('/oauth2/v2.0/token')) {
      tokenCalls += 1;
      if (holdTokens) {
        heldTokens.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: `token-${tokenCalls}` }),
      );
      return;
    }
    webApiCalls += 1;
    const reply = webApiReplies.shift();
    if (reply) {
      res.writeHead(reply[0], { 'content-type': 'application/json', ...reply[1] });
      res.end(JSON.stringify({ error: { message: 'scripted' } }));
      return;
    }
    if (holdWebApi) {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      held.push(res);
      return;
    }
    answerWhoAmI(res);
  });
}, 30_000);

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  tokenCalls = 0;
  webApiCalls = 0;
  inFlight = 0;
  peak = 0;
  holdTokens = false;
  heldTokens = [];
  holdWebApi = false;
  held = [];
  webApiReplies = [];
});

function releaseAll(): void {
  const batch = held;
  held = [];
  for (const res of batch) {
    inFlight -= 1;
    answerWhoAmI(res);
  }
}

function releaseTokens(): void {
  for (const res of heldTokens.splice(0)) res.destroy();
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

function options(over: Partial<DataverseSessionOptions> = {}): DataverseSessionOptions {
  return {
    authorityUrl: server.url,
    tenant: 'contoso.onmicrosoft.com',
    clientId: CLIENT_ID,
    certificate: serviceAccountBundle(),
    environmentUrl: server.url,
    ca: [server.caPem],
    ...over,
  };
}

function session(over: Partial<DataverseSessionOptions> = {}): DataverseSession {
  return new DataverseSession(options(over));
}

const lastWebApiAuthorization = (): string | undefined =>
  server.requests.filter((r) => !r.path.endsWith('/oauth2/v2.0/token')).at(-1)?.headers.authorization;

/** A TicketStore that remembers the keys it was asked for. */
class RecordingStore implements TicketStore {
  readonly keys: string[] = [];
  readonly inner = new MemoryTicketStore();
  get(key: string): Promise<StoredTicket | undefined> {
    this.keys.push(key);
    return this.inner.get(key);
  }
  set(key: string, value: StoredTicket): Promise<void> {
    this.keys.push(key);
    return this.inner.set(key, value);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

describe('DataverseSession rules', { timeout: 20_000 }, () => {
  it('refuses bad options with ERR_INVALID_OPTIONS naming the option', () => {
    const refused = (over: Record<string, unknown>, message: string): void => {
      expect(() => session(over as Partial<DataverseSessionOptions>), message).toThrow(
        invalidOptions(message),
      );
    };
    expect(() => new DataverseSession(null as unknown as DataverseSessionOptions)).toThrow(
      invalidOptions('DataverseSession options must be an object'),
    );
    // The certificate is checked first, before the tenant.
    refused({ certificate: {}, tenant: '' }, 'certificate must be a CertificateBundle');
    refused({ environmentUrl: 'http://x.example' }, 'environmentUrl must be an https URL');
    refused({ tenant: '' }, 'tenant must be a non-empty string');
    refused({ clientId: '' }, 'clientId must be a non-empty string');
    refused({ clock: 5 }, 'clock must be a function');
    refused({ refreshAheadMs: -1 }, 'refreshAheadMs must be a number >= 0');
    refused({ maxTokenRetries: -1 }, 'maxTokenRetries must be a number >= 0');
    for (const bad of [1.5, 6])
      refused({ maxTokenRetries: bad }, 'maxTokenRetries must be an integer from 0 to 5');
    refused({ timeoutMs: 0 }, 'timeoutMs must be a positive number');
    refused({ refreshTimeoutMs: 0 }, 'refreshTimeoutMs must be a positive number');
    refused({ ca: 'pem' }, 'ca must be an array of PEM strings');
    refused({ refreshLock: 'lock' }, 'refreshLock must be a function');
    refused({ onRoundTrip: 1 }, 'onRoundTrip must be a function');
    refused({ onEvent: 1 }, 'onEvent must be a function');
    for (const bad of [null, 'app']) refused({ applicationUser: bad }, 'applicationUser must be an object');
    refused({ applicationUser: { userId: 'x' } }, 'applicationUser.userId must be a GUID');
    refused({ applicationUser: { entraObjectId: 'x' } }, 'applicationUser.entraObjectId must be a GUID');
    refused({ maxConcurrent: 0 }, 'maxConcurrent must be a positive number');
    refused({ maxConcurrent: 1.5 }, 'maxConcurrent must be a whole number');
    refused({ connections: 0 }, 'connections must be a positive number');
    refused({ connections: 1.5 }, 'connections must be a whole number');
  });

  it('accepts maxTokenRetries 0 to 5 and trims every trailing slash of environmentUrl', async () => {
    for (const n of [0, 5]) await session({ maxTokenRetries: n }).close();
    const s = session({ environmentUrl: `${server.url}//` });
    expect(s.getState().environmentUrl).toBe(server.url);
    await s.close();
  });

  it('signs the client assertion with the algorithm asked for', async () => {
    const s = session({ algorithm: 'RS256' });
    try {
      await s.whoAmI();
      const form = new URLSearchParams(server.requests.find((r) => r.path.endsWith('/token'))!.body);
      const header = JSON.parse(
        Buffer.from(form.get('client_assertion')!.split('.')[0]!, 'base64url').toString('utf8'),
      ) as { alg: string };
      expect(header.alg).toBe('RS256');
    } finally {
      await s.close();
    }
  });

  it('keys the token in the store by tenant, app and environment, in lower case; sessions for other tenants do not share it', async () => {
    const store = new RecordingStore();
    const a = session({
      ticketStore: store,
      tenant: 'Contoso.OnMicrosoft.COM',
      clientId: CLIENT_ID.toUpperCase(),
      environmentUrl: `${server.url}/Org/`,
    });
    const b = session({ ticketStore: store, tenant: 'fabrikam.onmicrosoft.com' });
    try {
      await a.whoAmI();
      expect(new Set(store.keys)).toEqual(
        new Set([`entra-token|contoso.onmicrosoft.com|${CLIENT_ID}|${server.url}/org`]),
      );
      await b.whoAmI();
      expect(tokenCalls).toBe(2);
      expect(lastWebApiAuthorization()).toBe('Bearer token-2');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('takes a stored token while it is not yet due for refresh (no token request, no refresh counted or reported), and gets a new one from the moment it is due', async () => {
    const key = `entra-token|contoso.onmicrosoft.com|${CLIENT_ID}|${server.url}`;
    const now = Date.now();
    // Lifetime 4 000 s: refresh 5 min (the default) before expiry, at issuedAt + 3 700 000 ms.
    const stored = { ticket: 'stored', issuedAt: now - 3_700_000, expiresAt: now + 300_000 };
    const store = new MemoryTicketStore();
    await store.set(key, stored);
    const events: SessionEvent[] = [];
    const before = session({ ticketStore: store, clock: () => now - 1, onEvent: (e) => events.push(e) });
    try {
      await before.whoAmI();
      expect(lastWebApiAuthorization()).toBe('Bearer stored');
      expect(tokenCalls).toBe(0);
      expect(before.getState().tokenRefreshes).toBe(0);
      expect(events).toEqual([]);
    } finally {
      await before.close();
    }
    const due = session({ ticketStore: store, clock: () => now });
    try {
      await due.whoAmI();
      expect(tokenCalls).toBe(1);
      expect(lastWebApiAuthorization()).toBe('Bearer token-1');
      expect(due.getState().tokenRefreshes).toBe(1);
    } finally {
      await due.close();
    }
  });

  it('refreshes a 60-minute token in the background from 5 minutes before expiry by default', async () => {
    let offset = 0;
    const s = session({ clock: () => Date.now() + offset });
    try {
      await s.whoAmI();
      offset = 56 * 60_000;
      await s.whoAmI();
      await until(() => tokenCalls === 2);
    } finally {
      await s.close();
    }
  });

  it('names the Dataverse access token when its refresh times out', async () => {
    holdTokens = true;
    const s = session({ refreshTimeoutMs: 200 });
    try {
      await expect(s.whoAmI()).rejects.toMatchObject({
        code: 'ERR_TIMEOUT',
        message: 'refreshing the Dataverse access token took longer than 200 ms',
      });
    } finally {
      releaseTokens();
      await s.close();
    }
  });

  it("stops waiting for the token when the call's signal aborts", async () => {
    holdTokens = true;
    const s = session({ refreshTimeoutMs: 4_000 });
    try {
      const abort = new AbortController();
      const call = s.whoAmI({ signal: abort.signal });
      await until(() => heldTokens.length === 1);
      abort.abort();
      await expect(call).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    } finally {
      releaseTokens();
      await s.close();
    }
  });

  it('gives up after maxTokenRetries + 1 refused tokens with ERR_RETRIES_EXHAUSTED, naming the count and the operation, marked not executed', async () => {
    webApiReplies = [
      [401, {}],
      [401, {}],
    ];
    const s = session({ maxTokenRetries: 1 });
    try {
      await expect(s.whoAmI()).rejects.toMatchObject({
        code: 'ERR_RETRIES_EXHAUSTED',
        message: 'Dataverse refused 2 access tokens in a row (401)',
        operation: 'WhoAmI',
        httpStatus: 401,
        notExecuted: true,
      });
      expect({ tokenCalls, webApiCalls }).toEqual({ tokenCalls: 2, webApiCalls: 2 });
    } finally {
      await s.close();
    }
  });

  it('tries again after a 429 whose Retry-After is exactly 2 s', async () => {
    const s = session();
    try {
      await s.whoAmI();
      webApiReplies = [[429, { 'retry-after': '2' }]];
      expect((await s.whoAmI()).userId).toBe(APP_USER);
      expect(webApiCalls).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('clears the Retry-After timer of a throttled call whose signal aborts during the wait', async () => {
    const s = session();
    const set = vi.spyOn(globalThis, 'setTimeout');
    const clear = vi.spyOn(globalThis, 'clearTimeout');
    try {
      await s.whoAmI();
      webApiReplies = [[429, { 'retry-after': '2' }]];
      const abort = new AbortController();
      const call = s.whoAmI({ signal: abort.signal });
      const waitIndex = (): number => set.mock.calls.findIndex((c) => c[1] === 2_000);
      await until(() => waitIndex() >= 0);
      const timer = set.mock.results[waitIndex()]!.value as unknown;
      abort.abort();
      await expect(call).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      expect(clear).toHaveBeenCalledWith(timer);
      expect(webApiCalls).toBe(2);
    } finally {
      set.mockRestore();
      clear.mockRestore();
      await s.close();
    }
  });

  it('does not retry a 503, even with a short Retry-After', async () => {
    const s = session();
    try {
      await s.whoAmI();
      webApiReplies = [[503, { 'retry-after': '1' }]];
      await expect(s.whoAmI()).rejects.toMatchObject({ code: 'ERR_HTTP_STATUS', httpStatus: 503 });
      expect(webApiCalls).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('names the impersonation header and the application user in the refusal of a call on its own behalf', async () => {
    const s = session({ applicationUser: { userId: APP_USER, entraObjectId: APP_OBJECT } });
    try {
      await expect(s.whoAmI({ onBehalfOf: { entraObjectId: APP_OBJECT } })).rejects.toMatchObject({
        code: 'ERR_IMPERSONATION_NO_OP',
        message: expect.stringMatching(
          new RegExp(`^on behalf of the application user itself \\(CallerObjectId ${APP_OBJECT}\\): .+`),
        ),
      });
      await expect(s.whoAmI({ onBehalfOf: { userId: APP_USER } })).rejects.toMatchObject({
        code: 'ERR_IMPERSONATION_NO_OP',
        message: expect.stringContaining(`(MSCRMCallerID ${APP_USER})`),
      });
      // Only the id of the kind named is compared: the app's systemuserid as an Entra object id is someone else.
      await s.whoAmI({ onBehalfOf: { entraObjectId: APP_USER } });
      await s.whoAmI({ onBehalfOf: { userId: APP_OBJECT } });
      expect(webApiCalls).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('refuses an onBehalfOf id that is not a GUID as bad options, not as self-impersonation, with or without an applicationUser', async () => {
    for (const applicationUser of [undefined, { userId: APP_USER }, { entraObjectId: APP_OBJECT }]) {
      const s = session(applicationUser ? { applicationUser } : {});
      try {
        for (const onBehalfOf of [
          { entraObjectId: 'nope' },
          { userId: 'nope' },
          { entraObjectId: 5 },
          { userId: 5 },
        ])
          await expect(
            s.whoAmI({ onBehalfOf: onBehalfOf as unknown as { userId: string } }),
          ).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
        expect(webApiCalls).toBe(0);
      } finally {
        await s.close();
      }
    }
  });

  it('frees its slot after each call: one call at a time runs one after another', async () => {
    const s = session({ maxConcurrent: 1 });
    try {
      for (let i = 0; i < 3; i += 1) expect((await s.whoAmI()).userId).toBe(APP_USER);
    } finally {
      await s.close();
    }
  });

  it('drops an aborted waiter from the middle of the queue without letting the one before it jump the limit', async () => {
    const trips: RoundTrip[] = [];
    const s = session({ maxConcurrent: 1, onRoundTrip: (t) => trips.push(t) });
    try {
      await s.whoAmI();
      holdWebApi = true;
      const first = s.whoAmI();
      await until(() => held.length === 1);
      const second = s.whoAmI();
      const abort = new AbortController();
      const third = s.whoAmI({ signal: abort.signal });
      abort.abort();
      await expect(third).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      await new Promise((r) => setTimeout(r, 200));
      expect(held.length).toBe(1); // the second still waits for the first
      releaseAll();
      await first;
      await until(() => held.length === 1);
      releaseAll();
      await second;
      expect(peak).toBe(1);
      // The aborted call never reached the wire.
      expect(trips.filter((t) => t.service === 'dataverse')).toHaveLength(3);
    } finally {
      releaseAll();
      await s.close();
    }
  });

  it('lets a waiter aborted at the head of the queue go without a round trip', async () => {
    const trips: RoundTrip[] = [];
    const s = session({ maxConcurrent: 1, onRoundTrip: (t) => trips.push(t) });
    try {
      await s.whoAmI();
      holdWebApi = true;
      const first = s.whoAmI();
      await until(() => held.length === 1);
      const abort = new AbortController();
      const second = s.whoAmI({ signal: abort.signal });
      abort.abort();
      await expect(second).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      releaseAll();
      await first;
      expect(trips.filter((t) => t.service === 'dataverse')).toHaveLength(2);
      holdWebApi = false;
      expect((await s.whoAmI()).userId).toBe(APP_USER);
    } finally {
      releaseAll();
      await s.close();
    }
  });

  it('checks the OrgSession arguments before sending, naming each', async () => {
    const s = session();
    const id = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    try {
      await expect(s.retrieveRecord(undefined as never)).rejects.toThrow(
        invalidOptions('entity must be a logical name (lower case letters, digits, _)'),
      );
      for (const columns of [[], undefined])
        await expect(
          s.retrieveRecord({ entity: 'account', id, columns: columns as unknown as string[] }),
        ).rejects.toThrow(invalidOptions('columns must name at least one column'));
      await expect(s.retrieveRecord({ entity: 'account', id: 'x', columns: ['name'] })).rejects.toThrow(
        invalidOptions('id must be a GUID'),
      );
      await expect(s.updateRecord({ entity: 'account', id: 'x', fields: { name: 'n' } })).rejects.toThrow(
        invalidOptions('id must be a GUID'),
      );
      await expect(s.deleteRecord(undefined as never)).rejects.toThrow(
        invalidOptions('entity must be a logical name (lower case letters, digits, _)'),
      );
      await expect(s.resolveUserId(undefined as never)).rejects.toThrow(
        invalidOptions('entraObjectId must be a GUID'),
      );
      expect(webApiCalls).toBe(0);
    } finally {
      await s.close();
    }
  });
});
