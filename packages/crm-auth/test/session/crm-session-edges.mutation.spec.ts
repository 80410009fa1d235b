/**
 * Mutation-testing additions (stryker/README.md) for CrmSession's edges: option checks that must
 * hold even when every client is supplied, the names a refresh timeout and a store failure carry,
 * Passport tickets taken from a shared store, what a forced refresh and a refused ticket do with a
 * ticket another process stored, which thrown values a read retries, user-id store entries, and
 * closing the connections the session opened.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CrmAuthError } from '../../src/errors';
import { CrmSession, type CrmSessionOptions } from '../../src/session/crm-session';
import { MemoryTicketStore, type StoredTicket, type TicketStore } from '../../src/session/ticket-store';
import type { UserIdEntry, UserIdStore } from '../../src/session/user-id-store';
import { HttpsTransport } from '../../src/transport/https-transport';
import { contoso, fault, HOUR, harness, serviceAccountBundle } from '../helpers/fake-services';
import { invalidOptions } from '../helpers/invalid-options';

const CALLER = '6a2c1e0b-0000-4000-8000-0000000000a1';
const PUID = '0003BFFD8F3A5B21';
const DISCOVERY_URL = 'https://dev.crm.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';

// The service account's keys and certificates are made once per file: seconds on a loaded machine.
beforeAll(() => {
  serviceAccountBundle();
}, 60_000);

afterEach(() => {
  vi.restoreAllMocks();
});

async function failure(promise: Promise<unknown>): Promise<CrmAuthError> {
  try {
    await promise;
  } catch (err) {
    return err as CrmAuthError;
  }
  throw new Error('expected a failure');
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A promise that never settles (a service that does not answer). */
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** A memory ticket store whose calls fail for the keys a predicate picks. */
class PickyStore implements TicketStore {
  readonly inner = new MemoryTicketStore();
  constructor(
    private readonly failGet: (key: string) => boolean,
    private readonly failSet: (key: string) => boolean,
  ) {}
  async get(key: string): Promise<StoredTicket | undefined> {
    if (this.failGet(key)) throw new Error('store down');
    return this.inner.get(key);
  }
  async set(key: string, value: StoredTicket): Promise<void> {
    if (this.failSet(key)) throw new Error('store down');
    return this.inner.set(key, value);
  }
  async delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

describe('CrmSession options: checks that do not depend on the clients', () => {
  const withClients = (o: Record<string, unknown>) => () => {
    const h = harness();
    return new CrmSession({
      discoveryUrl: DISCOVERY_URL,
      organizationName: 'contoso',
      certificate: serviceAccountBundle(),
      clients: { wlid: h.wlid, discovery: h.discovery, crmService: () => h.crm },
      ...o,
    } as CrmSessionOptions);
  };

  it('refuses options that are a string, not an object, with the options message', () => {
    expect(() => new CrmSession('contoso' as unknown as CrmSessionOptions)).toThrow(
      invalidOptions('CrmSession options must be an object'),
    );
  });

  it('checks the CA list even when every client is supplied, and accepts a list of strings', () => {
    expect(withClients({ ca: ['pem', 7] })).toThrow(invalidOptions('ca must be an array of PEM strings'));
    expect(withClients({ ca: ['-----BEGIN CERTIFICATE-----'] })).not.toThrow();
  });

  it('refuses a name that is not a string with its own message', () => {
    expect(withClients({ partnerDomain: 42 })).toThrow(
      invalidOptions('partnerDomain must be a non-empty string'),
    );
    expect(withClients({ organizationName: 42 })).toThrow(
      invalidOptions('organizationName must be a non-empty string'),
    );
  });
});

describe('CrmSession: what a failed refresh is called', () => {
  it('names the Passport ticket in the timeout of its refresh', async () => {
    const h = harness({ refreshTimeoutMs: 50 });
    h.wlid.requestTicket = () => never();
    expect(await failure(h.session.resolveUserId(PUID))).toMatchObject({
      code: 'ERR_TIMEOUT',
      message: 'refreshing the Passport ticket took longer than 50 ms',
    });
  });

  it('names the CRM ticket in the timeout of its refresh', async () => {
    const h = harness({ refreshTimeoutMs: 50 });
    h.discovery.retrieveCrmTicket = () => never();
    expect(await failure(h.session.whoAmI())).toMatchObject({
      code: 'ERR_TIMEOUT',
      message: 'refreshing the CRM ticket took longer than 50 ms',
    });
  });

  it('names the store call that failed: get for the Passport ticket, set for the CRM ticket', async () => {
    const passportGet = harness({
      ticketStore: new PickyStore(
        (key) => key.startsWith('passport|'),
        () => false,
      ),
    });
    expect(await failure(passportGet.session.whoAmI())).toMatchObject({
      code: 'ERR_TICKET_STORE',
      message: 'the ticket store failed (get)',
    });
    const crmSet = harness({
      ticketStore: new PickyStore(
        () => false,
        (key) => key.startsWith('crm-ticket|'),
      ),
    });
    expect(await failure(crmSet.session.whoAmI())).toMatchObject({
      code: 'ERR_TICKET_STORE',
      message: 'the ticket store failed (set)',
    });
  });

  it('says which org a ticket for another org was issued to refuse, with the operation and the org asked for', async () => {
    const h = harness();
    h.discovery.issuedFor = { ...contoso, organizationName: 'fabrikam' };
    expect(await failure(h.session.whoAmI())).toMatchObject({
      code: 'ERR_UNEXPECTED_MESSAGE',
      message: 'RetrieveCrmTicket answered for another organization',
      operation: 'RetrieveCrmTicket',
      organizationName: 'contoso',
    });
  });

  it('records a thrown value that is not an Error as code Error, and reports the failed refreshes without a code', async () => {
    const h = harness();
    h.wlid.requestTicket = async () => {
      throw 'sts down';
    };
    expect(await failure(h.session.whoAmI())).toBe('sts down');
    expect(h.session.getState().lastError).toEqual({
      code: 'Error',
      message: 'sts down',
      at: new Date(h.clock.now),
    });
    expect(h.events).toEqual([
      {
        type: 'refresh-failed',
        at: new Date(h.clock.now),
        organizationName: 'contoso',
        latencyMs: expect.any(Number),
        operation: 'RequestSecurityToken',
      },
      {
        type: 'refresh-failed',
        at: new Date(h.clock.now),
        organizationName: 'contoso',
        latencyMs: expect.any(Number),
        operation: 'RetrieveCrmTicket',
      },
    ]);
  });

  it.each([
    [
      'RetrieveMultiple',
      (h: ReturnType<typeof harness>) =>
        h.session.retrieveMultiple({ entityName: 'account', columns: 'all' }),
    ],
    [
      'Update',
      (h: ReturnType<typeof harness>) =>
        h.session.update({ logicalName: 'account', attributes: { accountid: CALLER } }),
    ],
    ['Delete', (h: ReturnType<typeof harness>) => h.session.delete('account', CALLER)],
  ] as const)(
    'names %s in the error when its ticket is refused past the retry bound',
    async (operation, call) => {
      const h = harness({ maxTicketRetries: 0 });
      h.crm.allExpired = true;
      expect(await failure(call(h))).toMatchObject({
        code: 'ERR_RETRIES_EXHAUSTED',
        message: `${operation}: the ticket was refused again after 0 refresh(es)`,
        operation,
      });
      expect(h.events.find((e) => e.type === 'expired-ticket-fault')).toMatchObject({ operation });
    },
  );
});

describe('CrmSession: Passport tickets', () => {
  it('takes a Passport ticket another process stored, sends it to discovery, and does not report it as issued', async () => {
    const store = new MemoryTicketStore();
    const a = harness({ ticketStore: store });
    await a.session.whoAmI();
    const b = harness({ ticketStore: store }, { clock: a.clock, discovery: a.discovery, wlid: a.wlid });
    const sent: string[] = [];
    const lookup = a.discovery.retrieveCrmUserIdByExternalId.bind(a.discovery);
    a.discovery.retrieveCrmUserIdByExternalId = async (args) => {
      sent.push(args.passportTicket);
      return lookup(args);
    };
    expect(await b.session.resolveUserId(PUID)).toBe(CALLER);
    expect(sent).toEqual(['t=passport-1&p=']);
    expect(a.wlid.calls).toBe(1);
    expect(b.events.map((e) => e.type)).toEqual([]);
    expect(b.session.getState().passportTicketExpiresAt).toEqual(new Date(a.clock.now + 24 * HOUR));
  });

  it('replaces a Passport ticket that discovery answers as expired, once', async () => {
    const h = harness();
    const issue = h.discovery.retrieveCrmTicket.bind(h.discovery);
    h.discovery.retrieveCrmTicket = async (org, passport) => {
      if (passport === 't=passport-1&p=') throw fault('ERR_CRM_EXPIRED_TICKET', '0x8004A101');
      return issue(org, passport);
    };
    await h.session.whoAmI();
    expect(h.wlid.calls).toBe(2);
    expect(h.crm.calls.whoAmI).toBe(1);
  });

  it('gives the policy request the refresh’s abort signal, so a hanging one is aborted at the timeout', async () => {
    const h = harness({ refreshTimeoutMs: 50 });
    let aborted!: () => void;
    const policyAborted = new Promise<void>((r) => {
      aborted = r;
    });
    h.discovery.retrievePolicy = (opts?: { signal?: AbortSignal }) => {
      opts?.signal?.addEventListener('abort', () => aborted());
      return never();
    };
    expect((await failure(h.session.whoAmI())).code).toBe('ERR_TIMEOUT');
    await expect(Promise.race([policyAborted.then(() => 'aborted'), delay(2_000)])).resolves.toBe('aborted');
  });

  it('gives RetrieveCrmTicket the refresh’s abort signal, so a hanging one is aborted at the timeout', async () => {
    const h = harness({ refreshTimeoutMs: 50 });
    let aborted!: () => void;
    const ticketAborted = new Promise<void>((r) => {
      aborted = r;
    });
    h.discovery.retrieveCrmTicket = (_org: string, _passport: string, opts?: { signal?: AbortSignal }) => {
      opts?.signal?.addEventListener('abort', () => aborted());
      return never();
    };
    expect((await failure(h.session.whoAmI())).code).toBe('ERR_TIMEOUT');
    await expect(Promise.race([ticketAborted.then(() => 'aborted'), delay(2_000)])).resolves.toBe('aborted');
  });

  it('stops waiting for the Passport ticket when the CRM ticket refresh times out: no RetrieveCrmTicket after it', async () => {
    // The CRM refresh's 300 ms start first; its lock takes 150 ms, the STS 200 ms more, so the
    // Passport ticket arrives after the CRM refresh gave up (and before its own timeout).
    const h = harness({
      refreshTimeoutMs: 300,
      refreshLock: async (key, fn) => {
        if (key.startsWith('crm-ticket|')) await delay(150);
        return fn();
      },
    });
    const request = h.wlid.requestTicket.bind(h.wlid);
    h.wlid.requestTicket = async (args) => {
      await delay(200);
      return request(args);
    };
    expect(await failure(h.session.whoAmI())).toMatchObject({
      code: 'ERR_TIMEOUT',
      message: 'refreshing the CRM ticket took longer than 300 ms',
    });
    await delay(400);
    expect(h.wlid.calls).toBe(1);
    expect(h.discovery.calls.crmTicket).toBe(0);
  });
});

describe('CrmSession: a ticket another process stored', () => {
  it('a forced refresh asks discovery even when the store holds a fresh ticket another process fetched', async () => {
    const store = new MemoryTicketStore();
    const a = harness({ ticketStore: store });
    await a.session.whoAmI();
    const c = harness({ ticketStore: store }, { clock: a.clock, discovery: a.discovery, wlid: a.wlid });
    await c.session.whoAmI();
    await a.session.refresh();
    expect(a.discovery.calls.crmTicket).toBe(2);
    await c.session.refresh();
    expect(a.discovery.calls.crmTicket).toBe(3);
    await c.session.whoAmI();
    expect(c.crm.tokens.at(-1)?.crmTicket).toBe('crm-ticket-3');
  });

  it('after its ticket is refused, takes the newer ticket another process stored for the same CrmService URL', async () => {
    const store = new MemoryTicketStore();
    const a = harness({ ticketStore: store });
    await a.session.whoAmI();
    const b = harness({ ticketStore: store }, { clock: a.clock, discovery: a.discovery, wlid: a.wlid });
    await b.session.refresh();
    expect(a.discovery.calls.crmTicket).toBe(2);
    a.crm.expired.add('crm-ticket-1');
    await a.session.whoAmI();
    expect(a.discovery.calls.crmTicket).toBe(2);
    expect(a.crm.tokens.map((t) => t.crmTicket)).toEqual(['crm-ticket-1', 'crm-ticket-1', 'crm-ticket-2']);
  });
});

describe('CrmSession: calls and what a read retries', () => {
  it('treats null call options as none', async () => {
    const h = harness();
    const who = await h.session.whoAmI(null as unknown as undefined);
    expect(who.userId).toBe('service-account-id');
  });

  it('refuses a callerId that is not a string even when it reads as a GUID', async () => {
    const h = harness();
    expect(await failure(h.session.whoAmI({ callerId: [CALLER] as unknown as string }))).toEqual(
      invalidOptions('callerId must be a GUID'),
    );
    expect(h.crm.calls.whoAmI).toBe(0);
  });

  it('does not retry a read after a thrown value that only looks like a timeout (not a CrmAuthError)', async () => {
    const h = harness();
    const lookalike = Object.assign(new Error('timed out'), { code: 'ERR_TIMEOUT' });
    h.crm.failures.whoAmI = [lookalike];
    expect(await failure(h.session.whoAmI())).toBe(lookalike);
    expect(h.crm.calls.whoAmI).toBe(1);
  });

  it('does not retry a read after an error of another code that carries a transient HTTP status', async () => {
    const h = harness();
    const err = new CrmAuthError('ERR_UNEXPECTED_MESSAGE', 'not SOAP', { httpStatus: 503 });
    h.crm.failures.whoAmI = [err];
    expect(await failure(h.session.whoAmI())).toBe(err);
    expect(h.crm.calls.whoAmI).toBe(1);
  });
});

describe('CrmSession: user ids', () => {
  /** A user-id store that hands back what it was given, expired or not, and records the writes. */
  class RawUserIdStore implements UserIdStore {
    readonly entries = new Map<string, UserIdEntry>();
    readonly writes: Array<[string, UserIdEntry]> = [];
    async get(hexPuid: string): Promise<UserIdEntry | undefined> {
      return this.entries.get(hexPuid);
    }
    async set(hexPuid: string, entry: UserIdEntry): Promise<void> {
      this.writes.push([hexPuid, entry]);
      this.entries.set(hexPuid, entry);
    }
  }

  it('refuses a number whose digits would read as a PUID', async () => {
    const h = harness();
    expect(await failure(h.session.resolveUserId(1234567890123456 as unknown as string))).toEqual(
      invalidOptions('hexPuid must be 16 hex digits'),
    );
  });

  it('does not use an entry its store hands back at or past its expiry', async () => {
    const store = new RawUserIdStore();
    const h = harness({ userIdStore: store });
    store.entries.set(PUID, { userId: 'stale-user-id', expiresAt: h.clock.now });
    expect(await h.session.resolveUserId(PUID)).toBe(CALLER);
    expect(h.discovery.calls.userId).toBe(1);
  });

  it('stores a "no such user" answer as a negative entry until the negative TTL', async () => {
    const store = new RawUserIdStore();
    const h = harness({ userIdStore: store, negativeUserIdTtlMs: 5_000 });
    await failure(h.session.resolveUserId('FFFFFFFFFFFFFFFF'));
    expect(store.writes).toEqual([['FFFFFFFFFFFFFFFF', { negative: true, expiresAt: h.clock.now + 5_000 }]]);
  });

  it('asks for the organization again after a failed RetrieveOrganizations', async () => {
    const h = harness({ organizationName: undefined, friendlyName: 'Contoso Ltd' });
    const list = h.discovery.retrieveOrganizations.bind(h.discovery);
    let calls = 0;
    h.discovery.retrieveOrganizations = async (ticket) => {
      calls += 1;
      if (calls === 1) throw new CrmAuthError('ERR_TIMEOUT', 'slow');
      return list(ticket);
    };
    expect((await failure(h.session.resolveUserId(PUID))).code).toBe('ERR_TIMEOUT');
    expect(await h.session.resolveUserId(PUID)).toBe(CALLER);
    expect(calls).toBe(2);
  });

  it('gives RetrieveOrganizations the refresh’s abort signal, so a hanging one is aborted at the timeout', async () => {
    const h = harness({ organizationName: undefined, friendlyName: 'Contoso Ltd', refreshTimeoutMs: 50 });
    let aborted!: () => void;
    const listAborted = new Promise<void>((r) => {
      aborted = r;
    });
    h.discovery.retrieveOrganizations = (_ticket: string, opts?: { signal?: AbortSignal }) => {
      opts?.signal?.addEventListener('abort', () => aborted());
      return never();
    };
    expect((await failure(h.session.whoAmI())).code).toBe('ERR_TIMEOUT');
    await expect(Promise.race([listAborted.then(() => 'aborted'), delay(2_000)])).resolves.toBe('aborted');
  });
});

describe('CrmSession: close', () => {
  it('closes the connections it opened, once however often close is called', async () => {
    const closed = vi.spyOn(HttpsTransport.prototype, 'close');
    const s = new CrmSession({
      discoveryUrl: DISCOVERY_URL,
      organizationName: 'contoso',
      certificate: serviceAccountBundle(),
    });
    await s.close();
    // The STS client's transport (with the client certificate) and the one discovery and CrmService share.
    expect(closed).toHaveBeenCalledTimes(2);
    await s.close();
    expect(closed).toHaveBeenCalledTimes(2);
  });
});
