import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarrierStatus, CallCounts } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { crmAction, crmTicket, crmXml, faultCode, WHOAMI_BODY } from './soap-client';

const CRM = '/contoso/MSCrmServices/2007/CrmService.asmx';

describe('the CrmService barrier (/_control/crm/barrier)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const whoAmI = (ticket: string) =>
    h.post(CRM, crmXml({ ticket, org: 'contoso' }, WHOAMI_BODY), crmAction('Execute'));
  const barrier = async () => (await h.control<BarrierStatus | null>('GET', '/crm/barrier')).json;
  /** Polls the barrier until `n` calls are held (the calls are in flight, so there is nothing else to await). */
  const heldAt = async (n: number) => {
    while ((await barrier())?.arrived !== n) await new Promise((resolve) => setImmediate(resolve));
  };

  it('holds calls with a valid ticket until count arrived, expires the tickets, and every one gets the real 0x8004A101', async () => {
    const { ticket } = await crmTicket(h);
    expect((await whoAmI(ticket)).status).toBe(200);
    const armed = await h.control<BarrierStatus>('POST', '/crm/barrier', {
      operation: 'WhoAmI',
      count: 6,
      then: 'expire-tickets',
      org: 'contoso',
    });
    expect(armed.status).toBe(201);
    expect(armed.json).toMatchObject({ operation: 'WhoAmI', count: 6, arrived: 0, state: 'waiting' });
    await h.control('POST', '/counts/reset');
    let answered = 0;
    const first = Array.from({ length: 5 }, () => whoAmI(ticket).finally(() => (answered += 1)));
    await heldAt(5);
    expect(answered).toBe(0);
    const replies = await Promise.all([...first, whoAmI(ticket)]);
    expect(replies.map((r) => faultCode(r.body))).toEqual(Array(6).fill('0x8004A101'));
    expect(await barrier()).toMatchObject({ arrived: 6, state: 'released' });
    const counts = (await h.control<CallCounts>('GET', '/counts')).json;
    expect(counts.crm).toEqual({ WhoAmI: 6 });
    expect(counts.faults).toEqual({ crm: { '0x8004A101': 6 } });
    // One shot: a new ticket works at once.
    const fresh = await crmTicket(h);
    expect((await whoAmI(fresh.ticket)).status).toBe(200);
  });

  it('releases after timeoutMs with fewer than count held, and reports timed-out', async () => {
    const { ticket } = await crmTicket(h);
    await h.control('POST', '/crm/barrier', {
      operation: 'WhoAmI',
      count: 3,
      then: 'expire-tickets',
      timeoutMs: 300,
    });
    const reply = await whoAmI(ticket);
    expect(faultCode(reply.body)).toBe('0x8004A101');
    expect(await barrier()).toMatchObject({ arrived: 1, count: 3, state: 'timed-out' });
  });

  it('DELETE releases the held calls without expiring; bad input and an org it does not know are refused', async () => {
    const { ticket } = await crmTicket(h);
    await h.control('POST', '/crm/barrier', { operation: 'WhoAmI', count: 2, then: 'expire-tickets' });
    expect((await h.control('POST', '/crm/barrier', { operation: 'WhoAmI', count: 2 })).status).toBe(400);
    const held = whoAmI(ticket);
    await heldAt(1);
    expect((await h.control<BarrierStatus>('DELETE', '/crm/barrier')).json.state).toBe('cancelled');
    expect((await held).status).toBe(200);
    expect((await h.control('POST', '/crm/barrier', { operation: 'WhoAmI', count: 'all' })).status).toBe(400);
    expect(
      (await h.control('POST', '/crm/barrier', { operation: 'WhoAmI', count: 2, org: 'nowhere' })).status,
    ).toBe(404);
  });

  it('reset releases a waiting barrier and forgets it', async () => {
    const { ticket } = await crmTicket(h);
    await h.control('POST', '/crm/barrier', { operation: 'WhoAmI', count: 2, then: 'expire-tickets' });
    const held = whoAmI(ticket);
    await heldAt(1);
    await h.control('POST', '/reset');
    expect((await held).status).toBe(200);
    expect(await barrier()).toBeNull();
  });
});
