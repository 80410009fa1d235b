import { beforeAll, describe, expect, it } from 'vitest';
import { CrmAuthError } from '../../src/errors';
import { MemoryTicketStore } from '../../src/session/ticket-store';
import { HOUR, deferred, harness, serviceAccountBundle, settle } from '../helpers/fake-services';

// The service account's keys and certificates are made once per file: seconds on a loaded machine.
beforeAll(() => {
  serviceAccountBundle();
}, 60_000);

describe('CrmSession: tickets are fetched once and cached', () => {
  it('runs policy, STS and RetrieveCrmTicket once, then one round trip per call', async () => {
    const h = harness();
    for (let i = 0; i < 50; i += 1) await h.session.whoAmI();
    expect(h.discovery.calls).toEqual({ policy: 1, orgs: 0, crmTicket: 1, userId: 0 });
    expect(h.wlid.calls).toBe(1);
    expect(h.crm.calls.whoAmI).toBe(50);
    expect(h.session.getState()).toMatchObject({
      organizationName: 'contoso',
      refreshCount: 1,
      expiredFaultCount: 0,
    });
    expect(h.events.map((e) => e.type).filter((t) => t !== 'round-trip')).toEqual([
      'passport-ticket-issued',
      'crm-ticket-issued',
    ]);
  });

  it('resolves a friendly name once with RetrieveOrganizations', async () => {
    const h = harness({ organizationName: undefined, friendlyName: 'contoso ltd' });
    await Promise.all([h.session.whoAmI(), h.session.whoAmI()]);
    await h.session.whoAmI();
    expect(h.discovery.calls.orgs).toBe(1);
    expect(h.crm.tokens[0]?.organizationName).toBe('contoso');
    expect(h.session.getState().organizationName).toBe('contoso');
  });

  it('fails with ERR_ORG_NOT_FOUND for an org the account does not belong to', async () => {
    const h = harness({ organizationName: undefined, friendlyName: 'Northwind' });
    await expect(h.session.whoAmI()).rejects.toMatchObject({ code: 'ERR_ORG_NOT_FOUND' });
  });

  it('1,000 concurrent callers on a cold session cause one refresh', async () => {
    const h = harness();
    const gate = deferred();
    h.discovery.gates.push(gate.promise);
    const calls = Array.from({ length: 1000 }, () => h.session.whoAmI());
    await settle();
    gate.resolve();
    const results = await Promise.all(calls);
    expect(results).toHaveLength(1000);
    expect(h.discovery.calls.crmTicket).toBe(1);
    expect(h.wlid.calls).toBe(1);
    expect(h.discovery.calls.policy).toBe(1);
    expect(new Set(h.crm.tokens.map((t) => t.crmTicket))).toEqual(new Set(['crm-ticket-1']));
  });

  it('refreshes ahead of expiry in the background while callers keep the current ticket', async () => {
    const h = harness({ refreshAheadMs: 5 * 60_000 });
    await h.session.whoAmI();
    h.clock.advance(8 * HOUR - 4 * 60_000); // inside the 5-minute window, still valid
    const gate = deferred();
    h.discovery.gates.push(gate.promise);
    await h.session.whoAmI();
    await h.session.whoAmI();
    expect(h.crm.tokens.at(-1)?.crmTicket).toBe('crm-ticket-1');
    expect(h.discovery.calls.crmTicket).toBe(2); // one background refresh, not one per call
    gate.resolve();
    await settle();
    await h.session.whoAmI();
    expect(h.crm.tokens.at(-1)?.crmTicket).toBe('crm-ticket-2');
    expect(h.events.map((e) => e.type)).toContain('crm-ticket-refreshed');
  });

  it('caps the refresh-ahead window to a quarter of a short lifetime', async () => {
    const h = harness({ refreshAheadMs: 5 * 60_000 });
    h.discovery.crmLifetimeMs = 60_000;
    await h.session.whoAmI();
    h.clock.advance(30_000); // 5 minutes ahead would refresh on every call
    await h.session.whoAmI();
    expect(h.discovery.calls.crmTicket).toBe(1);
    h.clock.advance(20_000); // past 45 s: due
    await h.session.whoAmI();
    await settle();
    expect(h.discovery.calls.crmTicket).toBe(2);
  });

  it('waits for a new ticket once the cached one has expired', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.clock.advance(8 * HOUR + 1);
    await h.session.whoAmI();
    expect(h.crm.tokens.at(-1)?.crmTicket).toBe('crm-ticket-2');
    expect(h.wlid.calls).toBe(1); // the Passport ticket (24 h) is reused
  });

  it('never lets an older refresh overwrite a newer ticket (sequence guard)', async () => {
    const h = harness();
    const slow = deferred();
    const fast = deferred();
    h.discovery.gates.push(slow.promise, fast.promise);
    const first = h.session.whoAmI(); // refresh #1 (slow)
    await settle();
    const forced = h.session.refresh(); // refresh #2 (fast)
    await settle();
    fast.resolve();
    await forced;
    slow.resolve();
    await first;
    await h.session.whoAmI();
    expect(h.crm.tokens.at(-1)?.crmTicket).toBe('crm-ticket-2');
  });

  it('backs off after a failed refresh and does not cache the failure beyond the cooldown', async () => {
    const h = harness();
    h.discovery.failures.push(new CrmAuthError('ERR_HTTP_STATUS', 'HTTP 503', { httpStatus: 503 }));
    await expect(h.session.whoAmI()).rejects.toMatchObject({ code: 'ERR_HTTP_STATUS' });
    await expect(h.session.whoAmI()).rejects.toMatchObject({ code: 'ERR_HTTP_STATUS' });
    expect(h.discovery.calls.crmTicket).toBe(1); // second caller got the cooled-down answer
    expect(h.session.getState().lastError).toMatchObject({ code: 'ERR_HTTP_STATUS' });
    h.clock.advance(1_001);
    await h.session.whoAmI();
    expect(h.discovery.calls.crmTicket).toBe(2);
    expect(h.events.map((e) => e.type)).toContain('refresh-failed');
  });

  it('replaces a Passport ticket that discovery refuses, once', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.discovery.refusedPassports.add('t=passport-1&p=');
    await h.session.refresh();
    expect(h.wlid.calls).toBe(2);
    expect(h.discovery.calls.crmTicket).toBe(3);
  });

  it('refuses a ticket that discovery issued for another org', async () => {
    const h = harness();
    h.discovery.issuedFor = { ...h.discovery.issuedFor, organizationName: 'fabrikam' };
    await expect(h.session.whoAmI()).rejects.toMatchObject({ code: 'ERR_UNEXPECTED_MESSAGE' });
    expect(h.crm.calls.whoAmI).toBe(0);
  });

  it('shares tickets through the store and lock: a second process does not refresh', async () => {
    const store = new MemoryTicketStore();
    const locks: string[] = [];
    const refreshLock = async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
      locks.push(key);
      return fn();
    };
    const a = harness({ ticketStore: store, refreshLock });
    await a.session.whoAmI();
    // Process B: its own session and memory, the same services and store.
    const b = harness(
      { ticketStore: store, refreshLock },
      { clock: a.clock, discovery: a.discovery, wlid: a.wlid },
    );
    await b.session.whoAmI();
    expect(a.discovery.calls.crmTicket).toBe(1);
    expect(a.wlid.calls).toBe(1);
    expect(b.crm.tokens[0]?.crmTicket).toBe('crm-ticket-1');
    expect(locks.some((k) => k.startsWith('crm-ticket|dev.crm.example|contoso|'))).toBe(true);
    // The store never serves the ticket a server just refused.
    b.crm.expired.add('crm-ticket-1');
    await b.session.whoAmI();
    expect(a.discovery.calls.crmTicket).toBe(2);
    expect(b.crm.tokens.at(-1)?.crmTicket).toBe('crm-ticket-2');
  });

  it('shows the state without any ticket', async () => {
    const h = harness();
    await h.session.whoAmI();
    const text = JSON.stringify(h.session.getState());
    expect(text).not.toContain('crm-ticket-1');
    expect(text).not.toContain('passport-1');
    expect(h.session.getState()).toMatchObject({
      crmTicketExpiresAt: new Date(h.clock.now + 8 * HOUR),
      passportTicketExpiresAt: new Date(h.clock.now + 24 * HOUR),
      organizationDetail: { organizationName: 'contoso' },
    });
    expect(JSON.stringify(h.events)).not.toContain('crm-ticket-1');
  });
});
