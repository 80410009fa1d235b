import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SecretBox } from '../secrets/secret-box';
import { TicketEntity } from './ticket.entity';
import type { TicketEventType } from './ticket-event.entity';

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

/** Tickets per org in Postgres, sealed at rest, with a generation that grows on every save. */
@Injectable()
export class TicketStoreService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'instanceId'>,
  ) {}

  async load(orgId: string, m: EntityManager = this.db.manager): Promise<StoredTickets | null> {
    const row = await m
      .getRepository(TicketEntity)
      .createQueryBuilder('t')
      .addSelect(['t.passportTicketEnc', 't.crmTicketEnc'])
      .where('t.org_id = :orgId', { orgId })
      .getOne();
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
    m: EntityManager = this.db.manager,
  ): Promise<number> {
    const passport = t.passportTicket ? this.box.seal(t.passportTicket, aad(orgId, 'passport')) : null;
    const crm = this.box.seal(t.crmTicket, aad(orgId, 'crm'));
    const rows = (await m.query(
      `INSERT INTO tickets (org_id, generation, passport_ticket_enc, passport_expires_at, passport_issued_at, crm_ticket_enc, crm_issued_at,
                            crm_expires_at, kek_id, refresh_count, last_refresh_at, last_refresh_latency_ms, last_error_code, updated_at)
       VALUES ($1, 1, $2, $3, CASE WHEN $2::bytea IS NULL THEN NULL ELSE now() END, $4, $5, $6, $7, $8, now(), $9, NULL, now())
       ON CONFLICT (org_id) DO UPDATE SET
         generation = tickets.generation + 1,
         passport_ticket_enc = COALESCE(EXCLUDED.passport_ticket_enc, tickets.passport_ticket_enc),
         passport_expires_at = COALESCE(EXCLUDED.passport_expires_at, tickets.passport_expires_at),
         passport_issued_at = CASE WHEN EXCLUDED.passport_ticket_enc IS NULL THEN tickets.passport_issued_at ELSE now() END,
         crm_ticket_enc = EXCLUDED.crm_ticket_enc, crm_issued_at = EXCLUDED.crm_issued_at, crm_expires_at = EXCLUDED.crm_expires_at,
         kek_id = EXCLUDED.kek_id, refresh_count = tickets.refresh_count + $8, last_refresh_at = now(),
         last_refresh_latency_ms = EXCLUDED.last_refresh_latency_ms, last_error_code = NULL, updated_at = now()
       RETURNING generation`,
      [
        orgId,
        passport,
        t.passportExpiresAt ?? null,
        crm,
        t.crmIssuedAt,
        t.crmExpiresAt,
        this.box.activeKek,
        kind === 'refreshed' ? 1 : 0,
        latencyMs === null ? null : Math.round(latencyMs),
      ],
    )) as { generation: string }[];
    await this.event(orgId, kind, latencyMs, null, m);
    return Number(rows[0]!.generation);
  }

  /** Fills in the latency of the latest issue or refresh (the session reports it after saving). */
  async recordRefreshLatency(orgId: string, latencyMs: number): Promise<void> {
    const ms = Math.round(latencyMs);
    await this.db.query(`UPDATE tickets SET last_refresh_latency_ms = $2 WHERE org_id = $1`, [orgId, ms]);
    await this.db.query(
      `UPDATE ticket_events SET latency_ms = $2
        WHERE id = (SELECT id FROM ticket_events WHERE org_id = $1 AND type IN ('issued', 'refreshed') ORDER BY id DESC LIMIT 1)
          AND latency_ms IS NULL`,
      [orgId, ms],
    );
  }

  /** Forgets an org's tickets entirely (a failed onboarding must not leave a ticket that looks in use). */
  async remove(orgId: string): Promise<void> {
    await this.db.query(`DELETE FROM tickets WHERE org_id = $1`, [orgId]);
  }

  /** Saves a new Passport ticket, sealed, leaving the CRM ticket as it is. */
  async savePassport(orgId: string, ticket: string, issuedAt: Date, expiresAt: Date): Promise<void> {
    await this.db.query(
      `UPDATE tickets SET passport_ticket_enc = $2, passport_expires_at = $3, passport_issued_at = $4, updated_at = now() WHERE org_id = $1`,
      [orgId, this.box.seal(ticket, aad(orgId, 'passport')), expiresAt, issuedAt],
    );
  }

  /** Marks one kind of ticket expired, so that the next use fetches a new one. */
  async expire(orgId: string, kind: 'crm' | 'passport'): Promise<void> {
    const column = kind === 'crm' ? 'crm_expires_at' : 'passport_expires_at';
    await this.db.query(`UPDATE tickets SET ${column} = now() - interval '1 second' WHERE org_id = $1`, [
      orgId,
    ]);
  }

  /** Forgets an org's stored tickets; the row stays, for health history. */
  async clear(orgId: string): Promise<void> {
    await this.db.query(
      `UPDATE tickets SET passport_ticket_enc = NULL, passport_expires_at = NULL, crm_ticket_enc = NULL, crm_expires_at = NULL, updated_at = now()
        WHERE org_id = $1`,
      [orgId],
    );
  }

  async recordFailure(orgId: string, errorCode: string, latencyMs: number | null): Promise<void> {
    await this.db.query(`UPDATE tickets SET last_error_code = $2, updated_at = now() WHERE org_id = $1`, [
      orgId,
      errorCode,
    ]);
    await this.event(orgId, 'failure', latencyMs, errorCode);
  }

  async event(
    orgId: string,
    type: TicketEventType,
    latencyMs: number | null,
    errorCode: string | null,
    m: EntityManager = this.db.manager,
  ): Promise<void> {
    await m.query(
      `INSERT INTO ticket_events (org_id, type, latency_ms, error_code, instance) VALUES ($1, $2, $3, $4, $5)`,
      [orgId, type, latencyMs === null ? null : Math.round(latencyMs), errorCode, this.config.instanceId],
    );
  }

  /** Forgets an org's CRM ticket (e.g. after 8004A102), keeping the Passport ticket. */
  async invalidateCrm(orgId: string, generation: number): Promise<void> {
    await this.db.query(
      `UPDATE tickets SET crm_expires_at = now() - interval '1 second' WHERE org_id = $1 AND generation = $2`,
      [orgId, generation],
    );
  }
}
