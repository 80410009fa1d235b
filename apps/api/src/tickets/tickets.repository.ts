import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { JOBS_SCHEMA } from '../jobs/jobs.service';
import { TicketEventEntity, type TicketEventType } from './ticket-event.entity';
import { TicketEntity } from './ticket.entity';

/** A ticket row with its sealed tickets (only `load` selects them). */
export type SealedTicketRow = TicketEntity;

/** What `upsert` writes: the sealed tickets, as TicketStoreService seals them. */
export interface TicketUpsert {
  passportEnc: Buffer | null;
  passportExpiresAt: Date | null;
  crmEnc: Buffer;
  crmIssuedAt: Date;
  crmExpiresAt: Date;
  kekId: string;
  /** A refresh counts in `refresh_count`; a first issue does not. */
  refreshed: boolean;
  latencyMs: number | null;
}

/** An org's ticket row for the health pages, with its event counts of the last 24 hours. */
export interface TicketHealthRow {
  crmExpiresAt: Date | null;
  passportExpiresAt: Date | null;
  crmIssuedAt: Date | null;
  lastRefreshAt: Date | null;
  lastRefreshLatencyMs: number | null;
  refreshCount: number;
  lastErrorCode: string | null;
  expiredFaults24h: number;
  failures24h: number;
}

/** One hour of an org's ticket events. */
export interface TicketEventBucket {
  bucket: Date;
  issued: number;
  refreshed: number;
  expired: number;
  failures: number;
}

/** An active org, its ticket's expiry and one of its unfinished refresh jobs (all job fields null: none). */
export interface RefreshSweepRow {
  orgId: string;
  expires: Date | null;
  jobId: string | null;
  state: string | null;
  startAfter: Date | null;
  /**
   * A Dataverse org's access token issue time, whose refresh is due at most a quarter of its lifetime before
   * expiry (TicketsService queues it so); null or absent for a CRM 4.0 org, whose jobs are queued without it.
   */
  issued?: Date | null;
}

/**
 * Every query of the tickets context (`tickets`, `ticket_events`). TicketStoreService seals and opens the
 * tickets and TicketHealthService and TicketRefreshJob hold the rules; this holds the SQL. The one exception is
 * advisory-lock.ts: its pg_advisory_lock calls are locking infrastructure on a connection of their own, not a
 * query of the tickets' data.
 */
@Injectable()
export class TicketsRepository {
  constructor(
    @InjectRepository(TicketEntity) private readonly tickets: Repository<TicketEntity>,
    @InjectRepository(TicketEventEntity) private readonly events: Repository<TicketEventEntity>,
  ) {}

  // ---- the store (tickets.service, org-ticket-store, onboarding)

  /** An org's row with its sealed tickets, or null when it has none. */
  load(orgId: string): Promise<SealedTicketRow | null> {
    return this.tickets
      .createQueryBuilder('t')
      .addSelect(['t.passportTicketEnc', 't.crmTicketEnc'])
      .where('t.org_id = :orgId', { orgId })
      .getOne();
  }

