import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../common/domain-exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { OrgDirectory } from '../orgs/org-directory';
import { type TicketState, ticketState } from './ticket-state';
import { TicketsRepository } from './tickets.repository';
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
    private readonly repo: TicketsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly orgs: OrgDirectory,
    private readonly tickets: TicketsService,
  ) {}

  async summary(orgId: string): Promise<TicketSummary | null> {
    const r = await this.repo.healthRow(orgId);
    if (!r) return null;
    const exp = r.crmExpiresAt;
    const state = ticketState(exp, r.lastErrorCode, this.config.ticketRefreshAheadSec * 1000);
    return {
      state,
      crmTicketExpiresAt: exp?.toISOString() ?? null,
      passportTicketExpiresAt: r.passportExpiresAt?.toISOString() ?? null,
      issuedAt: r.crmIssuedAt?.toISOString() ?? null,
      lastRefreshAt: r.lastRefreshAt?.toISOString() ?? null,
      lastRefreshLatencyMs: r.lastRefreshLatencyMs,
      refreshCount: r.refreshCount,
      expiredFaults24h: r.expiredFaults24h,
      failures24h: r.failures24h,
      lastErrorCode: r.lastErrorCode,
    };
  }

  async health(orgId: string) {
    const org = await this.orgs.find(orgId);
    if (!org) throw notFound('ORG_NOT_FOUND', 'No org with this id.');
    const events = await this.repo.recentEvents(orgId, 200);
    const series = await this.repo.hourlySeries(orgId);
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
