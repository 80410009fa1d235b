import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  type CertificateBundle,
  CrmServiceClient,
  type CrmServiceApi,
  CrmSession,
  DataverseSession,
  DiscoveryClient,
  EntraTokenClient,
  HttpsTransport,
  type OrgSession,
  type SessionEvent,
  WlidClient,
  isCrmAuthError,
  MAX_EARLY_EXPIRIES,
  MAX_TRANSIENT_DELAY_MS,
} from '@onbehalf/crm-auth';
import { type CircuitBreakerPolicy, CircuitState, isBrokenCircuitError } from 'cockatiel';
import { DataSource } from 'typeorm';
import { CertificatesService } from '../certificates/certificates.service';
import { DomainException, notFound } from '../common/domain-exception';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { toHttpError } from '../crm/crm-errors';
import { JobsService } from '../jobs/jobs.service';
import { MetricsService } from '../metrics/metrics.service';
import { OrgDirectory, type OrgRecord } from '../orgs/org-directory';
import { withAdvisoryLock } from './advisory-lock';
import { orgCircuitBreaker } from './org-breaker';
import { dataverseTicketStore, orgTicketStore } from './org-ticket-store';
import { TicketRefreshScheduler } from './ticket-refresh.scheduler';
import { TicketStoreService } from './ticket-store.service';

interface Entry {
  /** The org's session, whichever its platform. */
  session: OrgSession;
  /** The same session when the org runs CRM 4.0 (its own calls: retrieveMultiple, CRM 4.0 entities); else null. */
  crm: CrmSession | null;
  breaker: CircuitBreakerPolicy;
  certificateId: string;
}

/** A certificate's bundle, loaded once, and the one STS client that presents it. */
interface Signer {
  bundle: CertificateBundle;
  wlid: WlidClient;
}

/**
 * The session's bounds on one impersonated call: each remote call, each ticket refresh (its lock wait included),
 * the refresh-and-retry rounds after a ticket fault, the early expiries retried past on top of those (crm-auth's
 * MAX_EARLY_EXPIRIES), and a read's one transient retry after at most 2 s. Once its ledger row is written, a call
 * lasts at most (refreshTimeoutMs + timeoutMs) × (1 + ticketRetries + earlyExpiries) + 2 s + timeoutMs;
 * reconciliation's pending delay must exceed it (DEFAULT_RECONCILE_PENDING_AFTER_SEC, checked by
 * config/pending-delay.spec.ts).
 */
export const SESSION_CALL_BOUNDS = {
  timeoutMs: 30_000,
  refreshTimeoutMs: 90_000,
  ticketRetries: 1,
  earlyExpiries: MAX_EARLY_EXPIRIES,
  transientDelayMs: MAX_TRANSIENT_DELAY_MS,
} as const;

/**
 * The CrmSession registry: one session and one circuit breaker per org, created on first use. Tickets are
 * shared by every instance through Postgres (org-ticket-store.ts), and refreshed under an advisory lock so
 * that one instance refreshes an org at a time. Health reads: ticket-health.service.ts; the background
 * refresh: ticket-refresh.job.ts; the breaker's rule: org-breaker.ts.
 */
