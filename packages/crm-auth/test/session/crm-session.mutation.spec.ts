/**
 * Mutation-testing additions (stryker/README.md) for CrmSession: each option check with its
 * message, the state and events a console reads, which failures a read retries (and how often),
 * the retry-exhausted error's fields, callerId normalization, the user-id cache's expiry, the
 * store keys two processes share, and when a stored ticket is taken.
 */
import { describe, expect, it, vi } from 'vitest';
import { CrmAuthError } from '../../src/errors';
import { CrmSession, type CrmSessionOptions } from '../../src/session/crm-session';
import { MemoryTicketStore, type StoredTicket, type TicketStore } from '../../src/session/ticket-store';
import { contoso, fault, HOUR, harness, serviceAccountBundle } from '../helpers/fake-services';
import { INVALID_OPTIONS, invalidOptions } from '../helpers/invalid-options';

const account = { logicalName: 'account', attributes: { name: 'Fourth Coffee' } };
const CALLER = '6a2c1e0b-0000-4000-8000-0000000000a1';

async function failure(promise: Promise<unknown>): Promise<CrmAuthError> {
  try {
    await promise;
  } catch (err) {
    return err as CrmAuthError;
  }
  throw new Error('expected a failure');
}

/** A ticket store that records the keys it is asked for. */
class RecordingStore implements TicketStore {
  readonly inner = new MemoryTicketStore();
  readonly keys: string[] = [];
  async get(key: string): Promise<StoredTicket | undefined> {
    this.keys.push(key);
    return this.inner.get(key);
  }
  async set(key: string, value: StoredTicket): Promise<void> {
    return this.inner.set(key, value);
  }
  async delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

describe('CrmSession options: each check and its message', () => {
  const certificate = serviceAccountBundle();
  const base: CrmSessionOptions = {
    discoveryUrl: 'https://dev.crm.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
    organizationName: 'contoso',
    certificate,
  };
  const make = (o: Partial<Record<keyof CrmSessionOptions, unknown>>) => () =>
    new CrmSession({ ...base, ...o } as CrmSessionOptions);

  it('accepts the least options, and refuses a non-object', () => {
    expect(make({})).not.toThrow();
    expect(() => new CrmSession(null as unknown as CrmSessionOptions)).toThrow(
      invalidOptions('CrmSession options must be an object'),
    );
  });

  it('requires https URLs for discovery and the STS', () => {
    expect(make({ discoveryUrl: 42 })).toThrow(invalidOptions('discoveryUrl must be a string'));
    expect(make({ discoveryUrl: 'dev.crm.example/d.asmx' })).toThrow(
      invalidOptions('discoveryUrl must be an absolute URL'),
    );
    expect(make({ discoveryUrl: 'http://dev.crm.example/d.asmx' })).toThrow(
      invalidOptions('discoveryUrl must be an https URL'),
    );
    expect(make({ stsUrl: 'http://login.live.com/RST2.srf' })).toThrow(
      invalidOptions('stsUrl must be an https URL'),
    );
    expect(make({ stsUrl: 'https://login.example/RST2.srf' })).not.toThrow();
  });

  it('requires an org, by unique name or friendly name, and says which options name one', () => {
    expect(make({ organizationName: undefined })).toThrow(
      invalidOptions('give organizationName (unique name) or friendlyName'),
    );
    expect(make({ organizationName: undefined, friendlyName: undefined })).toThrow(
      invalidOptions('give organizationName (unique name) or friendlyName'),
    );
  });

  it('requires non-blank names', () => {
    expect(make({ partnerDomain: ' ' })).toThrow(invalidOptions('partnerDomain must be a non-empty string'));
    expect(make({ organizationName: '' })).toThrow(
      invalidOptions('organizationName must be a non-empty string'),
    );
    expect(make({ organizationName: undefined, friendlyName: ' \t' })).toThrow(
      invalidOptions('friendlyName must be a non-empty string'),
    );
    expect(make({ organizationName: undefined, friendlyName: 'Contoso Ltd' })).not.toThrow();
    expect(make({ certificate: 'pem' })).toThrow(invalidOptions('certificate must be a CertificateBundle'));
  });

  it('checks each number: zero allowed where it means "none", bounds named', () => {
    expect(make({ refreshAheadMs: 0 })).not.toThrow();
    expect(make({ refreshAheadMs: -1 })).toThrow(invalidOptions('refreshAheadMs must be a number >= 0'));
    expect(make({ refreshAheadMs: Number.POSITIVE_INFINITY })).toThrow(INVALID_OPTIONS);
    expect(make({ refreshAheadMs: '5' })).toThrow(INVALID_OPTIONS);
    expect(make({ maxTicketRetries: 0 })).not.toThrow();
    expect(make({ maxTicketRetries: 5 })).not.toThrow();
    expect(make({ maxTicketRetries: 6 })).toThrow(
      invalidOptions('maxTicketRetries must be an integer from 0 to 5'),
    );
    expect(make({ maxTicketRetries: -1 })).toThrow(invalidOptions('maxTicketRetries must be a number >= 0'));
    for (const name of ['timeoutMs', 'refreshTimeoutMs', 'userIdTtlMs', 'negativeUserIdTtlMs'] as const) {
      expect(make({ [name]: 0 })).toThrow(invalidOptions(`${name} must be a positive number`));
      expect(make({ [name]: Number.NaN })).toThrow(INVALID_OPTIONS);
      expect(make({ [name]: '1' })).toThrow(INVALID_OPTIONS);
      expect(make({ [name]: 1 })).not.toThrow();
    }
  });

  it('checks the CA list and the function options', () => {
    expect(make({ ca: 'pem' })).toThrow(invalidOptions('ca must be an array of PEM strings'));
    expect(make({ ca: ['pem', 7] })).toThrow(invalidOptions('ca must be an array of PEM strings'));
    expect(make({ ca: [] })).not.toThrow();
    expect(make({ clock: 5 })).toThrow(invalidOptions('clock must be a function'));
    expect(make({ refreshLock: {} })).toThrow(invalidOptions('refreshLock must be a function'));
    expect(make({ onEvent: 'log' })).toThrow(invalidOptions('onEvent must be a function'));
  });
});

describe('CrmSession state and events', () => {
  it('shows only the org and zero counts before the first call, no key for what is not known yet', () => {
    const h = harness();
    // toStrictEqual: a field not known yet is left out, not present as undefined.
    expect(h.session.getState()).toStrictEqual({
      organizationName: 'contoso',
      refreshCount: 0,
      expiredFaultCount: 0,
    });
    const named = harness({ organizationName: undefined, friendlyName: 'Contoso Ltd' });
    expect(named.session.getState()).toStrictEqual({
      friendlyName: 'Contoso Ltd',
      refreshCount: 0,
      expiredFaultCount: 0,
    });
  });

  it('shows the tickets’ times, the last refresh and a copy of the org detail after a call', async () => {
    const h = harness();
    const start = h.clock.now;
    await h.session.whoAmI();
    const state = h.session.getState();
    expect(state).toEqual({
      organizationName: 'contoso',
      organizationDetail: contoso,
      passportTicketExpiresAt: new Date(start + 24 * HOUR),
      crmTicketExpiresAt: new Date(start + 8 * HOUR),
      crmTicketIssuedAt: new Date(start),
      refreshCount: 1,
      expiredFaultCount: 0,
      lastRefreshAt: new Date(start),
      lastRefreshLatencyMs: expect.any(Number),
    });
    expect(state.lastRefreshLatencyMs).toBeGreaterThanOrEqual(0);
    expect(state.lastRefreshLatencyMs).toBeLessThan(10_000);
    expect(state.organizationDetail).not.toBe(contoso);
  });

  it('shows the org detail a friendly name was resolved to before any CRM ticket is fetched', async () => {
    const h = harness({ organizationName: undefined, friendlyName: 'Contoso Ltd' });
    // A user-id lookup resolves the org (RetrieveOrganizations) but needs no CRM ticket.
    await h.session.resolveUserId('0003BFFD8F3A5B21');
    expect(h.discovery.calls).toMatchObject({ orgs: 1, crmTicket: 0 });
    expect(h.session.getState()).toMatchObject({ organizationName: 'contoso', organizationDetail: contoso });
  });

  it('stamps each event with the session clock and the org, and describes issued tickets', async () => {
    const h = harness();
    const start = h.clock.now;
    await h.session.whoAmI();
    expect(h.events).toEqual([
      {
        type: 'passport-ticket-issued',
        at: new Date(start),
        organizationName: 'contoso',
        latencyMs: expect.any(Number),
        expiresAt: new Date(start + 24 * HOUR),
      },
      {
        type: 'crm-ticket-issued',
        at: new Date(start),
        organizationName: 'contoso',
        latencyMs: expect.any(Number),
        operation: 'RetrieveCrmTicket',
        expiresAt: new Date(start + 8 * HOUR),
      },
    ]);
  });

  it('reports a ticket fault with its operation and code, and a failed refresh with its operation', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.crm.expired.add('crm-ticket-1');
    h.discovery.failures.push(new CrmAuthError('ERR_HTTP_STATUS', 'HTTP 503', { httpStatus: 503 }));
    await failure(h.session.retrieve({ entityName: 'account', id: CALLER, columns: 'all' }));
    expect(h.events.slice(2)).toEqual([
      {
        type: 'expired-ticket-fault',
        at: expect.any(Date),
        organizationName: 'contoso',
        operation: 'Retrieve',
        errorCode: 'ERR_CRM_EXPIRED_TICKET',
      },
      {
        type: 'refresh-failed',
        at: expect.any(Date),
        organizationName: 'contoso',
        latencyMs: expect.any(Number),
        operation: 'RetrieveCrmTicket',
        errorCode: 'ERR_HTTP_STATUS',
      },
    ]);
    expect(h.session.getState()).toMatchObject({
      expiredFaultCount: 1,
      lastError: { code: 'ERR_HTTP_STATUS', message: 'HTTP 503', at: new Date(h.clock.now) },
    });
  });

  it('reports a failed Passport refresh as RequestSecurityToken and counts bad-ticket faults apart from expired ones', async () => {
    const h = harness();
    h.wlid.requestTicket = async () => {
      throw new CrmAuthError('ERR_WLID_FAULT', 'no');
    };
    await failure(h.session.whoAmI());
    // The Passport refresh fails inside the CRM ticket's refresh: each reports its own operation.
    expect(h.events.filter((e) => e.type === 'refresh-failed')).toEqual([
      expect.objectContaining({ operation: 'RequestSecurityToken', errorCode: 'ERR_WLID_FAULT' }),
      expect.objectContaining({ operation: 'RetrieveCrmTicket', errorCode: 'ERR_WLID_FAULT' }),
    ]);

    const b = harness();
    await b.session.whoAmI();
    b.crm.failures.whoAmI = [fault('ERR_CRM_BAD_TICKET', '0x8004A102')];
    await b.session.whoAmI();
    expect(b.session.getState().expiredFaultCount).toBe(0);
    expect(b.events.find((e) => e.type === 'bad-ticket-fault')).toMatchObject({
      operation: 'WhoAmI',
      errorCode: 'ERR_CRM_BAD_TICKET',
    });
  });

  it('counts a forced refresh and reports it as refreshed, not issued', async () => {
    const h = harness();
    await h.session.whoAmI();
    await h.session.refresh();
    expect(h.session.getState().refreshCount).toBe(2);
    expect(h.events.at(-1)).toMatchObject({ type: 'crm-ticket-refreshed', operation: 'RetrieveCrmTicket' });
    await h.session.whoAmI();
    expect(h.crm.tokens.at(-1)?.crmTicket).toBe('crm-ticket-2');
  });

  it('refuses every call after close, with a message saying so, and closes twice quietly', async () => {
    const h = harness();
    await h.session.close();
    await h.session.close();
    for (const call of [
      () => h.session.whoAmI(),
      () => h.session.refresh(),
      () => h.session.resolveUserId('0003BFFD8F3A5B21'),
      () => h.session.create(account),
    ]) {
      expect(await failure(call())).toMatchObject({
        code: 'ERR_INVALID_OPTIONS',
        message: 'the session is closed',
      });
    }
  });
});

