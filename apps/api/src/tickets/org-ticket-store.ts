import type { StoredTicket, TicketStore } from '@onbehalf/crm-auth';
import type { OrgRecord } from '../orgs/org-directory';
import type { TicketStoreService } from './ticket-store.service';

/** A CrmSession names its tickets by key: `crm…` is the org's CRM ticket, anything else the Passport ticket. */
const kindOf = (key: string): 'crm' | 'passport' => (key.startsWith('crm') ? 'crm' : 'passport');

/**
 * The TicketStore a CrmSession uses for one org. Both tickets live in the org's `tickets` row, sealed
 * (TicketStoreService). A CRM ticket is handed back only with the org's CrmService URL from its row,
 * so a ticket is never presented anywhere else.
 */
export function orgTicketStore(
  orgId: string,
  store: TicketStoreService,
  loadOrg: () => Promise<OrgRecord | null>,
): TicketStore {
  return {
    get: async (key: string): Promise<StoredTicket | undefined> => {
      const t = await store.load(orgId);
      if (!t) return undefined;
      if (kindOf(key) === 'crm') {
        if (!t.crmTicket || !t.crmExpiresAt) return undefined;
        const org = await loadOrg();
        if (!org?.organizationName || !org.crmServiceUrl) return undefined;
        return {
          ticket: t.crmTicket,
          issuedAt: (t.crmIssuedAt ?? t.crmExpiresAt).getTime(),
          expiresAt: t.crmExpiresAt.getTime(),
          organizationDetail: {
            crmMetadataServiceUrl: org.crmMetadataServiceUrl ?? '',
            crmServiceUrl: org.crmServiceUrl,
            friendlyName: org.friendlyName,
            organizationId: org.organizationId ?? '',
            organizationName: org.organizationName,
            webApplicationUrl: org.webApplicationUrl ?? '',
          },
        };
      }
      return t.passportTicket && t.passportExpiresAt
        ? {
            ticket: t.passportTicket,
            issuedAt: (t.passportIssuedAt ?? t.passportExpiresAt).getTime(),
            expiresAt: t.passportExpiresAt.getTime(),
          }
        : undefined;
    },
    set: async (key: string, value: StoredTicket): Promise<void> => {
      if (kindOf(key) === 'crm') {
        const had = await store.load(orgId);
        await store.save(
          orgId,
          {
            crmTicket: value.ticket,
            crmIssuedAt: new Date(value.issuedAt),
            crmExpiresAt: new Date(value.expiresAt),
          },
          had?.crmTicket ? 'refreshed' : 'issued',
          null,
        );
      } else {
        await store.savePassport(orgId, value.ticket, new Date(value.issuedAt), new Date(value.expiresAt));
      }
    },
    delete: (key: string): Promise<void> => store.expire(orgId, kindOf(key)),
  };
}

/**
 * The TicketStore a DataverseSession uses for one org: its one access token lives in the org's `tickets` row in
 * the CRM ticket's place, sealed, so that ticket health (expiry, issued and refreshed events, refresh count) reads
 * it as it reads a CRM ticket. `scheduled` is told each new token's expiry and issue time (the org's next
 * background refresh).
 */
export function dataverseTicketStore(
  orgId: string,
  store: TicketStoreService,
  scheduled: (expiresAt: Date, issuedAt: Date) => Promise<unknown>,
): TicketStore {
  return {
    get: async (): Promise<StoredTicket | undefined> => {
      const t = await store.load(orgId);
      if (!t?.crmTicket || !t.crmExpiresAt) return undefined;
      return {
        ticket: t.crmTicket,
        issuedAt: (t.crmIssuedAt ?? t.crmExpiresAt).getTime(),
        expiresAt: t.crmExpiresAt.getTime(),
      };
    },
    set: async (_key: string, value: StoredTicket): Promise<void> => {
      const had = await store.load(orgId);
      const expiresAt = new Date(value.expiresAt);
      await store.save(
        orgId,
        { crmTicket: value.ticket, crmIssuedAt: new Date(value.issuedAt), crmExpiresAt: expiresAt },
        had?.crmTicket ? 'refreshed' : 'issued',
        null,
      );
      await scheduled(expiresAt, new Date(value.issuedAt));
    },
    delete: (): Promise<void> => store.expire(orgId, 'crm'),
  };
}
