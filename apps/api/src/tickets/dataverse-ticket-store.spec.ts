import { describe, expect, it } from 'vitest';
import { dataverseTicketStore } from './org-ticket-store';
import type { NewTickets, StoredTickets, TicketStoreService } from './ticket-store.service';

const ORG_ID = '11111111-0000-4000-8000-000000000001';
const KEY =
  'entra-token|contoso.onmicrosoft.com|0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21|https://contoso.crm.dynamics.com';
const ISSUED = new Date('2026-12-03T10:00:00Z');
const EXPIRES = new Date('2026-12-03T11:00:00Z');

/** A TicketStoreService kept in memory: one org's row, and what was asked of it. */
function fakeStore() {
  let row: StoredTickets | null = null;
  const calls: string[] = [];
  const store = {
    load: async () => row,
    save: async (orgId: string, t: NewTickets, kind: string) => {
      calls.push(`save ${orgId} ${kind}`);
      row = {
        generation: (row?.generation ?? 0) + 1,
        passportTicket: null,
        passportIssuedAt: null,
        passportExpiresAt: null,
        crmTicket: t.crmTicket,
        crmIssuedAt: t.crmIssuedAt,
        crmExpiresAt: t.crmExpiresAt,
      };
      return row.generation;
    },
    expire: async (orgId: string, kind: string) => {
      calls.push(`expire ${orgId} ${kind}`);
      if (row) row = { ...row, crmTicket: null, crmExpiresAt: null };
    },
  } as unknown as TicketStoreService;
  return { store, calls };
}

describe("dataverseTicketStore: a Dataverse org's access token in its tickets row", () => {
  it('has nothing before the first token', async () => {
    const { store } = fakeStore();
    expect(await dataverseTicketStore(ORG_ID, store, async () => undefined).get(KEY)).toBeUndefined();
  });

  it('keeps the token in the CRM ticket’s place, issued then refreshed, and hands it back with its times', async () => {
    const { store, calls } = fakeStore();
    const scheduled: Date[] = [];
    const s = dataverseTicketStore(ORG_ID, store, async (at) => scheduled.push(at));
    await s.set(KEY, { ticket: 'token-1', issuedAt: ISSUED.getTime(), expiresAt: EXPIRES.getTime() });
    await s.set(KEY, { ticket: 'token-2', issuedAt: ISSUED.getTime(), expiresAt: EXPIRES.getTime() });
    expect(calls).toEqual([`save ${ORG_ID} issued`, `save ${ORG_ID} refreshed`]);
    expect(await s.get(KEY)).toEqual({
      ticket: 'token-2',
      issuedAt: ISSUED.getTime(),
      expiresAt: EXPIRES.getTime(),
    });
    expect(scheduled).toEqual([EXPIRES, EXPIRES]);
  });

  it('forgets the token by expiring the CRM ticket slot of this org', async () => {
    const { store, calls } = fakeStore();
    const s = dataverseTicketStore(ORG_ID, store, async () => undefined);
    await s.set(KEY, { ticket: 'token-1', issuedAt: ISSUED.getTime(), expiresAt: EXPIRES.getTime() });
    await s.delete(KEY);
    expect(calls.at(-1)).toBe(`expire ${ORG_ID} crm`);
    expect(await s.get(KEY)).toBeUndefined();
  });
});