describe('CrmSession: clients and discovery calls it keeps', () => {
  it('makes one CrmService client per CrmServiceUrl and reuses it for every call', async () => {
    const urls: string[] = [];
    const h = harness();
    const s = new CrmSession({
      discoveryUrl: 'https://dev.crm.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
      organizationName: 'contoso',
      certificate: serviceAccountBundle(),
      clock: h.clock.read,
      clients: {
        wlid: h.wlid,
        discovery: h.discovery,
        crmService: (url) => {
          urls.push(url);
          return h.crm;
        },
      },
    });
    await s.whoAmI();
    await s.create(account);
    await s.refresh();
    await s.whoAmI();
    expect(urls).toEqual([contoso.crmServiceUrl]);
  });

  it('asks discovery for the policy once, even when the Passport ticket is replaced', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.discovery.refusedPassports.add('t=passport-1&p=');
    await h.session.refresh();
    expect(h.wlid.calls).toBe(2);
    expect(h.discovery.calls.policy).toBe(1);
  });

  it('leaves organizationName out of events until the org is known', async () => {
    const h = harness({ organizationName: undefined, friendlyName: 'Contoso Ltd' });
    await h.session.whoAmI();
    const first = h.events[0] as Record<string, unknown>;
    expect(first.type).toBe('passport-ticket-issued');
    expect('organizationName' in first).toBe(false);
    expect(h.events.at(-1)).toMatchObject({ type: 'crm-ticket-issued', organizationName: 'contoso' });
  });
});

