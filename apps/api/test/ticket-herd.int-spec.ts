import type { BarrierStatus } from '@onbehalf/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './harness';
import { JON_PUID, onboard, recordNames, uploadDemoCertificate } from './support/orgs';

/**
 * How many impersonated Creates meet the expired ticket together. The org's CrmSession reaches the
 * emulator over one pool of 32 connections (crm-auth's HttpsTransport default), shared with its
 * discovery calls, so at most 32 CrmService calls can be in flight at once: a herd larger than that
 * can never all be held at the emulator (with 40, the barrier timed out with 32 held; the other 8
 * were queued in the pool with the same ticket, so all 40 still met the fault). 24 leaves room for
 * the refresh.
 */
const HERD = 24;

describe('a herd of impersonated Creates that all present an expired ticket at the same moment', () => {
  let s: TestStack;
  let orgId: string;
  beforeAll(async () => {
    s = await startTestStack();
    orgId = await onboard(
      s.admin,
      s.emulator,
      'Contoso Ltd',
      await uploadDemoCertificate(s.admin, s.emulator),
    );
  });
  afterAll(async () => {
    await s?.close();
  });

  const create = (name: string) =>
    s.admin.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name },
      onBehalfOf: { puid: JON_PUID },
    });

  it(`${HERD} concurrent Creates all meet 0x8004A101 at the emulator; the session refreshes the ticket once and retries each once: ${HERD} records, no failure`, async () => {
    // Warm: the CRM ticket and Jon's mapping are cached, so each Create is one CrmService call.
    expect((await create('herd warm-up')).status).toBe(201);
    s.emulator.control.armBarrier({
      operation: 'Create',
      count: HERD,
      then: 'expire-tickets',
      org: 'contoso',
      timeoutMs: 5_000,
    });
    s.emulator.control.resetCounts();
    const names = Array.from({ length: HERD }, (_, i) => `herd ${i}`);
    const replies = await Promise.all(names.map((n) => create(n)));
    const barrier = s.emulator.control.barrier() as BarrierStatus;
    const counts = s.emulator.control.counts();
    // Every one of them was held, and released by the count (not the timeout).
    expect(barrier, JSON.stringify(counts)).toMatchObject({ arrived: HERD, state: 'released' });
    expect(counts.faults.crm?.['0x8004A101']).toBe(HERD);
    expect(counts.discovery['RetrieveCrmTicket']).toBe(1);
    // Each Create sent twice: once with the expired ticket, once after the one refresh.
    expect(counts.crm['Create']).toBe(2 * HERD);
    expect(replies.map((r) => r.status)).toEqual(Array(HERD).fill(201));
    const created = recordNames(s.emulator, 'contoso', 'account').filter((n) => names.includes(n));
    expect(created.sort()).toEqual([...names].sort());
  });
});
