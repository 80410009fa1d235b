import { beforeAll, describe, expect, it } from 'vitest';
import { CrmAuthError } from '../../src/errors';
import { CrmServiceClient } from '../../src/clients/crm-service-client';
import { CrmSession, type CrmSessionOptions } from '../../src/session/crm-session';
import { HttpsTransport, type TransportResponse } from '../../src/transport/https-transport';
import { deferred, harness, serviceAccountBundle, settle } from '../helpers/fake-services';
import { INVALID_OPTIONS } from '../helpers/invalid-options';

const account = { logicalName: 'account', attributes: { name: 'Fourth Coffee' } };

// The service account's keys and certificates are made once per file: seconds on a loaded machine.
beforeAll(() => {
  serviceAccountBundle();
}, 60_000);

describe('CrmSession: expired and bad ticket faults', () => {
  it('refreshes and retries after an expired ticket fault', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.crm.expired.add('crm-ticket-1');
    await h.session.whoAmI();
    expect(h.crm.tokens.at(-1)?.crmTicket).toBe('crm-ticket-2');
    expect(h.session.getState()).toMatchObject({ expiredFaultCount: 1, refreshCount: 2 });
    expect(h.events.map((e) => e.type)).toContain('expired-ticket-fault');
  });

  it('stops after maxTicketRetries with ERR_RETRIES_EXHAUSTED carrying the fault', async () => {
    for (const maxTicketRetries of [0, 1, 2]) {
      const h = harness({ maxTicketRetries });
      h.crm.allExpired = true;
      const err = await h.session.whoAmI().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_RETRIES_EXHAUSTED', cause: { code: 'ERR_CRM_EXPIRED_TICKET' } });
      expect(h.discovery.calls.crmTicket).toBe(1 + maxTicketRetries);
      expect(h.crm.calls.whoAmI).toBe(1 + maxTicketRetries);
    }
  });

  it('an expired-fault herd of 500 concurrent callers causes exactly one refresh, and none fails', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.crm.expired.add('crm-ticket-1');
    const gate = deferred();
    h.discovery.gates.push(gate.promise);
    const calls = Array.from({ length: 500 }, (_, i) =>
      i % 2 ? h.session.whoAmI() : h.session.create(account),
    );
    await settle();
    gate.resolve();
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(h.discovery.calls.crmTicket).toBe(2);
    expect(h.session.getState().expiredFaultCount).toBe(500);
  });

  it('a herd whose faults arrive after the new ticket still causes one refresh (only the failed generation is invalidated)', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.crm.expired.add('crm-ticket-1');
    const late = deferred();
    h.crm.lateFaults = late.promise;
    const calls = Array.from({ length: 200 }, () => h.session.whoAmI());
    await settle();
    expect(h.discovery.calls.crmTicket).toBe(2); // the fast half refreshed
    late.resolve(); // the slow half now fails with the old ticket
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(h.discovery.calls.crmTicket).toBe(2);
  });

  it('treats a bad ticket fault like an expired one', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.crm.failures.retrieve = [
      new CrmAuthError('ERR_CRM_BAD_TICKET', 'bad', { faultCode: '0x8004A102', notExecuted: true }),
    ];
    await h.session.retrieve({ entityName: 'account', id: 'a', columns: 'all' });
    expect(h.discovery.calls.crmTicket).toBe(2);
    expect(h.events.map((e) => e.type)).toContain('bad-ticket-fault');
  });
});