describe('CrmSession: which failures a read retries', () => {
  const transient: Array<[string, CrmAuthError]> = [
    ['a timeout', new CrmAuthError('ERR_TIMEOUT', 't')],
    ['a reset', new CrmAuthError('ERR_CONNECTION_RESET', 'r')],
    ['a refused connection', new CrmAuthError('ERR_CONNECTION_REFUSED', 'r')],
    ['HTTP 429', new CrmAuthError('ERR_HTTP_STATUS', '429', { httpStatus: 429 })],
    ['HTTP 502', new CrmAuthError('ERR_HTTP_STATUS', '502', { httpStatus: 502 })],
    ['HTTP 503', new CrmAuthError('ERR_HTTP_STATUS', '503', { httpStatus: 503 })],
    ['HTTP 504', new CrmAuthError('ERR_HTTP_STATUS', '504', { httpStatus: 504 })],
    [
      'HTTP 503 with Retry-After at the 2 s cap',
      new CrmAuthError('ERR_HTTP_STATUS', '503', { httpStatus: 503, retryAfterMs: 0 }),
    ],
  ];
  it.each(transient)('retries a read once after %s', async (_label, err) => {
    const h = harness();
    h.crm.failures.retrieveMultiple = [err];
    await h.session.retrieveMultiple({ entityName: 'account', columns: 'all' });
    expect(h.crm.calls.retrieveMultiple).toBe(2);
  });

  const final: Array<[string, Error]> = [
    ['HTTP 500', new CrmAuthError('ERR_HTTP_STATUS', '500', { httpStatus: 500 })],
    ['an HTTP status error without a status', new CrmAuthError('ERR_HTTP_STATUS', '?')],
    ['a DNS failure', new CrmAuthError('ERR_DNS', 'dns')],
    ['a TLS failure', new CrmAuthError('ERR_TLS', 'tls')],
    ['a CRM fault', new CrmAuthError('ERR_CRM_FAULT', 'fault')],
    ['an error that is not a CrmAuthError', new Error('bug')],
    [
      'a Retry-After above the 2 s cap',
      new CrmAuthError('ERR_HTTP_STATUS', '503', { httpStatus: 503, retryAfterMs: 2_001 }),
    ],
  ];
  it.each(final)('does not retry a read after %s', async (_label, err) => {
    const h = harness();
    h.crm.failures.whoAmI = [err];
    expect(await failure(h.session.whoAmI())).toBe(err);
    expect(h.crm.calls.whoAmI).toBe(1);
  });

  it('waits a full jitter of up to 250 ms before that retry: at Math.random() 0.99, at least 247 ms', async () => {
    const h = harness();
    h.crm.failures.whoAmI = [new CrmAuthError('ERR_CONNECTION_RESET', 'r')];
    await h.session.whoAmI(); // tickets first, so that only the retry's pause is timed
    h.crm.failures.whoAmI = [new CrmAuthError('ERR_CONNECTION_RESET', 'r')];
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99);
    try {
      const started = performance.now();
      await h.session.whoAmI();
      expect(performance.now() - started).toBeGreaterThanOrEqual(246);
    } finally {
      random.mockRestore();
    }
  });

  it('retries a Retrieve once after a transient failure, as the other reads', async () => {
    const h = harness();
    h.crm.failures.retrieve = [
      new CrmAuthError('ERR_HTTP_STATUS', '503', { httpStatus: 503, retryAfterMs: 0 }),
    ];
    const { entity } = await h.session.retrieve({ entityName: 'account', id: CALLER, columns: 'all' });
    expect(entity.attributes).toEqual({ accountid: CALLER });
    expect(h.crm.calls.retrieve).toBe(2);
  });

  it('waits the Retry-After the server asks for when it is at most 2 s', async () => {
    const h = harness();
    h.crm.failures.whoAmI = [
      new CrmAuthError('ERR_HTTP_STATUS', '429', { httpStatus: 429, retryAfterMs: 150 }),
    ];
    const started = performance.now();
    await h.session.whoAmI();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(h.crm.calls.whoAmI).toBe(2);
  });

  it('lets a caller abort the wait before the retry', async () => {
    const h = harness();
    h.crm.failures.whoAmI = [
      new CrmAuthError('ERR_HTTP_STATUS', '429', { httpStatus: 429, retryAfterMs: 2_000 }),
    ];
    const controller = new AbortController();
    const call = h.session.whoAmI({ signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await failure(call)).toMatchObject({ code: 'ERR_ABORTED' });
    expect(h.crm.calls.whoAmI).toBe(1);
  });

  it('does not retry a write after a transient failure, even a Delete', async () => {
    const h = harness();
    h.crm.failures.delete = [new CrmAuthError('ERR_TIMEOUT', 't')];
    await failure(h.session.delete('account', CALLER));
    expect(h.crm.calls.delete).toBe(1);
  });
});

