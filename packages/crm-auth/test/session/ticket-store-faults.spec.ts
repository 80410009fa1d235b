import { beforeAll, describe, expect, it } from 'vitest';
import { CrmAuthError, isCrmAuthError } from '../../src/errors';
import { MemoryTicketStore, type StoredTicket, type TicketStore } from '../../src/session/ticket-store';
import { harness, serviceAccountBundle } from '../helpers/fake-services';

/** A memory store whose get or set can be made to fail like a database that went away. */
class FailingStore implements TicketStore {
  readonly inner = new MemoryTicketStore();
  failGet: Error | undefined;
  failSet: Error | undefined;
  async get(key: string): Promise<StoredTicket | undefined> {
    if (this.failGet) throw this.failGet;
    return this.inner.get(key);
  }
  async set(key: string, value: StoredTicket): Promise<void> {
    if (this.failSet) throw this.failSet;
    return this.inner.set(key, value);
  }
  async delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

const pgDown = (): Error => Object.assign(new Error('Connection terminated unexpectedly'), { code: '57P01' });

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

// The service account's keys and certificates are made once per file: seconds on a loaded machine.
beforeAll(() => {
  serviceAccountBundle();
}, 60_000);

describe('CrmSession: a failing ticket store or refresh lock is a local fault (ERR_TICKET_STORE)', () => {
  it('reports a store whose get rejects as ERR_TICKET_STORE with the store error as cause, before any STS call', async () => {
    const store = new FailingStore();
    const cause = pgDown();
    store.failGet = cause;
    const h = harness({ ticketStore: store });
    const err = await failure(h.session.whoAmI());
    expect(isCrmAuthError(err, 'ERR_TICKET_STORE')).toBe(true);
    expect((err as CrmAuthError).cause).toBe(cause);
    expect((err as CrmAuthError).message).toBe('the ticket store failed (get)');
    expect(h.wlid.calls).toBe(0);
    expect(h.crm.calls.whoAmI).toBe(0);
  });

  it('reports a store whose set rejects as ERR_TICKET_STORE, never as a transport code', async () => {
    const store = new FailingStore();
    store.failSet = pgDown();
    const h = harness({ ticketStore: store });
    const err = await failure(h.session.whoAmI());
    expect(err).toMatchObject({ code: 'ERR_TICKET_STORE', message: 'the ticket store failed (set)' });
    expect(h.wlid.calls).toBe(1);
  });

  it('names ERR_TICKET_STORE in the refresh-failed event and in the state', async () => {
    const store = new FailingStore();
    store.failGet = pgDown();
    const h = harness({ ticketStore: store });
    await failure(h.session.whoAmI());
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'refresh-failed', errorCode: 'ERR_TICKET_STORE' }),
    );
    expect(h.session.getState().lastError?.code).toBe('ERR_TICKET_STORE');
  });

  it('recovers once the store answers again (after the cooldown)', async () => {
    const store = new FailingStore();
    store.failGet = pgDown();
    const h = harness({ ticketStore: store });
    await failure(h.session.whoAmI());
    store.failGet = undefined;
    h.clock.advance(2_000);
    await expect(h.session.whoAmI()).resolves.toMatchObject({ userId: 'service-account-id' });
  });

  it('reports a refresh lock that cannot be taken as ERR_TICKET_STORE', async () => {
    const h = harness({
      refreshLock: () => Promise.reject(pgDown()),
    });
    const err = await failure(h.session.whoAmI());
    expect(err).toMatchObject({ code: 'ERR_TICKET_STORE', message: 'the refresh lock failed' });
  });

  it('passes a CRM failure inside the lock through unchanged (it is not the lock failing)', async () => {
    const crmDown = new CrmAuthError('ERR_CONNECTION_REFUSED', 'refused');
    const h = harness({ refreshLock: (_key, fn) => fn() });
    h.discovery.failures.push(crmDown);
    expect(await failure(h.session.whoAmI())).toBe(crmDown);
  });

  it('passes a plain error from a supplied client through as itself, not relabelled ERR_CONNECTION_RESET', async () => {
    const bug = new RangeError('fake client bug');
    const h = harness();
    h.discovery.failures.push(bug);
    expect(await failure(h.session.whoAmI())).toBe(bug);
    expect(h.session.getState().lastError).toMatchObject({ code: 'RangeError', message: 'fake client bug' });
  });
});
