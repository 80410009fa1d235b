import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SecretBox } from '../secrets/secret-box';
import type { TicketEventType } from './ticket-event.entity';
import { TicketsRepository } from './tickets.repository';

export interface StoredTickets {
  generation: number;
  passportTicket: string | null;
  passportIssuedAt: Date | null;
  passportExpiresAt: Date | null;
  crmTicket: string | null;
  crmIssuedAt: Date | null;
  crmExpiresAt: Date | null;
}

export interface NewTickets {
  passportTicket?: string | null;
  passportExpiresAt?: Date | null;
  crmTicket: string;
  crmIssuedAt: Date;
  crmExpiresAt: Date;
}

// The AAD names the org and the ticket kind: a ticket copied to another org's row does not open.
const aad = (orgId: string, kind: 'passport' | 'crm') => `ticket|${orgId}|${kind}`;

const roundMs = (ms: number | null) => (ms === null ? null : Math.round(ms));

/**
 * Tickets per org in Postgres, sealed at rest, with a generation that grows on every save. This seals and
 * opens them and stamps the events with the instance; TicketsRepository holds the SQL.
 */
@Injectable()
export class TicketStoreService {
  constructor(
    private readonly repo: TicketsRepository,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'instanceId'>,
  ) {}

  async load(orgId: string): Promise<StoredTickets | null> {
    const row = await this.repo.load(orgId);
    if (!row) return null;
    return {
      generation: Number(row.generation),
      passportTicket: row.passportTicketEnc
        ? this.box.openString(row.passportTicketEnc, aad(orgId, 'passport'))
        : null,
      passportIssuedAt: row.passportIssuedAt,
      passportExpiresAt: row.passportExpiresAt,
      crmTicket: row.crmTicketEnc ? this.box.openString(row.crmTicketEnc, aad(orgId, 'crm')) : null,
      crmIssuedAt: row.crmIssuedAt,
      crmExpiresAt: row.crmExpiresAt,
    };
  }

  /** Saves new tickets and records the event; returns the new generation. */
  async save(
    orgId: string,
    t: NewTickets,
    kind: 'issued' | 'refreshed',
    latencyMs: number | null,
  ): Promise<number> {
    const generation = await this.repo.upsert(orgId, {
      passportEnc: t.passportTicket ? this.box.seal(t.passportTicket, aad(orgId, 'passport')) : null,
      passportExpiresAt: t.passportExpiresAt ?? null,
      crmEnc: this.box.seal(t.crmTicket, aad(orgId, 'crm')),
      crmIssuedAt: t.crmIssuedAt,
      crmExpiresAt: t.crmExpiresAt,
      kekId: this.box.activeKek,
      refreshed: kind === 'refreshed',
      latencyMs: roundMs(latencyMs),
    });
    await this.event(orgId, kind, latencyMs, null);
    return generation;
  }

  /** Fills in the latency of the latest issue or refresh (the session reports it after saving). */
  async recordRefreshLatency(orgId: string, latencyMs: number): Promise<void> {
    await this.repo.setRefreshLatency(orgId, Math.round(latencyMs));
  }

  /** Forgets an org's tickets entirely (a failed onboarding must not leave a ticket that looks in use). */
  async remove(orgId: string): Promise<void> {
    await this.repo.delete(orgId);
  }

  /** Saves a new Passport ticket, sealed, leaving the CRM ticket as it is. */
  async savePassport(orgId: string, ticket: string, issuedAt: Date, expiresAt: Date): Promise<void> {
    await this.repo.savePassport(orgId, this.box.seal(ticket, aad(orgId, 'passport')), issuedAt, expiresAt);
  }

  /** Marks one kind of ticket expired, so that the next use fetches a new one. */
  async expire(orgId: string, kind: 'crm' | 'passport'): Promise<void> {
    await this.repo.expire(orgId, kind);
  }

  /** Forgets an org's stored tickets; the row stays, for health history. */
  async clear(orgId: string): Promise<void> {
    await this.repo.clear(orgId);
  }

  async recordFailure(orgId: string, errorCode: string, latencyMs: number | null): Promise<void> {
    await this.repo.setLastError(orgId, errorCode);
    await this.event(orgId, 'failure', latencyMs, errorCode);
  }

  async event(
    orgId: string,
    type: TicketEventType,
    latencyMs: number | null,
    errorCode: string | null,
  ): Promise<void> {
    await this.repo.insertEvent(orgId, type, roundMs(latencyMs), errorCode, this.config.instanceId);
  }

  /** Forgets an org's CRM ticket (e.g. after 8004A102), keeping the Passport ticket. */
  async invalidateCrm(orgId: string, generation: number): Promise<void> {
    await this.repo.invalidateCrm(orgId, generation);
  }
}