describe('CrmSession: ticket faults and the retry bound', () => {
  it('fails with ERR_RETRIES_EXHAUSTED naming the operation, the refreshes, the org and the not-executed proof', async () => {
    const h = harness({ maxTicketRetries: 2 });
    h.crm.allExpired = true;
    const err = await failure(h.session.create(account));
    expect(err).toMatchObject({
      code: 'ERR_RETRIES_EXHAUSTED',
      message: 'Create: the ticket was refused again after 2 refresh(es)',
      operation: 'Create',
      organizationName: 'contoso',
      notExecuted: true,
    });
    expect((err.cause as CrmAuthError).code).toBe('ERR_CRM_EXPIRED_TICKET');
    expect(h.crm.calls.create).toBe(3);
  });

  it('retries a call whose ticket expired after serving an earlier call, without spending maxTicketRetries', async () => {
    const h = harness({ maxTicketRetries: 0 });
    await h.session.whoAmI();
    // crm-ticket-1 served that call, then expired early: a new event, not the same problem again.
    h.crm.expired.add('crm-ticket-1');
    await h.session.create(account);
    expect(h.crm.tokens.map((t) => t.crmTicket)).toEqual(['crm-ticket-1', 'crm-ticket-1', 'crm-ticket-2']);
    expect(h.crm.calls.create).toBe(2);
  });

  it('does not claim not-executed when the refused read carried no such proof', async () => {
    const h = harness({ maxTicketRetries: 0 });
    h.crm.failures.whoAmI = [new CrmAuthError('ERR_CRM_EXPIRED_TICKET', 'expired')];
    const err = await failure(h.session.whoAmI());
    expect(err.code).toBe('ERR_RETRIES_EXHAUSTED');
    expect(err.message).toBe('WhoAmI: the ticket was refused again after 0 refresh(es)');
    expect(err.notExecuted).toBeUndefined();
  });

  it('replaces a refused Passport ticket only once per discovery call', async () => {
    const h = harness();
    h.wlid.requestTicket = async () => ({
      ticket: 'always-refused',
      created: new Date(h.clock.now),
      expires: new Date(h.clock.now + 24 * HOUR),
    });
    h.discovery.refusedPassports.add('always-refused');
    const err = await failure(h.session.whoAmI());
    expect(err.code).toBe('ERR_CRM_BAD_TICKET');
    expect(h.discovery.calls.crmTicket).toBe(2);
  });

  it('refuses an org detail whose CrmServiceUrl is not https, before any CrmService call', async () => {
    const h = harness();
    h.discovery.issuedFor = { ...contoso, crmServiceUrl: 'http://contoso.crm.example/CrmService.asmx' };
    expect(await failure(h.session.whoAmI())).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: "the organization's CrmServiceUrl is not an https URL",
      operation: 'RetrieveCrmTicket',
    });
    expect(h.crm.calls.whoAmI).toBe(0);
  });

  it('takes a ticket issued for the same org in another case', async () => {
    const h = harness();
    h.discovery.issuedFor = { ...contoso, organizationName: 'CONTOSO' };
    await h.session.whoAmI();
    expect(h.crm.tokens[0]?.organizationName).toBe('CONTOSO');
  });
});

