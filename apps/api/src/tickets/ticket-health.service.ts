import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { notFound } from '../common/domain-exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { OrgDirectory } from '../orgs/org-directory';
import { TicketEventEntity } from './ticket-event.entity';
import { type TicketState, ticketState } from './ticket-state';
import { TicketsService } from './tickets.service';

export interface TicketSummary {
  state: TicketState;
  crmTicketExpiresAt: string | null;
  passportTicketExpiresAt: string | null;
  issuedAt: string | null;
  lastRefreshAt: string | null;
  lastRefreshLatencyMs: number | null;
  refreshCount: number;
  expiredFaults24h: number;
  failures24h: number;
  lastErrorCode: string | null;
}

/** Ticket health, read only: each org's ticket state, its recent events, an hourly series and its breaker. */
@Injectable()
export class TicketHealthService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly orgs: OrgDirectory,
    private readonly tickets: TicketsService,
  ) {}

  async summary(orgId: string): Promise<TicketSummary | null> {
    const rows = (await this.db.query(
      `SELECT t.crm_expires_at, t.passport_expires_at, t.crm_issued_at, t.last_refresh_at, t.last_refresh_latency_ms,
              t.refresh_count, t.last_error_code,
              (SELECT count(*)::int FROM ticket_events e WHERE e.org_id = $1 AND e.type = 'expired-fault' AND e.at > now() - interval '24 hours') AS expired24,
              (SELECT count(*)::int FROM ticket_events e WHERE e.org_id = $1 AND e.type = 'failure' AND e.at > now() - interval '24 hours') AS failures24
         FROM tickets t WHERE t.org_id = $1`,
      [orgId],
    )) as Array<Record<string, unknown>>;
    const r = rows[0];
    if (!r) return null;
    const exp = r.crm_expires_at as Date | null;
    const state = ticketState(
      exp,
      (r.last_error_code as string | null) ?? null,
      this.config.ticketRefreshAheadSec * 1000,
    );
    return {
      state,
      crmTicketExpiresAt: exp?.toISOString() ?? null,
      passportTicketExpiresAt: (r.passport_expires_at as Date | null)?.toISOString() ?? null,
      issuedAt: (r.crm_issued_at as Date | null)?.toISOString() ?? null,
      lastRefreshAt: (r.last_refresh_at as Date | null)?.toISOString() ?? null,
      lastRefreshLatencyMs: (r.last_refresh_latency_ms as number | null) ?? null,
      refreshCount: Number(r.refresh_count ?? 0),
      expiredFaults24h: Number(r.expired24 ?? 0),
      failures24h: Number(r.failures24 ?? 0),
      lastErrorCode: (r.last_error_code as string | null) ?? null,
    };
  }

  async health(orgId: string) {
    const org = await this.orgs.find(orgId);
    if (!org) throw notFound('ORG_NOT_FOUND', 'No org with this id.');
    const events = await this.db
      .getRepository(TicketEventEntity)
      .find({ where: { orgId }, order: { at: 'DESC' }, take: 200 });
    const series = (await this.db.query(
      `SELECT date_trunc('hour', at) AS bucket,
              count(*) FILTER (WHERE type = 'issued')::int AS issued,
              count(*) FILTER (WHERE type = 'refreshed')::int AS refreshed,
              count(*) FILTER (WHERE type = 'expired-fault')::int AS expired,
              count(*) FILTER (WHERE type = 'failure')::int AS failures
         FROM ticket_events WHERE org_id = $1 AND at > now() - interval '48 hours'
        GROUP BY 1 ORDER BY 1`,
      [orgId],
    )) as Array<{ bucket: Date; issued: number; refreshed: number; expired: number; failures: number }>;
    return {
      orgId,
      ticket: await this.summary(orgId),
      events: events.map((e) => ({
        id: e.id,
        type: e.type,
        at: e.at.toISOString(),
        latencyMs: e.latencyMs,
        errorCode: e.errorCode,
      })),
      series: series.map((s) => ({
        bucketStart: s.bucket.toISOString(),
        issued: s.issued,
        refreshed: s.refreshed,
        expiredFaults: s.expired,
        failures: s.failures,
      })),
      breaker: this.tickets.breakerState(orgId),
    };
  }

  async healthAll() {
    const orgs = await this.orgs.list();
    return {
      items: await Promise.all(
        orgs.map(async (o) => ({
          orgId: o.id,
          friendlyName: o.friendlyName,
          ticket: await this.summary(o.id),
          breaker: this.tickets.breakerState(o.id),
        })),
      ),
    };
  }
}