@Injectable()
export class TicketsService implements OnApplicationShutdown {
  private readonly sessions = new Map<string, Promise<Entry>>();
  /**
   * The clients every org's session shares, so that the cost of a refresh does not grow with the orgs: one
   * connection pool for discovery and CrmService (same trust, no client certificate), one discovery client per
   * discovery URL, and per certificate one loaded bundle and one STS client (its pool presents the certificate).
   * A session of its own clients would load and parse the certificate, and open new TLS connections, for each
   * org; with thousands of orgs, each refresh, hours after the org's last one, would find its pools cold.
   */
  private transport: HttpsTransport | null = null;
  private readonly discoveries = new Map<string, DiscoveryClient>();
  private readonly signers = new Map<string, Promise<Signer>>();
  private readonly crmService = (url: string): CrmServiceApi =>
    new CrmServiceClient({ url, transport: this.sharedTransport() });

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly orgs: OrgDirectory,
    private readonly store: TicketStoreService,
    private readonly certificates: CertificatesService,
    private readonly jobs: JobsService,
    private readonly metrics: MetricsService,
    private readonly refreshes: TicketRefreshScheduler,
  ) {}

  /** After Nest has stopped the HTTP server (onApplicationShutdown), so no request is cut off mid-call. */
  async onApplicationShutdown(): Promise<void> {
    await this.jobs.stop(); // first, so that no background refresh starts while the sessions close
    const entries = await Promise.allSettled([...this.sessions.values()]);
    for (const e of entries)
      if (e.status === 'fulfilled') await e.value.session.close().catch(() => undefined);
    this.sessions.clear();
    const signers = await Promise.allSettled([...this.signers.values()]);
    for (const s of signers) if (s.status === 'fulfilled') await s.value.wlid.close().catch(() => undefined);
    this.signers.clear();
    this.discoveries.clear();
    await this.transport?.close().catch(() => undefined);
    this.transport = null;
  }

  private sharedTransport(): HttpsTransport {
    this.transport ??= new HttpsTransport({
      ...(this.ca ? { ca: this.ca } : {}),
      timeoutMs: SESSION_CALL_BOUNDS.timeoutMs,
      connections: this.config.crmConnections,
    });
    return this.transport;
  }

  private discovery(url: string): DiscoveryClient {
    let d = this.discoveries.get(url);
    if (!d) {
      d = new DiscoveryClient({ url, transport: this.sharedTransport() });
      this.discoveries.set(url, d);
    }
    return d;
  }

  /** The certificate's bundle and STS client, made on first use and shared by every org it serves. */
  private signer(certificateId: string): Promise<Signer> {
    let p = this.signers.get(certificateId);
    if (!p) {
      p = this.certificates.loadBundle(certificateId).then((bundle) => ({
        bundle,
        wlid: new WlidClient({
          stsUrl: this.config.stsUrl,
          certificate: bundle,
          partnerDomain: this.config.partnerDomain,
          timeoutMs: SESSION_CALL_BOUNDS.timeoutMs,
          ...(this.ca ? { ca: this.ca } : {}),
        }),
      }));
      this.signers.set(certificateId, p);
      p.catch(() => this.signers.delete(certificateId));
    }
    return p;
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
    const org = await this.orgs.find(orgId);
    if (!org) throw notFound('ORG_NOT_FOUND', 'No org with this id.');
    const onboarded = org.kind === 'dataverse' ? org.serviceAccountUserId : org.organizationName;
    if (!onboarded || org.status === 'onboarding') {
      throw new DomainException(
        409,
        'ORG_NOT_ONBOARDED',
        `"${org.friendlyName}" has not been onboarded yet.`,
      );
    }
    if (org.kind === 'dataverse') return this.createDataverse(org);
    const discoveryUrl = org.discoveryUrl!; // a crm4 row has one (orgs_kind_columns_check)
    const { bundle, wlid } = await this.signer(org.certificateId);
    const session = new CrmSession({
      discoveryUrl,
      stsUrl: this.config.stsUrl,
      partnerDomain: this.config.partnerDomain,
      organizationName: org.organizationName!,
      certificate: bundle,
      ...(this.ca ? { ca: this.ca } : {}),
      clients: { wlid, discovery: this.discovery(discoveryUrl), crmService: this.crmService },
      ticketStore: orgTicketStore(orgId, this.store, () => this.orgs.find(orgId)),
      // PUID → systemuserid is cached in one layer, UserMappingsService's user_mappings rows: the session keeps none.
      userIdStore: null,
      refreshAheadMs: this.config.ticketRefreshAheadSec * 1000,
      // docs/protocol.md §9.5: on 8004A101 refresh once and retry once.
      maxTicketRetries: SESSION_CALL_BOUNDS.ticketRetries,
      timeoutMs: SESSION_CALL_BOUNDS.timeoutMs,
      refreshTimeoutMs: SESSION_CALL_BOUNDS.refreshTimeoutMs,
      // Across instances, one refresh per org and ticket kind at a time.
      refreshLock: (key, fn) =>
        withAdvisoryLock(this.db, `onbehalf:ticket:${orgId}:${key.split('|')[0]}`, fn),
      onEvent: (e) => void this.onEvent(orgId, e),
    });
    // What counts as an outage (and what never does, e.g. a failing ticket store): org-breaker.ts.
    const breaker = orgCircuitBreaker();
    return { session, crm: session, breaker, certificateId: org.certificateId };
  }

  /**
   * A Dataverse org's session: the ISV app's access token for the environment, kept in the org's tickets row
   * (the CRM ticket's place, so that ticket health shows the token's expiry and refreshes), refreshed under the
   * same advisory lock, with the same breaker. The application user onboarding found is the session's own, so a
   * call on behalf of it is refused before sending.
   */
  private async createDataverse(org: OrgRecord): Promise<Entry> {
    const orgId = org.id;
    const { bundle } = await this.signer(org.certificateId);
    const session = new DataverseSession({
      authorityUrl: this.config.entraAuthorityUrl,
      tenant: org.tenant!,
      clientId: org.clientId!,
      environmentUrl: org.environmentUrl!,
      certificate: bundle,
      ...(this.ca ? { ca: this.ca } : {}),
      ticketStore: dataverseTicketStore(orgId, this.store, (expiresAt, issuedAt) =>
        this.refreshes.schedule(orgId, expiresAt, new Date(), issuedAt).catch(() => undefined),
      ),
      refreshLock: (key, fn) =>
        withAdvisoryLock(this.db, `onbehalf:ticket:${orgId}:${key.split('|')[0]}`, fn),
      applicationUser: {
        ...(org.serviceAccountUserId ? { userId: org.serviceAccountUserId } : {}),
        ...(org.appUserEntraObjectId ? { entraObjectId: org.appUserEntraObjectId } : {}),
      },
      refreshAheadMs: this.config.ticketRefreshAheadSec * 1000,
      timeoutMs: SESSION_CALL_BOUNDS.timeoutMs,
      refreshTimeoutMs: SESSION_CALL_BOUNDS.refreshTimeoutMs,
      connections: this.config.crmConnections,
      onEvent: (e) => void this.onEvent(orgId, e, 'dataverse'),
    });
    return { session, crm: null, breaker: orgCircuitBreaker(), certificateId: org.certificateId };
  }

  /** Drops the cached session (after a certificate rotation or a re-run of onboarding). */
  forget(orgId: string): void {
    const p = this.sessions.get(orgId);
    this.sessions.delete(orgId);
    void p?.then((e) => e.session.close()).catch(() => undefined);
  }

  /** Forgets an org's stored tickets (the row stays, for health history). */
  async clearTickets(orgId: string): Promise<void> {
    await this.store.clear(orgId);
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

  /**
   * Runs a CRM 4.0 operation through the org's breaker; an open circuit fails fast with ORG_CIRCUIT_OPEN. A
   * Dataverse org is refused (409 ORG_PLATFORM): its calls go through {@link runOrg}.
   */
  async run<T>(orgId: string, fn: (session: CrmSession) => Promise<T>): Promise<T> {
    const e = await this.entry(orgId);
    const crm = e.crm;
    if (!crm)
      throw new DomainException(
        409,
        'ORG_PLATFORM',
        'This org runs on Dataverse: this operation exists for CRM 4.0 orgs only.',
      );
    this.resolved.set(orgId, e);
    try {
      return await e.breaker.execute(() => fn(crm));
    } catch (err) {
      throw circuitOpen(err);
    }
  }

  /** Runs an operation of either platform (OrgSession) through the org's breaker, as {@link run} does. */
  async runOrg<T>(orgId: string, fn: (session: OrgSession) => Promise<T>): Promise<T> {
    const e = await this.entry(orgId);
    this.resolved.set(orgId, e);
    try {
      return await e.breaker.execute(() => fn(e.session));
    } catch (err) {
      throw circuitOpen(err);
    }
  }

  /**
   * Ticket health from a session's events. A Dataverse org's token is a CRM ticket here, its 401 the expired-ticket
   * fault (recorded with the code `401`); its store (dataverseTicketStore) has already queued the next refresh.
   */
  private async onEvent(orgId: string, e: SessionEvent, kind: 'crm4' | 'dataverse' = 'crm4'): Promise<void> {
    try {
      if (e.type === 'expired-ticket-fault') {
        const code = kind === 'dataverse' ? '401' : '0x8004A101';
        this.metrics.incFault(orgId, code);
        await this.store.event(orgId, 'expired-fault', null, code);
      } else if (e.type === 'refresh-failed') {
        this.metrics.incTicketRefresh(orgId, 'failure');
        await this.store.recordFailure(orgId, e.errorCode ?? 'ERROR', e.latencyMs ?? null);
      } else if (e.type === 'crm-ticket-issued' || e.type === 'crm-ticket-refreshed') {
        this.metrics.incTicketRefresh(orgId, e.type === 'crm-ticket-issued' ? 'issued' : 'refreshed');
        if (e.expiresAt) this.metrics.setTicketExpiry(orgId, Math.floor(e.expiresAt.getTime() / 1000));
        // The store saved the ticket before the session knew how long the refresh took.
        if (e.latencyMs !== undefined) await this.store.recordRefreshLatency(orgId, e.latencyMs);
        // The org's next background refresh, due before this ticket expires (the sweep catches a failure here).
        if (e.expiresAt && kind === 'crm4')
          await this.refreshes.schedule(orgId, e.expiresAt).catch(() => undefined);
      }
    } catch {
      // Health bookkeeping must never fail a call.
    }
  }

  /** Forces a new CRM ticket now. */
  async refreshNow(orgId: string): Promise<void> {
    const t0 = performance.now();
    try {
      await this.runOrg(orgId, (s) => s.refresh());
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
  }

  /** Proves a certificate can get tickets for an org (rotation), without touching the live tickets. */
  async verifyCertificate(org: OrgRecord, bundle: CertificateBundle): Promise<void> {
    if (org.kind === 'dataverse') return this.verifyDataverseCertificate(org, bundle);
    const discovery = new DiscoveryClient({
      url: org.discoveryUrl!,
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

  /** A Dataverse org's rotation: the app gets a token for the environment with the new certificate. */
  private async verifyDataverseCertificate(org: OrgRecord, bundle: CertificateBundle): Promise<void> {
    const entra = new EntraTokenClient({
      authorityUrl: this.config.entraAuthorityUrl,
      tenant: org.tenant!,
      clientId: org.clientId!,
      certificate: bundle,
      ...(this.ca ? { ca: this.ca } : {}),
      timeoutMs: 15_000,
    });
    try {
      await entra.acquireToken({ scope: `${org.environmentUrl!.replace(/\/+$/, '')}/.default` });
    } catch (err) {
      throw new DomainException(
        422,
        'CERTIFICATE_VERIFICATION_FAILED',
        `The certificate could not get a token for "${org.friendlyName}": ${err instanceof Error ? err.message : 'unknown error'}`,
        { errorCode: isCrmAuthError(err) ? err.code : null },
      );
    } finally {
      await entra.close().catch(() => undefined);
    }
  }
}

/**
 * An open circuit, or a half-open probe that failed while this call waited for it, as ORG_CIRCUIT_OPEN; any other
 * failure as it is. Only execute() may decide: checking `state` first would keep an open circuit open for ever,
 * since no probe would be let through.
 */
function circuitOpen(err: unknown): unknown {
  return isBrokenCircuitError(err)
    ? new DomainException(
        503,
        'ORG_CIRCUIT_OPEN',
        'CRM for this org is failing; calls are paused for a few seconds to let it recover.',
      )
    : err;
}