describe('CrmSession: callerId', () => {
  it('refuses a callerId that is not a GUID, and sends none for null, undefined or all zeros', async () => {
    const h = harness();
    expect(await failure(h.session.whoAmI({ callerId: 'jon' }))).toEqual(
      invalidOptions('callerId must be a GUID'),
    );
    expect(await failure(h.session.whoAmI({ callerId: 42 as unknown as string }))).toEqual(INVALID_OPTIONS);
    await h.session.whoAmI({ callerId: null });
    await h.session.whoAmI({ callerId: '{00000000-0000-0000-0000-000000000000}' });
    await h.session.whoAmI({ callerId: `{${CALLER.toUpperCase()}}` });
    expect(h.crm.tokens.map((t) => t.callerId)).toEqual([null, null, CALLER]);
  });
});

describe('CrmSession: user ids', () => {
  const PUID = '0003BFFD8F3A5B21';

  it('serves a resolved user id until its TTL ends, and asks again at that instant', async () => {
    const h = harness({ userIdTtlMs: 10_000 });
    expect(await h.session.resolveUserId(PUID.toLowerCase())).toBe(CALLER);
    h.clock.advance(9_999);
    await h.session.resolveUserId(PUID);
    expect(h.discovery.calls.userId).toBe(1);
    h.clock.advance(1);
    await h.session.resolveUserId(PUID);
    expect(h.discovery.calls.userId).toBe(2);
  });

  it('serves a resolved user id for one hour by default, and asks again at that instant', async () => {
    const h = harness();
    expect(await h.session.resolveUserId(PUID)).toBe(CALLER);
    h.clock.advance(HOUR - 1);
    await h.session.resolveUserId(PUID);
    expect(h.discovery.calls.userId).toBe(1);
    h.clock.advance(1);
    await h.session.resolveUserId(PUID);
    expect(h.discovery.calls.userId).toBe(2);
  });

  it('answers "no such user" from the cache until the negative TTL ends, with the operation and org', async () => {
    const h = harness({ negativeUserIdTtlMs: 5_000 });
    const unknown = 'FFFFFFFFFFFFFFFF';
    expect((await failure(h.session.resolveUserId(unknown))).code).toBe('ERR_CRM_OBJECT_NOT_FOUND');
    h.clock.advance(4_999);
    expect(await failure(h.session.resolveUserId(unknown))).toMatchObject({
      code: 'ERR_CRM_OBJECT_NOT_FOUND',
      message: 'no CRM user has this PUID in the org (cached answer)',
      operation: 'RetrieveCrmUserIdByExternalId',
      organizationName: 'contoso',
    });
    expect(h.discovery.calls.userId).toBe(1);
    h.clock.advance(1);
    await failure(h.session.resolveUserId(unknown));
    expect(h.discovery.calls.userId).toBe(2);
  });

  it('does not cache a failure other than "no such user"', async () => {
    const h = harness();
    const original = h.discovery.retrieveCrmUserIdByExternalId.bind(h.discovery);
    let calls = 0;
    h.discovery.retrieveCrmUserIdByExternalId = async (args) => {
      calls += 1;
      if (calls === 1) throw new CrmAuthError('ERR_TIMEOUT', 'slow');
      return original(args);
    };
    expect((await failure(h.session.resolveUserId(PUID))).code).toBe('ERR_TIMEOUT');
    expect(await h.session.resolveUserId(PUID)).toBe(CALLER);
  });

  it('shares one lookup between concurrent calls for a PUID, and makes a new one afterwards', async () => {
    const h = harness({ userIdTtlMs: 1 });
    const [a, b] = await Promise.all([
      h.session.resolveUserId(PUID),
      h.session.resolveUserId(PUID.toLowerCase()),
    ]);
    expect([a, b]).toEqual([CALLER, CALLER]);
    expect(h.discovery.calls.userId).toBe(1);
    h.clock.advance(1);
    await h.session.resolveUserId(PUID);
    expect(h.discovery.calls.userId).toBe(2);
  });

  it('refuses a PUID that is not 16 hex digits with ERR_INVALID_OPTIONS saying so', async () => {
    const h = harness();
    for (const bad of ['0003BFFD8F3A5B2', '0003BFFD8F3A5B21A', '0003BFFD8F3A5B2G', 16 as unknown as string]) {
      expect(await failure(h.session.resolveUserId(bad))).toEqual(
        invalidOptions('hexPuid must be 16 hex digits'),
      );
    }
  });
});

