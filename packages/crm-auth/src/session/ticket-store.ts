import type { OrganizationDetail } from '../messages/types';

/** A ticket as a {@link TicketStore} keeps it. The `ticket` is secret: store it encrypted. */
export interface StoredTicket {
  /** The Passport or CRM ticket. Secret. */
  ticket: string;
  /** Epoch ms when it was obtained. */
  issuedAt: number;
  /** Epoch ms when it expires. */
  expiresAt: number;
  /** For CRM tickets: the org it is for. */
  organizationDetail?: OrganizationDetail;
}

/**
 * Where a {@link CrmSession} keeps tickets beyond its own memory, so that several processes
 * share them (the API supplies a Postgres-backed one). Keys name the kind, the service, the org
 * and the account, e.g. `crm-ticket|dev.crm.dynamics.com|contoso|<sha1>`.
 */
export interface TicketStore {
  get(key: string): Promise<StoredTicket | undefined>;
  set(key: string, value: StoredTicket): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The default {@link TicketStore}: this process's memory only. */
export class MemoryTicketStore implements TicketStore {
  readonly #map = new Map<string, StoredTicket>();

  async get(key: string): Promise<StoredTicket | undefined> {
    const value = this.#map.get(key);
    return value ? { ...value } : undefined;
  }

  async set(key: string, value: StoredTicket): Promise<void> {
    this.#map.set(key, { ...value });
  }

  async delete(key: string): Promise<void> {
    this.#map.delete(key);
  }
}