  /**
   * Inserts or replaces an org's tickets in one statement: the generation grows by one, a missing Passport
   * ticket keeps the stored one, and the last error is cleared. Returns the new generation.
   */
  async upsert(orgId: string, t: TicketUpsert): Promise<number> {
    const rows = (await this.tickets.query(
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
        t.passportEnc,
        t.passportExpiresAt,
        t.crmEnc,
        t.crmIssuedAt,
        t.crmExpiresAt,
        t.kekId,
        t.refreshed ? 1 : 0,
        t.latencyMs,
      ],
    )) as { generation: string }[];
    return Number(rows[0]!.generation);
  }

  /** Sets the latency of the row's latest issue or refresh, and of its event if that has none yet. */
  async setRefreshLatency(orgId: string, latencyMs: number): Promise<void> {
    await this.tickets.query(`UPDATE tickets SET last_refresh_latency_ms = $2 WHERE org_id = $1`, [
      orgId,
      latencyMs,
    ]);
    await this.tickets.query(
      `UPDATE ticket_events SET latency_ms = $2
        WHERE id = (SELECT id FROM ticket_events WHERE org_id = $1 AND type IN ('issued', 'refreshed') ORDER BY id DESC LIMIT 1)
          AND latency_ms IS NULL`,
      [orgId, latencyMs],
    );
  }

  async delete(orgId: string): Promise<void> {
    await this.tickets.query(`DELETE FROM tickets WHERE org_id = $1`, [orgId]);
  }

  async savePassport(orgId: string, passportEnc: Buffer, issuedAt: Date, expiresAt: Date): Promise<void> {
    await this.tickets.query(
      `UPDATE tickets SET passport_ticket_enc = $2, passport_expires_at = $3, passport_issued_at = $4, updated_at = now() WHERE org_id = $1`,
      [orgId, passportEnc, expiresAt, issuedAt],
    );
  }

  /** Sets one kind of ticket's expiry a second in the past. */
  async expire(orgId: string, kind: 'crm' | 'passport'): Promise<void> {
    const column = kind === 'crm' ? 'crm_expires_at' : 'passport_expires_at';
    await this.tickets.query(`UPDATE tickets SET ${column} = now() - interval '1 second' WHERE org_id = $1`, [
      orgId,
    ]);
  }

  /** Empties an org's tickets and their expiries; the row (its counters) stays. */
  async clear(orgId: string): Promise<void> {
    await this.tickets.query(
      `UPDATE tickets SET passport_ticket_enc = NULL, passport_expires_at = NULL, crm_ticket_enc = NULL, crm_expires_at = NULL, updated_at = now()
        WHERE org_id = $1`,
      [orgId],
    );
  }

  async setLastError(orgId: string, errorCode: string): Promise<void> {
    await this.tickets.query(
      `UPDATE tickets SET last_error_code = $2, updated_at = now() WHERE org_id = $1`,
      [orgId, errorCode],
    );
  }

  /** Expires the CRM ticket only if the row is still at this generation (a newer ticket stays). */
  async invalidateCrm(orgId: string, generation: number): Promise<void> {
    await this.tickets.query(
      `UPDATE tickets SET crm_expires_at = now() - interval '1 second' WHERE org_id = $1 AND generation = $2`,
      [orgId, generation],
    );
  }

  async insertEvent(
    orgId: string,
    type: TicketEventType,
    latencyMs: number | null,
    errorCode: string | null,
    instance: string,
  ): Promise<void> {
    await this.events.query(
      `INSERT INTO ticket_events (org_id, type, latency_ms, error_code, instance) VALUES ($1, $2, $3, $4, $5)`,
      [orgId, type, latencyMs, errorCode, instance],
    );
  }

  // ---- health (ticket-health.service)

  /** An org's ticket row with its expired faults and failures of the last 24 hours, or null when it has none. */
  async healthRow(orgId: string): Promise<TicketHealthRow | null> {
    const rows = (await this.tickets.query(
      `SELECT t.crm_expires_at, t.passport_expires_at, t.crm_issued_at, t.last_refresh_at, t.last_refresh_latency_ms,
              t.refresh_count, t.last_error_code,
              (SELECT count(*)::int FROM ticket_events e WHERE e.org_id = $1 AND e.type = 'expired-fault' AND e.at > now() - interval '24 hours') AS expired24,
              (SELECT count(*)::int FROM ticket_events e WHERE e.org_id = $1 AND e.type = 'failure' AND e.at > now() - interval '24 hours') AS failures24
         FROM tickets t WHERE t.org_id = $1`,
      [orgId],
    )) as Array<Record<string, unknown>>;
    const r = rows[0];
    if (!r) return null;
    return {
      crmExpiresAt: (r.crm_expires_at as Date | null) ?? null,
      passportExpiresAt: (r.passport_expires_at as Date | null) ?? null,
      crmIssuedAt: (r.crm_issued_at as Date | null) ?? null,
      lastRefreshAt: (r.last_refresh_at as Date | null) ?? null,
      lastRefreshLatencyMs: (r.last_refresh_latency_ms as number | null) ?? null,
      refreshCount: Number(r.refresh_count ?? 0),
      lastErrorCode: (r.last_error_code as string | null) ?? null,
      expiredFaults24h: Number(r.expired24 ?? 0),
      failures24h: Number(r.failures24 ?? 0),
    };
  }

  /** An org's latest events, newest first. */
  recentEvents(orgId: string, limit: number): Promise<TicketEventEntity[]> {
    return this.events.find({ where: { orgId }, order: { at: 'DESC' }, take: limit });
  }

  /** An org's events of the last 48 hours, counted by kind per hour, oldest first (hours without one absent). */
  hourlySeries(orgId: string): Promise<TicketEventBucket[]> {
    return this.events.query(
      `SELECT date_trunc('hour', at) AS bucket,
              count(*) FILTER (WHERE type = 'issued')::int AS issued,
              count(*) FILTER (WHERE type = 'refreshed')::int AS refreshed,
              count(*) FILTER (WHERE type = 'expired-fault')::int AS expired,
              count(*) FILTER (WHERE type = 'failure')::int AS failures
         FROM ticket_events WHERE org_id = $1 AND at > now() - interval '48 hours'
        GROUP BY 1 ORDER BY 1`,
      [orgId],
    ) as Promise<TicketEventBucket[]>;
  }

  // ---- the background refresh (ticket-refresh.job)

  /**
   * When an org's CRM ticket expires (null without a ticket) and, for a Dataverse org, when its access token was
   * issued (its refresh is due at most a quarter of its lifetime before expiry; null for a CRM 4.0 org).
   */
  async crmTicketTimes(orgId: string): Promise<{ expires: Date | null; issued: Date | null }> {
    const rows = (await this.tickets.query(
      `SELECT t.crm_expires_at AS expires, CASE WHEN o.kind = 'dataverse' THEN t.crm_issued_at END AS issued
         FROM tickets t JOIN orgs o ON o.id = t.org_id
        WHERE t.org_id = $1`,
      [orgId],
    )) as { expires: Date | null; issued: Date | null }[];
    return { expires: rows[0]?.expires ?? null, issued: rows[0]?.issued ?? null };
  }

  /**
   * The refresh sweep's one read: each active org, its ticket's expiry, and its unfinished jobs on `queue`
   * (one row per job; one row with null job fields when it has none).
   *
   * Besides `tickets` it reads `orgs.status` (the orgs context's table) and pg-boss's `job` table (the jobs
   * infrastructure's). It stays one LEFT JOIN because the sweep runs every minute over every active org:
   * OrgDirectory.active() plus JobsService.pending() per org would be a round trip per org each minute, where
   * this is one statement on the org and job-key indexes.
   */
  async refreshSweep(queue: string): Promise<RefreshSweepRow[]> {
    const rows = (await this.tickets.query(
      `SELECT o.id, t.crm_expires_at AS expires,
              CASE WHEN o.kind = 'dataverse' THEN t.crm_issued_at END AS issued,
              j.id AS job_id, j.state::text AS state, j.start_after
         FROM orgs o
         LEFT JOIN tickets t ON t.org_id = o.id
         LEFT JOIN ${JOBS_SCHEMA}.job j ON j.name = $1 AND j.singleton_key = o.id::text AND j.state < 'completed'
        WHERE o.status = 'active'`,
      [queue],
    )) as {
      id: string;
      expires: Date | null;
      issued: Date | null;
      job_id: string | null;
      state: string | null;
      start_after: Date | null;
    }[];
    return rows.map((r) => ({
      orgId: r.id,
      expires: r.expires,
      issued: r.issued,
      jobId: r.job_id,
      state: r.state,
      startAfter: r.start_after,
    }));
  }
}
