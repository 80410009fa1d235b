import { DEMO_ENTRA, DEMO_IDS } from '@onbehalf/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RoundTrip } from '../../src/clients/round-trip';
import { DataverseSession, type DataverseSessionOptions } from '../../src/dataverse/dataverse-session';
import type { SessionEvent } from '../../src/session/session-event';
import { MemoryTicketStore } from '../../src/session/ticket-store';
import { startTestEmulator, type EmulatorHarness } from '../helpers/emulator-harness';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await startTestEmulator();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await h.emulator.control.reset();
});

function session(trips: RoundTrip[], over: Partial<DataverseSessionOptions> = {}): DataverseSession {
  return new DataverseSession({
    authorityUrl: h.emulator.entra.authorityUrl,
    tenant: h.emulator.entra.tenantId,
    clientId: h.emulator.entra.clientId,
    certificate: h.demoBundle,
    environmentUrl: h.emulator.entra.environmentUrl,
    ca: [h.emulator.caCertPem],
    onRoundTrip: (t) => trips.push(t),
    ...over,
  });
}

const count = (trips: RoundTrip[], service: string) => trips.filter((t) => t.service === service).length;

describe('DataverseSession against the emulator', { timeout: 30_000 }, () => {
  it('gets one token for many calls: 20 concurrent creates on behalf of Jon cost 1 token request and 20 Web API round trips', async () => {
    const trips: RoundTrip[] = [];
    const s = session(trips);
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.create(
          { entitySet: 'accounts', attributes: { name: `Herd ${i}` } },
          { onBehalfOf: { entraObjectId: DEMO_ENTRA.jonObjectId } },
        ),
      ),
    );
    expect(new Set(ids).size).toBe(20);
    expect({ entra: count(trips, 'entra'), dataverse: count(trips, 'dataverse') }).toEqual({
      entra: 1,
      dataverse: 20,
    });
    const record = await s.retrieve({ entitySet: 'accounts', id: ids[0]! });
    expect(record).toMatchObject({
      _createdby_value: DEMO_IDS.dvJonWilson,
      _createdonbehalfby_value: DEMO_IDS.dvAppUser,
    });
    expect(s.getState()).toMatchObject({ tokenRefreshes: 1, expiredTokenFaults: 0 });
    expect(s.getState().tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    await s.close();
  });

  it('refreshes once and retries when the service stops accepting its token (401), the calls in flight sharing that one refresh', async () => {
    const trips: RoundTrip[] = [];
    const s = session(trips);
    await s.whoAmI();
    // A reset forgets every token the emulator issued: the cached one now answers 401.
    await h.emulator.control.reset();
    const who = await Promise.all(
      Array.from({ length: 5 }, () => s.whoAmI({ onBehalfOf: { entraObjectId: DEMO_ENTRA.jonObjectId } })),
    );
    expect(who.map((w) => w.userId)).toEqual(Array(5).fill(DEMO_IDS.dvJonWilson));
    expect(count(trips, 'entra')).toBe(2);
    expect(s.getState()).toMatchObject({ tokenRefreshes: 2, expiredTokenFaults: 5 });
    await s.close();
  });

  it('reports ticket health as CrmSession does: the token issued, each 401 met, the token refreshed, a refresh that failed; a throwing listener changes nothing', async () => {
    const events: SessionEvent[] = [];
    const s = session([], {
      onEvent: (e) => {
        events.push(e);
        throw new Error('a broken listener');
      },
    });
    await s.whoAmI();
    await h.emulator.control.reset();
    await s.whoAmI();
    expect(events.map((e) => e.type)).toEqual([
      'crm-ticket-issued',
      'expired-ticket-fault',
      'crm-ticket-refreshed',
    ]);
    expect(events[0]).toMatchObject({
      operation: 'AcquireToken',
      expiresAt: expect.any(Date),
    });
    expect(events[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(events[1]).toMatchObject({ errorCode: 'ERR_CRM_EXPIRED_TICKET', operation: 'WhoAmI' });
    expect(events[2]!.expiresAt).toEqual(s.getState().tokenExpiresAt);
    expect(JSON.stringify(events)).not.toContain('Bearer');
    await s.close();

    const failing: SessionEvent[] = [];
    const bad = session([], { tenant: 'nowhere.onmicrosoft.com', onEvent: (e) => failing.push(e) });
    await expect(bad.whoAmI()).rejects.toMatchObject({ code: 'ERR_ENTRA_TENANT_NOT_FOUND' });
    expect(failing).toEqual([
      expect.objectContaining({
        type: 'refresh-failed',
        errorCode: 'ERR_ENTRA_TENANT_NOT_FOUND',
        operation: 'AcquireToken',
      }),
    ]);
    await bad.close();
  });

  it('gives up with ERR_RETRIES_EXHAUSTED when the new token is refused too', async () => {
    const trips: RoundTrip[] = [];
    // The emulator forgets every token right after issuing it: each new one is refused as well.
    const s = session(trips, {
      maxTokenRetries: 1,
      refreshLock: async (_key, fn) => {
        const loaded = await fn();
        h.emulator.entra.directory.reset();
        return loaded;
      },
    });
    await expect(s.whoAmI()).rejects.toMatchObject({ code: 'ERR_RETRIES_EXHAUSTED', httpStatus: 401 });
    expect({ entra: count(trips, 'entra'), dataverse: count(trips, 'dataverse') }).toEqual({
      entra: 2,
      dataverse: 2,
    });
    await s.close();
  });

  it('tries a read and a write once more after a 429 with a short Retry-After (it proves the call did not run), surfaces a second 429 or a long Retry-After', async () => {
    const trips: RoundTrip[] = [];
    const s = session(trips);
    await s.whoAmI();
    const throttle = (count: number, retryAfterSec = 1) =>
      h.emulator.control.addScenario({
        name: 'THROTTLED',
        endpoint: 'crm',
        params: { status: 429, retryAfterSec, count },
      });
    throttle(1);
    let started = Date.now();
    expect((await s.whoAmI()).userId).toBe(DEMO_IDS.dvAppUser);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    throttle(1);
    const id = await s.create({ entitySet: 'accounts', attributes: { name: 'Throttled once' } });
    expect((await s.retrieve({ entitySet: 'accounts', id, select: ['name'] })).name).toBe('Throttled once');
    throttle(2);
    await expect(s.create({ entitySet: 'accounts', attributes: { name: 'x' } })).rejects.toMatchObject({
      code: 'ERR_HTTP_STATUS',
      httpStatus: 429,
      retryAfterMs: 1000,
      faultCode: '0x80072322',
    });
    throttle(1, 30);
    started = Date.now();
    await expect(s.whoAmI()).rejects.toMatchObject({ httpStatus: 429, retryAfterMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    // whoAmI 1 + 2, create 2, retrieve 1, create 2, whoAmI 1.
    expect(count(trips, 'dataverse')).toBe(9);
    await s.close();
  });

  it("resolves Jon's Entra object id to his systemuserid and name through the Web API's systemusers query; an unknown id is not found", async () => {
    const s = session([]);
    expect(await s.resolveUserId({ entraObjectId: DEMO_ENTRA.jonObjectId })).toEqual({
      userId: DEMO_IDS.dvJonWilson,
      fullName: 'Jon Wilson',
      disabled: false,
    });
    await expect(
      s.resolveUserId({ entraObjectId: '00000000-0000-4000-8000-000000000001' }),
    ).rejects.toMatchObject({ code: 'ERR_CRM_OBJECT_NOT_FOUND' });
    await s.close();
  });

  it("lists the environment's users: the application user with its app id, Jon and Rita with their Entra object ids", async () => {
    const s = session([]);
    const users = await s.listUsers({ top: 10 });
    expect(users).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: DEMO_IDS.dvAppUser, applicationId: DEMO_ENTRA.clientId }),
        expect.objectContaining({
          userId: DEMO_IDS.dvJonWilson,
          fullName: 'Jon Wilson',
          entraObjectId: DEMO_ENTRA.jonObjectId,
          applicationId: null,
        }),
        expect.objectContaining({ userId: DEMO_IDS.dvRitaReed, entraObjectId: DEMO_ENTRA.ritaObjectId }),
      ]),
    );
    expect(await s.listUsers({ top: 1 })).toHaveLength(1);
    // People only: the service leaves out the application user (and any disabled user or one without an Entra id).
    const people = await s.listUsers({ top: 10, peopleOnly: true });
    expect(people.map((u) => u.userId).sort()).toEqual([DEMO_IDS.dvJonWilson, DEMO_IDS.dvRitaReed].sort());
    await s.close();
  });

  it('shows the token times and counts in getState, never the token', async () => {
    const s = session([]);
    await s.whoAmI();
    const state = s.getState();
    expect(Object.keys(state).sort()).toEqual([
      'environmentUrl',
      'expiredTokenFaults',
      'tokenExpiresAt',
      'tokenIssuedAt',
      'tokenRefreshes',
    ]);
    await s.close();
  });

  it("shares the token through the store: a second process's session makes no token request", async () => {
    const store = new MemoryTicketStore();
    const a: RoundTrip[] = [];
    const b: RoundTrip[] = [];
    const s1 = session(a, { ticketStore: store });
    const s2 = session(b, { ticketStore: store });
    await s1.whoAmI();
    await s2.whoAmI();
    expect({ first: count(a, 'entra'), second: count(b, 'entra') }).toEqual({ first: 1, second: 0 });
    await s1.close();
    await s2.close();
  });

  it("gets a new token on refresh() even in a new process whose store holds a fresh one (as CrmSession's refresh does), and stores it", async () => {
    const store = new MemoryTicketStore();
    const a: RoundTrip[] = [];
    const b: RoundTrip[] = [];
    const s1 = session(a, { ticketStore: store });
    await s1.whoAmI();
    const first = s1.getState().tokenIssuedAt!.getTime();
    const s2 = session(b, { ticketStore: store });
    await new Promise((r) => setTimeout(r, 1100)); // the emulator's issue time is in seconds
    await s2.refresh();
    expect(count(b, 'entra')).toBe(1);
    expect(s2.getState().tokenIssuedAt!.getTime()).toBeGreaterThan(first);
    // A third session now takes the refreshed token from the store.
    const c: RoundTrip[] = [];
    const s3 = session(c, { ticketStore: store });
    await s3.whoAmI();
    expect(count(c, 'entra')).toBe(0);
    expect(s3.getState().tokenIssuedAt).toEqual(s2.getState().tokenIssuedAt);
    await Promise.all([s1.close(), s2.close(), s3.close()]);
  });

  it('surfaces the typed error of a refused token request and of a refused call', async () => {
    const trips: RoundTrip[] = [];
    const s = session(trips, { tenant: 'nowhere.onmicrosoft.com' });
    await expect(s.whoAmI()).rejects.toMatchObject({ code: 'ERR_ENTRA_TENANT_NOT_FOUND' });
    await s.close();
    const ok = session(trips);
    await expect(
      ok.create(
        { entitySet: 'accounts', attributes: { name: 'x' } },
        { onBehalfOf: { entraObjectId: DEMO_ENTRA.ritaObjectId } },
      ),
    ).rejects.toMatchObject({ code: 'ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED' });
    await ok.close();
    await expect(ok.whoAmI()).rejects.toMatchObject({
      code: 'ERR_INVALID_OPTIONS',
      message: 'the session is closed',
    });
  });
});