describe('CrmSession: writes are never sent twice', () => {
  it('does not re-send a Create after a transport error', async () => {
    const h = harness();
    h.crm.failures.create = [new CrmAuthError('ERR_TIMEOUT', 'timed out')];
    await expect(h.session.create(account)).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(h.crm.calls.create).toBe(1);
  });

  it('does not re-send an Update after a reset, nor a Delete', async () => {
    const h = harness();
    h.crm.failures.update = [new CrmAuthError('ERR_CONNECTION_RESET', 'reset')];
    h.crm.failures.delete = [new CrmAuthError('ERR_HTTP_STATUS', '503', { httpStatus: 503 })];
    await expect(h.session.update(account)).rejects.toMatchObject({ code: 'ERR_CONNECTION_RESET' });
    await expect(h.session.delete('account', 'x')).rejects.toMatchObject({ code: 'ERR_HTTP_STATUS' });
    expect(h.crm.calls.update).toBe(1);
    expect(h.crm.calls.delete).toBe(1);
  });

  it('re-sends a Create after an expired ticket fault, which proves it did not run', async () => {
    const h = harness();
    await h.session.whoAmI();
    h.crm.expired.add('crm-ticket-1');
    await expect(h.session.create(account)).resolves.toMatchObject({ id: expect.any(String) });
    expect(h.crm.calls.create).toBe(2);
  });

  it('does not re-send a Create on a ticket fault that lacks the not-executed proof', async () => {
    const h = harness();
    h.crm.failures.create = [new CrmAuthError('ERR_CRM_EXPIRED_TICKET', 'odd')];
    await expect(h.session.create(account)).rejects.toMatchObject({ code: 'ERR_CRM_EXPIRED_TICKET' });
    expect(h.crm.calls.create).toBe(1);
  });

  it('retries an idempotent read once after a transient failure', async () => {
    const h = harness();
    h.crm.failures.retrieveMultiple = [new CrmAuthError('ERR_CONNECTION_RESET', 'reset')];
    await h.session.retrieveMultiple({ entityName: 'account', columns: 'all' });
    expect(h.crm.calls.retrieveMultiple).toBe(2);
    h.crm.failures.whoAmI = [new CrmAuthError('ERR_TIMEOUT', 't'), new CrmAuthError('ERR_TIMEOUT', 't')];
    await expect(h.session.whoAmI()).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    expect(h.crm.calls.whoAmI).toBe(2);
  });

  it('does not retry a read that the server asks to delay beyond the cap', async () => {
    const h = harness();
    h.crm.failures.whoAmI = [
      new CrmAuthError('ERR_HTTP_STATUS', '429', { httpStatus: 429, retryAfterMs: 60_000 }),
    ];
    await expect(h.session.whoAmI()).rejects.toMatchObject({ code: 'ERR_HTTP_STATUS', httpStatus: 429 });
    expect(h.crm.calls.whoAmI).toBe(1);
  });
});

describe('CrmSession: impersonation and user ids', () => {
  it('sends the callerId (lower case, no braces) and all zeros as none', async () => {
    const h = harness();
    await h.session.whoAmI({ callerId: '{6A2C1E0B-0000-4000-8000-0000000000A1}' });
    await h.session.whoAmI({ callerId: '00000000-0000-0000-0000-000000000000' });
    await h.session.whoAmI();
    expect(h.crm.tokens.map((t) => t.callerId)).toEqual(['6a2c1e0b-0000-4000-8000-0000000000a1', null, null]);
    expect(h.crm.tokens[0]).toMatchObject({ authenticationType: 1, organizationName: 'contoso' });
    await expect(h.session.whoAmI({ callerId: 'jon' })).rejects.toThrow(INVALID_OPTIONS);
  });

  it('resolves a PUID once, case-insensitively, and caches it', async () => {
    const h = harness();
    const ids = await Promise.all([
      h.session.resolveUserId('0003bffd8f3a5b21'),
      h.session.resolveUserId('0003BFFD8F3A5B21'),
    ]);
    expect(ids).toEqual(['6a2c1e0b-0000-4000-8000-0000000000a1', '6a2c1e0b-0000-4000-8000-0000000000a1']);
    await h.session.resolveUserId('0003BfFd8F3a5B21');
    expect(h.discovery.calls.userId).toBe(1);
    h.clock.advance(60 * 60_000 + 1);
    await h.session.resolveUserId('0003BFFD8F3A5B21');
    expect(h.discovery.calls.userId).toBe(2);
  });

  it('caches "no such user" for a while, then asks again', async () => {
    const h = harness();
    await expect(h.session.resolveUserId('00000000DEADBEEF')).rejects.toMatchObject({
      code: 'ERR_CRM_OBJECT_NOT_FOUND',
    });
    await expect(h.session.resolveUserId('00000000deadbeef')).rejects.toMatchObject({
      code: 'ERR_CRM_OBJECT_NOT_FOUND',
    });
    expect(h.discovery.calls.userId).toBe(1);
    h.clock.advance(5 * 60_000 + 1);
    h.discovery.users.set('00000000DEADBEEF', '11111111-0000-4000-8000-000000000001');
    await expect(h.session.resolveUserId('00000000DEADBEEF')).resolves.toBe(
      '11111111-0000-4000-8000-000000000001',
    );
  });

  it('refuses a malformed PUID', async () => {
    const h = harness();
    await expect(h.session.resolveUserId('123')).rejects.toThrow(INVALID_OPTIONS);
  });
});

