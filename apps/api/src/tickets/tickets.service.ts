import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  type CertificateBundle,
  CrmSession,
  DiscoveryClient,
  type SessionEvent,
  type StoredTicket,
  type TicketStore,
  WlidClient,
  isCrmAuthError,
} from '@onbehalf/crm-auth';
import { type CircuitBreakerPolicy, CircuitState, isBrokenCircuitError } from 'cockatiel';
import { DataSource } from 'typeorm';
import { CertificatesService } from '../certificates/certificates.service';
import { DomainException, notFound } from '../common/domain-exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { toHttpError } from '../crm/crm-errors';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from '../metrics/metrics.service';
import { OrgEntity } from '../orgs/org.entity';
import { orgCircuitBreaker } from './org-breaker';
import { TicketEventEntity } from './ticket-event.entity';
import { TicketStoreService } from './ticket-store.service';

export interface TicketSummary {
  state: 'valid' | 'expiring' | 'expired' | 'missing' | 'failing';
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

interface Entry {
  session: CrmSession;
  breaker: CircuitBreakerPolicy;
  certificateId: string;
}

/**
 * Tickets per org: the CrmSession registry (one per org, tickets shared through Postgres),
 * the background refresh ahead of expiry, and ticket health.
 */
@Injectable()
export class TicketsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sessions = new Map<string, Promise<Entry>>();

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: TicketStoreService,
    private readonly certificates: CertificatesService,
    private readonly jobs: JobsService,
    private readonly metrics: MetricsService,
  ) {
    this.jobs.register({ name: 'ticket-refresh', everyMs: 15_000, run: () => this.refreshDue() });
  }

  onApplicationBootstrap(): void {}

  /** After Nest has stopped the HTTP server (onApplicationShutdown), so no request is cut off mid-call. */
  async onApplicationShutdown(): Promise<void> {
    await this.jobs.stop();
    const entries = await Promise.allSettled([...this.sessions.values()]);
    for (const e of entries)
      if (e.status === 'fulfilled') await e.value.session.close().catch(() => undefined);
    this.sessions.clear();
  }

  private get ca(): string[] | undefined {
    return this.config.trustedServerCaPems.length ? this.config.trustedServerCaPems : undefined;
  }

  /** The org's session, created on first use. Every org has its own session, tickets and breaker. */
  async entry(orgId: string): Promise<Entry> {
    let p = this.sessions.get(orgId);
    if (!p) {
      p = this.create(orgId);
      this.sessions.set(orgId, p);
      p.catch(() => this.sessions.delete(orgId));
    }
    return p;
  }

  private async create(orgId: string): Promise<Entry> {
    const org = await this.db.getRepository(OrgEntity).findOne({ where: { id: orgId } });
    if (!org) throw notFound('ORG_NOT_FOUND', 'No org with this id.');
    if (!org.organizationName || org.status === 'onboarding') {
      throw new DomainException(
        409,
        'ORG_NOT_ONBOARDED',
        `"${org.friendlyName}" has not been onboarded yet.`,
      );
    }
    const bundle = await this.certificates.loadBundle(org.certificateId);
    const session = new CrmSession({
      discoveryUrl: org.discoveryUrl,
      stsUrl: this.config.stsUrl,
      partnerDomain: this.config.partnerDomain,
      organizationName: org.organizationName,
      certificate: bundle,
      ...(this.ca ? { ca: this.ca } : {}),
      ticketStore: this.ticketStoreFor(orgId),
      // PUID → systemuserid is cached in one layer, UserMappingsService's user_mappings rows: the session keeps none.
      userIdStore: null,
      refreshAheadMs: this.config.ticketRefreshAheadSec * 1000,
      // docs/protocol.md §9.5: on 8004A101 refresh once and retry once.
      maxTicketRetries: 1,
      timeoutMs: 30_000,
      refreshLock: (key, fn) => this.withOrgLock(orgId, key, fn),
      onEvent: (e) => void this.onEvent(orgId, e),
    });
    // What counts as an outage (and what never does, e.g. a failing ticket store): org-breaker.ts.
    const breaker = orgCircuitBreaker();
    return { session, breaker, certificateId: org.certificateId };
  }

  /** Drops the cached session (after a certificate rotation or a re-run of onboarding). */
  forget(orgId: string): void {
    const p = this.sessions.get(orgId);
    this.sessions.delete(orgId);
    void p?.then((e) => e.session.close()).catch(() => undefined);
  }

  /** Forgets an org's stored tickets (the row stays, for health history). */
  async clearTickets(orgId: string): Promise<void> {
    await this.db.query(
      `UPDATE tickets SET passport_ticket_enc = NULL, passport_expires_at = NULL, crm_ticket_enc = NULL, crm_expires_at = NULL, updated_at = now()
        WHERE org_id = $1`,
      [orgId],
    );
  }

  breakerState(orgId: string): 'closed' | 'open' | 'half-open' {
    const p = this.sessions.get(orgId);
    const state = p ? (this.resolved.get(orgId)?.breaker.state ?? CircuitState.Closed) : CircuitState.Closed;
    return state === CircuitState.Open || state === CircuitState.Isolated
      ? 'open'
      : state === CircuitState.HalfOpen
        ? 'half-open'
        : 'closed';
  }

  private readonly resolved = new Map<string, Entry>();

  /** Runs an operation through the org's breaker; an open circuit fails fast with ORG_CIRCUIT_OPEN. */
  async run<T>(orgId: string, fn: (session: CrmSession) => Promise<T>): Promise<T> {
    const e = await this.entry(orgId);
    this.resolved.set(orgId, e);
    try {
      return await e.breaker.execute(() => fn(e.session));
    } catch (err) {
      // Open, or a half-open probe failed while this call waited for it. Only execute() may decide:
      // checking `state` first would keep an open circuit open for ever, since no probe would be let through.
      if (isBrokenCircuitError(err)) {
        throw new DomainException(
          503,
          'ORG_CIRCUIT_OPEN',
          'CRM for this org is failing; calls are paused for a few seconds to let it recover.',
        );
      }
      throw err;
    }
  }

  /**
   * A Postgres-backed TicketStore for one org. CRM tickets and Passport tickets live in the
   * org's `tickets` row, sealed; other keys (none today) are refused so nothing is stored in clear.
   */
  private ticketStoreFor(orgId: string): TicketStore {
    const kindOf = (key: string): 'crm' | 'passport' => (key.startsWith('crm') ? 'crm' : 'passport');
    return {
      get: async (key: string): Promise<StoredTicket | undefined> => {
        const t = await this.store.load(orgId);
        if (!t) return undefined;
        if (kindOf(key) === 'crm') {
          if (!t.crmTicket || !t.crmExpiresAt) return undefined;
          const org = await this.db.getRepository(OrgEntity).findOne({ where: { id: orgId } });
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
          const had = await this.store.load(orgId);
          await this.store.save(
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
          await this.db.query(
            `UPDATE tickets SET passport_ticket_enc = $2, passport_expires_at = $3, passport_issued_at = $4, updated_at = now() WHERE org_id = $1`,
            [
              orgId,
              this.store.sealPassport(orgId, value.ticket),
              new Date(value.expiresAt),
              new Date(value.issuedAt),
            ],
          );
        }
      },
      delete: async (key: string): Promise<void> => {
        const col = kindOf(key) === 'crm' ? 'crm_expires_at' : 'passport_expires_at';
        await this.db.query(`UPDATE tickets SET ${col} = now() - interval '1 second' WHERE org_id = $1`, [
          orgId,
        ]);
      },
    };
  }

  /** Across instances, one refresh per org at a time: a Postgres advisory lock held for the refresh. */
  private async withOrgLock<T>(orgId: string, key: string, fn: () => Promise<T>): Promise<T> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.query(`SELECT pg_advisory_lock(hashtext($1))`, [
        `onbehalf:ticket:${orgId}:${key.split('|')[0]}`,
      ]);
      return await fn();
    } finally {
      await qr
        .query(`SELECT pg_advisory_unlock(hashtext($1))`, [`onbehalf:ticket:${orgId}:${key.split('|')[0]}`])
        .catch(() => undefined);
      await qr.release();
    }
  }

  private async onEvent(orgId: string, e: SessionEvent): Promise<void> {
    try {
      if (e.type === 'expired-ticket-fault') {
        this.metrics.incFault(orgId, '0x8004A101');
        await this.store.event(orgId, 'expired-fault', null, '0x8004A101');
      } else if (e.type === 'refresh-failed') {
        this.metrics.incTicketRefresh(orgId, 'failure');
        await this.store.recordFailure(orgId, e.errorCode ?? 'ERROR', e.latencyMs ?? null);
      } else if (e.type === 'crm-ticket-issued' || e.type === 'crm-ticket-refreshed') {
        this.metrics.incTicketRefresh(orgId, e.type === 'crm-ticket-issued' ? 'issued' : 'refreshed');
        if (e.expiresAt) this.metrics.setTicketExpiry(orgId, Math.floor(e.expiresAt.getTime() / 1000));
        // The store saved the ticket before the session knew how long the refresh took.
        if (e.latencyMs !== undefined) await this.store.recordRefreshLatency(orgId, e.latencyMs);
      }
    } catch {
      // Health bookkeeping must never fail a call.
    }
  }

  /** Forces a new CRM ticket now. */
  async refreshNow(orgId: string): Promise<TicketSummary> {
    const t0 = performance.now();
    try {
      await this.run(orgId, (s) => s.refresh());
    } catch (err) {
      if (err instanceof DomainException) throw err; // not a refresh failure: unknown org, not onboarded, circuit open
      // Our own database failing is a local fault (503, retry), not a refused refresh; recording it may fail too.
      if (isCrmAuthError(err, 'ERR_TICKET_STORE')) {
        await this.store.recordFailure(orgId, err.code, performance.now() - t0).catch(() => undefined);
        throw toHttpError(err);
      }
      await this.store.recordFailure(orgId, isCrmAuthError(err) ? err.code : 'ERROR', performance.now() - t0);
      throw new DomainException(
        502,
        'TICKET_REFRESH_FAILED',
        `The ticket could not be refreshed: ${err instanceof Error ? err.message : 'unknown error'}`,
      );
    }
    return (await this.summary(orgId))!;
  }

  /** The background job: refresh every active org whose CRM ticket expires within the window. */
  async refreshDue(): Promise<{ refreshed: number; failed: number }> {
    const due = (await this.db.query(
      `SELECT o.id FROM orgs o LEFT JOIN tickets t ON t.org_id = o.id
        WHERE o.status = 'active' AND (t.crm_expires_at IS NULL OR t.crm_expires_at < now() + ($1 || ' seconds')::interval)`,
      [String(this.config.ticketRefreshAheadSec)],
    )) as { id: string }[];
    let refreshed = 0;
    let failed = 0;
    for (const { id } of due) {
      try {
        await this.refreshNow(id);
        refreshed++;
      } catch {
        failed++;
      }
    }
    return { refreshed, failed };
  }

  /** Proves a certificate can get tickets for an org (rotation), without touching the live tickets. */
  async verifyCertificate(org: OrgEntity, bundle: CertificateBundle): Promise<void> {
    const discovery = new DiscoveryClient({
      url: org.discoveryUrl,
      ...(this.ca ? { ca: this.ca } : {}),
      timeoutMs: 15_000,
    });
    const wlid = new WlidClient({
      stsUrl: this.config.stsUrl,
      certificate: bundle,
      ...(this.ca ? { ca: this.ca } : {}),
      partnerDomain: this.config.partnerDomain,
      timeoutMs: 15_000,
    });
    try {
      const { policy } = await discovery.retrievePolicy();
      const passport = await wlid.requestTicket({ policy, appliesTo: this.config.partnerDomain });
      await discovery.retrieveCrmTicket(org.organizationName!, passport.ticket);
    } catch (err) {
      throw new DomainException(
        422,
        'CERTIFICATE_VERIFICATION_FAILED',
        `The certificate could not get a ticket for "${org.friendlyName}": ${err instanceof Error ? err.message : 'unknown error'}`,
        {
          errorCode: isCrmAuthError(err) ? err.code : null,
        },
      );
    } finally {
      await Promise.allSettled([discovery.close(), wlid.close()]);
    }
  }

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
    const now = Date.now();
    const state: TicketSummary['state'] = !exp
      ? 'missing'
      : exp.getTime() <= now
        ? r.last_error_code
          ? 'failing'
          : 'expired'
        : r.last_error_code
          ? 'failing'
          : exp.getTime() - now < this.config.ticketRefreshAheadSec * 1000
            ? 'expiring'
            : 'valid';
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
    const org = await this.db.getRepository(OrgEntity).findOne({ where: { id: orgId } });
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
      breaker: this.breakerState(orgId),
    };
  }

  async healthAll() {
    const orgs = await this.db.getRepository(OrgEntity).find({ order: { friendlyName: 'ASC' } });
    return {
      items: await Promise.all(
        orgs.map(async (o) => ({
          orgId: o.id,
          friendlyName: o.friendlyName,
          ticket: await this.summary(o.id),
          breaker: this.breakerState(o.id),
        })),
      ),
    };
  }
}
