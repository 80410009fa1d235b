import { describe, expect, it } from 'vitest';
import type { OrgRecord } from '../orgs/org-directory';
import { orgTicketStore } from './org-ticket-store';
import type { StoredTickets, TicketStoreService } from './ticket-store.service';

const ORG_ID = '11111111-0000-4000-8000-000000000001';
const ISSUED = new Date('2026-12-03T10:00:00Z');
const EXPIRES = new Date('2026-12-03T18:00:00Z');

const ORG = {
  id: ORG_ID,
  friendlyName: 'Contoso',
  organizationName: 'contoso',
  organizationId: '22222222-0000-4000-8000-000000000002',
  crmServiceUrl: 'https://contoso.crm.example/contoso/MSCrmServices/2007/CrmService.asmx',
  crmMetadataServiceUrl: null,
  webApplicationUrl: null,
} as unknown as OrgRecord;

/** A TicketStoreService kept in memory, recording what the adapter asks of it. */
function fakeStore(initial: Partial<StoredTickets> | null) {
  let row: StoredTickets | null = initial && {
    generation: 1,
    passportTicket: null,
    passportIssuedAt: null,
    passportExpiresAt: null,
    crmTicket: null,
    crmIssuedAt: null,
    crmExpiresAt: null,
    ...initial,
  };
  const calls: string[] = [];
  const store = {
    load: async () => row,
    save: async (_org: string, t: { crmTicket: string }, kind: string) => {
      calls.push(`save ${kind}`);
      row = { ...(row ?? fakeRow()), crmTicket: t.crmTicket };
      return 1;
    },
    savePassport: async () => void calls.push('savePassport'),
    expire: async (_org: string, kind: string) => void calls.push(`expire ${kind}`),
  } as unknown as TicketStoreService;
  return { store, calls };
}
const fakeRow = (): StoredTickets => ({
  generation: 0,
  passportTicket: null,
  passportIssuedAt: null,
  passportExpiresAt: null,
  crmTicket: null,
  crmIssuedAt: null,
  crmExpiresAt: null,
});

describe('orgTicketStore', () => {
  it("hands back a stored CRM ticket with the org's CrmService URL from its row", async () => {
    const { store } = fakeStore({ crmTicket: 'T', crmIssuedAt: ISSUED, crmExpiresAt: EXPIRES });
    const got = await orgTicketStore(ORG_ID, store, async () => ORG).get('crm|contoso');
    expect(got).toEqual({
      ticket: 'T',
      issuedAt: ISSUED.getTime(),
      expiresAt: EXPIRES.getTime(),
      organizationDetail: {
        crmMetadataServiceUrl: '',
        crmServiceUrl: ORG.crmServiceUrl,
        friendlyName: 'Contoso',
        organizationId: ORG.organizationId,
        organizationName: 'contoso',
        webApplicationUrl: '',
      },
    });
  });

  it('hands back no CRM ticket while the org has no CrmService URL (not onboarded), so none is sent anywhere', async () => {
    const { store } = fakeStore({ crmTicket: 'T', crmIssuedAt: ISSUED, crmExpiresAt: EXPIRES });
    const noUrl = { ...ORG, crmServiceUrl: null } as OrgRecord;
    expect(await orgTicketStore(ORG_ID, store, async () => noUrl).get('crm|contoso')).toBeUndefined();
    expect(await orgTicketStore(ORG_ID, store, async () => null).get('crm|contoso')).toBeUndefined();
  });

  it('reads any other key as the Passport ticket, with its issue time falling back to its expiry', async () => {
    const { store } = fakeStore({ passportTicket: 'P', passportExpiresAt: EXPIRES });
    expect(await orgTicketStore(ORG_ID, store, async () => ORG).get('passport|contoso')).toEqual({
      ticket: 'P',
      issuedAt: EXPIRES.getTime(),
      expiresAt: EXPIRES.getTime(),
    });
  });

  it('saves a first CRM ticket as issued and the next one as refreshed; a Passport ticket on its own', async () => {
    const { store, calls } = fakeStore(null);
    const s = orgTicketStore(ORG_ID, store, async () => ORG);
    const value = { ticket: 'T1', issuedAt: ISSUED.getTime(), expiresAt: EXPIRES.getTime() };
    await s.set('crm|contoso', value);
    await s.set('crm|contoso', { ...value, ticket: 'T2' });
    await s.set('passport|contoso', value);
    expect(calls).toEqual(['save issued', 'save refreshed', 'savePassport']);
  });

  it('expires the kind of ticket its key names when the session drops it', async () => {
    const { store, calls } = fakeStore(null);
    const s = orgTicketStore(ORG_ID, store, async () => ORG);
    await s.delete('crm|contoso');
    await s.delete('passport|contoso');
    expect(calls).toEqual(['expire crm', 'expire passport']);
  });
});