describe('CrmSession: options and lifecycle', () => {
  it('checks options once', () => {
    const certificate = serviceAccountBundle();
    const discoveryUrl = 'https://dev.crm.example/d.asmx';
    expect(() => new CrmSession({ discoveryUrl, certificate })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTIONS' }),
    );
    expect(
      () => new CrmSession({ discoveryUrl: 'http://dev.crm.example/', certificate, organizationName: 'c' }),
    ).toThrow(INVALID_OPTIONS);
    // @ts-expect-error deliberate misuse
    expect(() => new CrmSession({ discoveryUrl, certificate: {}, organizationName: 'c' })).toThrow(
      INVALID_OPTIONS,
    );
    expect(
      () => new CrmSession({ discoveryUrl, certificate, organizationName: 'c', maxTicketRetries: 1.5 }),
    ).toThrow(INVALID_OPTIONS);
    expect(() => new CrmSession({ discoveryUrl, certificate, organizationName: 'c', timeoutMs: 0 })).toThrow(
      INVALID_OPTIONS,
    );
  });

  it('refuses calls after close', async () => {
    const h = harness();
    await h.session.close();
    await expect(h.session.whoAmI()).rejects.toMatchObject({ code: 'ERR_INVALID_OPTIONS' });
  });

  it('lets a caller abort its wait for a refresh without failing the others', async () => {
    const h = harness();
    const gate = deferred();
    h.discovery.gates.push(gate.promise);
    const controller = new AbortController();
    const mine = h.session.whoAmI({ signal: controller.signal });
    const other = h.session.whoAmI();
    await settle();
    controller.abort();
    await expect(mine).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    gate.resolve();
    await expect(other).resolves.toBeDefined();
  });

  it('ignores a listener that throws', async () => {
    const h = harness({
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    await expect(h.session.whoAmI()).resolves.toBeDefined();
  });
});

describe('CrmSession: fault classification on the wire', () => {
  /** A real CrmServiceClient whose transport answers every call with this SOAP fault body. */
  function faultingCrm(detail: string): { client: CrmServiceClient; posts: () => number } {
    let posts = 0;
    class FaultTransport extends HttpsTransport {
      override async post(): Promise<TransportResponse> {
        posts += 1;
        return {
          status: 500,
          contentType: 'text/xml; charset=utf-8',
          body: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server was unable to process request.</faultstring><detail>${detail}</detail></soap:Fault></soap:Body></soap:Envelope>`,
        };
      }
    }
    const client = new CrmServiceClient({
      url: 'https://crm.example/MSCrmServices/2007/CrmService.asmx',
      transport: new FaultTransport(),
    });
    return { client, posts: () => posts };
  }

  /** A session over the harness's fake Live ID and discovery, and a real CrmServiceClient answering `detail`. */
  function sessionFaultingWith(detail: string, options: Partial<CrmSessionOptions> = {}) {
    const crm = faultingCrm(detail);
    const h = harness();
    const session = new CrmSession({
      discoveryUrl: 'https://dev.crm.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
      organizationName: 'contoso',
      certificate: serviceAccountBundle(),
      clock: h.clock.read,
      ...options,
      clients: { wlid: h.wlid, discovery: h.discovery, crmService: () => crm.client },
    });
    return { session, posts: crm.posts, discovery: h.discovery };
  }

  it('an 0x80040217 whose description mentions 8004a101 fails as not found: no refresh, no retry', async () => {
    const { session, posts, discovery } = sessionFaultingWith(
      '<error><code>0x80040217</code><description>account 8004a101 Does Not Exist</description><type>Platform</type></error>',
    );
    const err = await session
      .retrieve({ entityName: 'account', id: 'e7b9d2f1-3c4a-4b5d-8e6f-0a1b2c3d4e5f', columns: ['name'] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_CRM_OBJECT_NOT_FOUND', faultCode: '0x80040217' });
    expect(posts()).toBe(1);
    expect(discovery.calls.crmTicket).toBe(1);
    expect(session.getState()).toMatchObject({ expiredFaultCount: 0 });
    await session.close();
  });

  it('an 0x8004A101 fault refreshes the ticket and retries once', async () => {
    const { session, posts, discovery } = sessionFaultingWith(
      '<error><code>0x8004A101</code><description>The ticket specified for authentication is expired</description><type>Platform</type></error>',
      { maxTicketRetries: 1 },
    );
    const err = await session.whoAmI().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_RETRIES_EXHAUSTED', cause: { code: 'ERR_CRM_EXPIRED_TICKET' } });
    expect(posts()).toBe(2);
    expect(discovery.calls.crmTicket).toBe(2);
    await session.close();
  });
});