describe('CrmSession: tickets in a shared store', () => {
  it('keys the Passport ticket by STS host, partner domain and account, and the CRM ticket by discovery host, org and account', async () => {
    const store = new RecordingStore();
    const h = harness({
      ticketStore: store,
      stsUrl: 'https://sts.example:8443/RST2.srf',
      partnerDomain: 'crm.example',
    });
    await h.session.whoAmI();
    const account = serviceAccountBundle().thumbprintSha1Hex.replace(/ /g, '');
    expect(store.keys).toEqual([
      `crm-ticket|dev.crm.example|contoso|${account}`,
      `passport|sts.example:8443|crm.example|${account}`,
    ]);
  });

  it('uses the default STS host and partner domain in the Passport key', async () => {
    const store = new RecordingStore();
    const h = harness({ ticketStore: store });
    await h.session.whoAmI();
    expect(store.keys[1]).toMatch(/^passport\|login\.live\.com\|crm\.dynamics\.com\|[0-9a-f]{40}$/);
  });

  it('takes a stored ticket only while it is clear of its refresh window, and never on a forced refresh', async () => {
    const store = new MemoryTicketStore();
    const a = harness({ ticketStore: store });
    await a.session.whoAmI();
    // A second process, when the stored CRM ticket is due (8 h lifetime, 5 min ahead).
    a.clock.advance(8 * HOUR - 5 * 60_000);
    const b = harness({ ticketStore: store }, { clock: a.clock, discovery: a.discovery, wlid: a.wlid });
    await b.session.whoAmI();
    expect(a.discovery.calls.crmTicket).toBe(2);
    expect(b.crm.tokens[0]?.crmTicket).toBe('crm-ticket-2');
    // A third one a moment earlier in the window's terms takes the stored ticket.
    const c = harness({ ticketStore: store }, { clock: a.clock, discovery: a.discovery, wlid: a.wlid });
    await c.session.whoAmI();
    expect(a.discovery.calls.crmTicket).toBe(2);
    await c.session.refresh();
    expect(a.discovery.calls.crmTicket).toBe(3);
    expect(a.wlid.calls).toBe(1);
  });

  it('reports a ticket from the store as neither issued nor counted', async () => {
    const store = new MemoryTicketStore();
    const a = harness({ ticketStore: store });
    await a.session.whoAmI();
    const b = harness({ ticketStore: store }, { clock: a.clock, discovery: a.discovery, wlid: a.wlid });
    await b.session.whoAmI();
    expect(b.events.map((e) => e.type)).toEqual([]);
    expect(b.session.getState()).toMatchObject({ refreshCount: 0, organizationDetail: contoso });
    expect(b.session.getState().lastRefreshAt).toEqual(new Date(a.clock.now));
  });
});
