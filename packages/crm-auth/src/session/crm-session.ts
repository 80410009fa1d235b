import { CertificateBundle } from '../certificates/certificate-bundle';
import { normalizeThumbprint } from '../certificates/thumbprint';
import {
  CrmServiceClient,
  type CrmServiceApi,
  type RetrieveArgs,
  type RetrieveMultipleResult,
  type WhoAmIResult,
} from '../clients/crm-service-client';
import { DiscoveryClient, type DiscoveryApi } from '../clients/discovery-client';
import type { CallOptions, RoundTrip } from '../clients/round-trip';
import { WlidClient, type PassportTicket, type WlidApi } from '../clients/wlid-client';
import { CrmAuthError, isCrmAuthError } from '../errors';
import { EMPTY_GUID, WLID } from '../messages/constants';
import type { QueryExpression } from '../messages/crm/query-expression';
import type { CrmAuthenticationToken, Entity, OrganizationDetail } from '../messages/types';
import {
  httpsUrl,
  invalidOptions,
  nonBlankString,
  nonNegativeNumber,
  optionalFunction,
  optionalPemList,
  positiveNumber,
  requireObject,
} from '../option-checks';
import { HttpsTransport } from '../transport/https-transport';
import {
  RefreshingCache,
  abortable,
  refreshTimes,
  type CacheEntry,
  type LoadContext,
  type Loaded,
} from './refreshing-cache';
import { ticketStoreCall, underRefreshLock } from './local-fault';
import { matchOrganization } from './match-organization';
import type { SessionEvent } from './session-event';
import { MemoryTicketStore, type StoredTicket, type TicketStore } from './ticket-store';
import { MemoryUserIdStore, type UserIdStore } from './user-id-store';

/** Options of {@link CrmSession}. Checked once, in the constructor. */
export interface CrmSessionOptions {
  /** `https://dev.crm.dynamics.com/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx` or the emulator's. */
  discoveryUrl: string;
  /** The Windows Live STS. Default `https://login.live.com/RST2.srf`. */
  stsUrl?: string;
  /** `wsp:AppliesTo` of the Passport ticket. Default `crm.dynamics.com`. */
  partnerDomain?: string;
  /** The org's unique name. Give this or `friendlyName`. */
  organizationName?: string;
  /**
   * The org's display name, resolved once with RetrieveOrganizations by {@link matchOrganization}
   * (a unique name matches too; a name two orgs share is ERR_ORG_AMBIGUOUS).
   */
  friendlyName?: string;
  /** The service account's certificate (TLS client certificate to the STS). */
  certificate: CertificateBundle;
  /** Trusted server CAs in PEM (replace Node's store). */
  ca?: ReadonlyArray<string>;
  /** Where tickets are shared between processes. Default: memory. */
  ticketStore?: TicketStore;
  /**
   * PUID → systemuserid cache for this org. Default: memory. `null`: no cache in the session, every
   * resolveUserId asks discovery (for a caller that keeps the mapping itself, as the API does in its
   * `user_mappings` table, so that there is one cache to evict).
   */
  userIdStore?: UserIdStore | null;
  /** Epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** Refresh tickets this long before expiry (capped to a quarter of their lifetime). Default 5 min. */
  refreshAheadMs?: number;
  /** Refresh-and-retry rounds after an expired or bad ticket fault. Default 1. */
  maxTicketRetries?: number;
  /** Per remote call. Default 30 000 ms. */
  timeoutMs?: number;
  /** Per ticket refresh, lock wait included. Default 3 × timeoutMs. */
  refreshTimeoutMs?: number;
  /** How long a resolved user id is cached. Default 1 h. */
  userIdTtlMs?: number;
  /** How long "no such user" is cached. Default 5 min. */
  negativeUserIdTtlMs?: number;
  /**
   * Wraps each ticket refresh, e.g. in a Postgres advisory lock, so that many processes refresh
   * once. The function runs `fn` while holding the lock for `key`.
   */
  refreshLock?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Ticket health and metrics. Must not throw (if it does, the error is ignored). */
  onEvent?: (event: SessionEvent) => void;
  /** Replacement clients (tests, custom transports). The session closes only clients it made. */
  clients?: {
    wlid?: WlidApi;
    discovery?: DiscoveryApi;
    crmService?: (crmServiceUrl: string) => CrmServiceApi;
  };
}

/** Per-call options of the session's CrmService methods. */
export interface SessionCallOptions extends CallOptions {
  /** The systemuserid to act for (impersonation); omit to act as the service account. */
  callerId?: string | null;
}

/** What {@link CrmSession.getState} shows. Never a ticket. */
export interface CrmSessionState {
  organizationName?: string;
  friendlyName?: string;
  organizationDetail?: OrganizationDetail;
  passportTicketExpiresAt?: Date;
  crmTicketExpiresAt?: Date;
  crmTicketIssuedAt?: Date;
  /** Successful RetrieveCrmTicket calls (first issue included). */
  refreshCount: number;
  expiredFaultCount: number;
  lastRefreshAt?: Date;
  lastRefreshLatencyMs?: number;
  lastError?: { code: string; message: string; at: Date };
}

interface CrmTicketValue {
  crmTicket: string;
  organizationDetail: OrganizationDetail;
}

const DEFAULT_REFRESH_AHEAD_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const GUID = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$/;
const HEX_PUID = /^[0-9a-fA-F]{16}$/;
/** Transient failures worth one more try for a read; never for a write. */
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
const MAX_TRANSIENT_DELAY_MS = 2_000;

/**
 * One org, one service account: runs RetrievePolicy, the STS, RetrieveOrganizations (for a
 * friendly name) and RetrieveCrmTicket once, caches the tickets and refreshes them ahead of
 * expiry, so that a steady-state CrmService call costs one round trip. Concurrent callers share
 * one refresh; an expired or bad ticket fault refreshes (once for the whole herd) and retries,
 * bounded; a Create or Update is re-sent only when the error proves it did not run.
 */
export class CrmSession {
  readonly #discoveryUrl: string;
  readonly #partnerDomain: string;
  readonly #friendlyName: string | undefined;
  readonly #account: string;
  readonly #stsKey: string;
  readonly #clock: () => number;
  readonly #maxTicketRetries: number;
  readonly #refreshAheadMs: number;
  readonly #userIdTtlMs: number;
  readonly #negativeUserIdTtlMs: number;
  readonly #ticketStore: TicketStore;
  readonly #userIdStore: UserIdStore | null;
  readonly #refreshLock: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  readonly #onEvent: ((event: SessionEvent) => void) | undefined;
  readonly #wlid: WlidApi;
  readonly #discovery: DiscoveryApi;
  readonly #crmServiceFactory: (url: string) => CrmServiceApi;
  readonly #crmClients = new Map<string, CrmServiceApi>();
  readonly #owned: Array<{ close(): Promise<void> }> = [];
  readonly #passport: RefreshingCache<PassportTicket>;
  readonly #crm: RefreshingCache<CrmTicketValue>;
  readonly #userIdFlights = new Map<string, Promise<string>>();
  #organizationName: string | undefined;
  #organizationDetail: OrganizationDetail | undefined;
  /** The CrmServiceUrl of the last RetrieveCrmTicket answer: where this org's tickets go. */
  #boundCrmServiceUrl: string | undefined;
  #orgFlight: Promise<string> | undefined;
  #policy: string | undefined;
  #refreshCount = 0;
  #expiredFaultCount = 0;
  #lastRefreshAt: number | undefined;
  #lastRefreshLatencyMs: number | undefined;
  #lastError: { code: string; message: string; at: number } | undefined;
  #closed = false;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options. */
  constructor(options: CrmSessionOptions) {
    requireObject(options, 'CrmSession options');
    const o = options;
    this.#discoveryUrl = httpsUrl(o.discoveryUrl, 'discoveryUrl');
    const stsUrl = httpsUrl(o.stsUrl ?? WLID.defaultStsUrl, 'stsUrl');
    this.#partnerDomain = nonBlankString(o.partnerDomain ?? 'crm.dynamics.com', 'partnerDomain');
    if (o.organizationName === undefined && o.friendlyName === undefined) {
      throw invalidOptions('give organizationName (unique name) or friendlyName');
    }
    this.#organizationName =
      o.organizationName === undefined ? undefined : nonBlankString(o.organizationName, 'organizationName');
    this.#friendlyName =
      o.friendlyName === undefined ? undefined : nonBlankString(o.friendlyName, 'friendlyName');
    if (!(o.certificate instanceof CertificateBundle))
      throw invalidOptions('certificate must be a CertificateBundle');
    this.#account = normalizeThumbprint(o.certificate.thumbprintSha1Hex);
    this.#clock = optionalFunction(o.clock, 'clock') ?? Date.now;
    const refreshAheadMs = nonNegativeNumber(o.refreshAheadMs, DEFAULT_REFRESH_AHEAD_MS, 'refreshAheadMs');
    this.#refreshAheadMs = refreshAheadMs;
    this.#maxTicketRetries = nonNegativeNumber(o.maxTicketRetries, 1, 'maxTicketRetries');
    if (!Number.isInteger(this.#maxTicketRetries) || this.#maxTicketRetries > 5)
      throw invalidOptions('maxTicketRetries must be an integer from 0 to 5');
    const timeoutMs = positiveNumber(o.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    const refreshTimeoutMs = positiveNumber(o.refreshTimeoutMs, 3 * timeoutMs, 'refreshTimeoutMs');
    this.#userIdTtlMs = positiveNumber(o.userIdTtlMs, 60 * 60_000, 'userIdTtlMs');
    this.#negativeUserIdTtlMs = positiveNumber(o.negativeUserIdTtlMs, 5 * 60_000, 'negativeUserIdTtlMs');
    optionalPemList(o.ca, 'ca');
    this.#ticketStore = o.ticketStore ?? new MemoryTicketStore();
    this.#userIdStore =
      o.userIdStore === null ? null : (o.userIdStore ?? new MemoryUserIdStore({ clock: this.#clock }));
    this.#refreshLock = optionalFunction(o.refreshLock, 'refreshLock') ?? ((_key, fn) => fn());
    this.#onEvent = optionalFunction(o.onEvent, 'onEvent');
    this.#stsKey = `passport|${new URL(stsUrl).host}|${this.#partnerDomain}|${this.#account}`;

    const onRoundTrip = (trip: RoundTrip): void =>
      this.#emit({
        type: 'round-trip',
        operation: trip.operation,
        latencyMs: trip.durationMs,
        ...(trip.errorCode ? { errorCode: trip.errorCode } : {}),
      });
    const common = { ...(o.ca ? { ca: o.ca } : {}), timeoutMs, onRoundTrip };
    if (o.clients?.wlid) {
      this.#wlid = o.clients.wlid;
    } else {
      const wlid = new WlidClient({
        ...common,
        stsUrl,
        certificate: o.certificate,
        partnerDomain: this.#partnerDomain,
      });
      this.#owned.push(wlid);
      this.#wlid = wlid;
    }
    // Discovery and every CrmService share one Agent: same trust, no client certificate.
    let shared: HttpsTransport | undefined;
    const sharedTransport = (): HttpsTransport => {
      if (!shared) {
        shared = new HttpsTransport({ ...(o.ca ? { ca: o.ca } : {}), timeoutMs });
        this.#owned.push(shared);
      }
      return shared;
    };
    this.#discovery =
      o.clients?.discovery ??
      new DiscoveryClient({ url: this.#discoveryUrl, transport: sharedTransport(), onRoundTrip });
    this.#crmServiceFactory =
      o.clients?.crmService ??
      ((url) => new CrmServiceClient({ url, transport: sharedTransport(), onRoundTrip }));

    this.#passport = new RefreshingCache<PassportTicket>({
      name: 'Passport ticket',
      clock: this.#clock,
      refreshAheadMs,
      attemptTimeoutMs: refreshTimeoutMs,
      load: (ctx) => this.#loadPassport(ctx),
      onLoaded: (entry, info) => {
        if (!info.fromStore)
          this.#emit({
            type: 'passport-ticket-issued',
            latencyMs: info.latencyMs,
            expiresAt: new Date(entry.expiresAt),
          });
      },
      onFailed: (err, latencyMs) => this.#failed(err, latencyMs, 'RequestSecurityToken'),
    });
    this.#crm = new RefreshingCache<CrmTicketValue>({
      name: 'CRM ticket',
      clock: this.#clock,
      refreshAheadMs,
      attemptTimeoutMs: refreshTimeoutMs,
      load: (ctx) => this.#loadCrmTicket(ctx),
      onLoaded: (entry, info) => {
        this.#organizationDetail = entry.value.organizationDetail;
        this.#lastRefreshAt = this.#clock();
        this.#lastRefreshLatencyMs = info.latencyMs;
        if (info.fromStore) return;
        this.#refreshCount += 1;
        this.#emit({
          type: info.first ? 'crm-ticket-issued' : 'crm-ticket-refreshed',
          latencyMs: info.latencyMs,
          operation: 'RetrieveCrmTicket',
          expiresAt: new Date(entry.expiresAt),
        });
      },
      onFailed: (err, latencyMs) => this.#failed(err, latencyMs, 'RetrieveCrmTicket'),
    });
  }

  /**
   * Execute(WhoAmI). `UserId` is the authenticated service account even with `callerId` set: CRM
   * answers the impersonating user, not the one acted for (docs/protocol.md, WhoAmI).
   */
  whoAmI(options: SessionCallOptions = {}): Promise<WhoAmIResult> {
    return this.#execute('WhoAmI', true, options, (client, token, call) => client.whoAmI(token, call));
  }

  /** Retrieve one record. */
  retrieve(args: RetrieveArgs, options: SessionCallOptions = {}): Promise<{ entity: Entity }> {
    return this.#execute('Retrieve', true, options, (client, token, call) =>
      client.retrieve(token, args, call),
    );
  }

  /** RetrieveMultiple: one page of a QueryExpression. */
  retrieveMultiple(
    query: QueryExpression,
    options: SessionCallOptions = {},
  ): Promise<RetrieveMultipleResult> {
    return this.#execute('RetrieveMultiple', true, options, (client, token, call) =>
      client.retrieveMultiple(token, query, call),
    );
  }

  /** Create; never re-sent unless the failure proves it did not run. */
  create(entity: Entity, options: SessionCallOptions = {}): Promise<{ id: string }> {
    return this.#execute('Create', false, options, (client, token, call) =>
      client.create(token, entity, call),
    );
  }

  /** Update; never re-sent unless the failure proves it did not run. */
  update(entity: Entity, options: SessionCallOptions = {}): Promise<void> {
    return this.#execute('Update', false, options, (client, token, call) =>
      client.update(token, entity, call),
    );
  }

  /** Delete one record; not retried after a transport failure (a second try would fault with not found). */
  delete(entityName: string, id: string, options: SessionCallOptions = {}): Promise<void> {
    return this.#execute('Delete', false, options, (client, token, call) =>
      client.delete(token, entityName, id, call),
    );
  }

  /**
   * The systemuserid of a Live user (HexPUID, any case) in this org, by
   * RetrieveCrmUserIdByExternalId, cached in the user-id store (negative answers too) unless it is
   * `null`. Concurrent calls for one PUID share one lookup.
   *
   * @throws CrmAuthError ERR_CRM_OBJECT_NOT_FOUND when the org has no such user.
   */
  async resolveUserId(hexPuid: string, options: CallOptions = {}): Promise<string> {
    this.#open();
    if (typeof hexPuid !== 'string' || !HEX_PUID.test(hexPuid))
      throw invalidOptions('hexPuid must be 16 hex digits');
    const puid = hexPuid.toUpperCase();
    const cached = await this.#userIdStore?.get(puid);
    if (cached && cached.expiresAt > this.#clock()) {
      if ('userId' in cached) return cached.userId;
      throw new CrmAuthError(
        'ERR_CRM_OBJECT_NOT_FOUND',
        'no CRM user has this PUID in the org (cached answer)',
        {
          operation: 'RetrieveCrmUserIdByExternalId',
          ...this.#orgField(),
        },
      );
    }
    let flight = this.#userIdFlights.get(puid);
    if (!flight) {
      flight = this.#lookupUserId(puid).finally(() => this.#userIdFlights.delete(puid));
      flight.catch(() => undefined);
      this.#userIdFlights.set(puid, flight);
    }
    return abortable(flight, options.signal);
  }

  /** Gets a new CRM ticket now, whatever the cached one (the admin console's "refresh"). */
  async refresh(options: CallOptions = {}): Promise<void> {
    this.#open();
    await this.#crm.refresh(options.signal);
  }

  /** Ticket health for the console and the API. Never contains a ticket. */
  getState(): CrmSessionState {
    const passport = this.#passport.peek();
    const crm = this.#crm.peek();
    return {
      ...(this.#organizationName ? { organizationName: this.#organizationName } : {}),
      ...(this.#friendlyName ? { friendlyName: this.#friendlyName } : {}),
      ...(this.#organizationDetail ? { organizationDetail: { ...this.#organizationDetail } } : {}),
      ...(passport ? { passportTicketExpiresAt: new Date(passport.expiresAt) } : {}),
      ...(crm
        ? { crmTicketExpiresAt: new Date(crm.expiresAt), crmTicketIssuedAt: new Date(crm.issuedAt) }
        : {}),
      refreshCount: this.#refreshCount,
      expiredFaultCount: this.#expiredFaultCount,
      ...(this.#lastRefreshAt !== undefined ? { lastRefreshAt: new Date(this.#lastRefreshAt) } : {}),
      ...(this.#lastRefreshLatencyMs !== undefined
        ? { lastRefreshLatencyMs: this.#lastRefreshLatencyMs }
        : {}),
      ...(this.#lastError
        ? {
            lastError: {
              code: this.#lastError.code,
              message: this.#lastError.message,
              at: new Date(this.#lastError.at),
            },
          }
        : {}),
    };
  }

  /** Closes the connections the session opened. Later calls fail with ERR_INVALID_OPTIONS. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#owned.map((c) => c.close()));
  }

  async #execute<T>(
    operation: string,
    idempotent: boolean,
    options: SessionCallOptions,
    send: (client: CrmServiceApi, token: CrmAuthenticationToken, call: CallOptions) => Promise<T>,
  ): Promise<T> {
    this.#open();
    const callerId = checkCallerId(options?.callerId);
    const call: CallOptions = options?.signal ? { signal: options.signal } : {};
    let minGeneration = 0;
    let ticketRetries = 0;
    let transientRetried = false;
    for (;;) {
      const entry = await this.#crm.get({ minGeneration, ...call });
      // The ticket and the URL come from one entry: a CRM ticket goes only to the CrmServiceUrl that
      // came with it in RetrieveCrmTicket's OrganizationDetail (or a store entry bound to it).
      const token: CrmAuthenticationToken = {
        authenticationType: 1,
        crmTicket: entry.value.crmTicket,
        organizationName: entry.value.organizationDetail.organizationName,
        callerId,
      };
      const client = this.#crmClient(entry.value.organizationDetail.crmServiceUrl);
      try {
        return await send(client, token, call);
      } catch (err) {
        if (isCrmAuthError(err, 'ERR_CRM_EXPIRED_TICKET', 'ERR_CRM_BAD_TICKET')) {
          const expired = err.code === 'ERR_CRM_EXPIRED_TICKET';
          if (expired) this.#expiredFaultCount += 1;
          this.#emit({
            type: expired ? 'expired-ticket-fault' : 'bad-ticket-fault',
            operation,
            errorCode: err.code,
          });
          // Only this generation: the rest of a herd that met the same fault joins one refresh.
          this.#crm.invalidate(entry.generation);
          minGeneration = entry.generation;
          // A write is re-sent only when the server proves it did not run it (a CRM fault does).
          if (!idempotent && err.notExecuted !== true) throw err;
          if (ticketRetries >= this.#maxTicketRetries) {
            throw new CrmAuthError(
              'ERR_RETRIES_EXHAUSTED',
              `${operation}: the ticket was refused again after ${ticketRetries} refresh(es)`,
              {
                cause: err,
                operation,
                ...this.#orgField(),
                ...(err.notExecuted ? { notExecuted: true } : {}),
              },
            );
          }
          ticketRetries += 1;
          continue;
        }
        // Reads may be tried once more after a transient failure; writes never (they may have run).
        if (idempotent && !transientRetried && isTransient(err)) {
          const delay = transientDelay(err);
          if (delay !== undefined) {
            transientRetried = true;
            await sleep(delay, call.signal);
            continue;
          }
        }
        throw err;
      }
    }
  }

  async #loadPassport(ctx: LoadContext<PassportTicket>): Promise<Loaded<PassportTicket>> {
    return underRefreshLock(this.#refreshLock, this.#stsKey, async () => {
      const stored = await ticketStoreCall('get', () => this.#ticketStore.get(this.#stsKey));
      if (stored && this.#storedIsFresh(stored, ctx, ctx.rejected?.ticket)) {
        return {
          value: {
            ticket: stored.ticket,
            created: new Date(stored.issuedAt),
            expires: new Date(stored.expiresAt),
          },
          issuedAt: stored.issuedAt,
          expiresAt: stored.expiresAt,
          fromStore: true,
        };
      }
      if (this.#policy === undefined) {
        const { policy } = await this.#discovery.retrievePolicy({ signal: ctx.signal });
        this.#policy = policy;
      }
      const ticket = await this.#wlid.requestTicket({
        policy: this.#policy,
        appliesTo: this.#partnerDomain,
        signal: ctx.signal,
      });
      const issuedAt = this.#clock();
      const expiresAt = ticket.expires.getTime();
      await ticketStoreCall('set', () =>
        this.#ticketStore.set(this.#stsKey, { ticket: ticket.ticket, issuedAt, expiresAt }),
      );
      return { value: ticket, issuedAt, expiresAt };
    });
  }

  async #loadCrmTicket(ctx: LoadContext<CrmTicketValue>): Promise<Loaded<CrmTicketValue>> {
    const organizationName = await this.#resolveOrganizationName(ctx.signal);
    const key = `crm-ticket|${new URL(this.#discoveryUrl).host}|${organizationName.toLowerCase()}|${this.#account}`;
    return underRefreshLock(this.#refreshLock, key, async () => {
      // Another process may have refreshed while this one waited for the lock.
      const stored = await ticketStoreCall('get', () => this.#ticketStore.get(key));
      if (
        stored?.organizationDetail &&
        this.#storedIsBound(stored.organizationDetail, organizationName) &&
        this.#storedIsFresh(stored, ctx, ctx.rejected?.crmTicket)
      ) {
        return {
          value: { crmTicket: stored.ticket, organizationDetail: stored.organizationDetail },
          issuedAt: stored.issuedAt,
          expiresAt: stored.expiresAt,
          fromStore: true,
        };
      }
      const result = await this.#withPassport(ctx.signal, (passportTicket) =>
        this.#discovery.retrieveCrmTicket(organizationName, passportTicket, { signal: ctx.signal }),
      );
      const detail = result.organizationDetail;
      // A ticket is for one org: never use one the service issued for another (docs/protocol.md §9.1).
      if (detail.organizationName.toLowerCase() !== organizationName.toLowerCase()) {
        throw new CrmAuthError(
          'ERR_UNEXPECTED_MESSAGE',
          'RetrieveCrmTicket answered for another organization',
          {
            operation: 'RetrieveCrmTicket',
            organizationName,
          },
        );
      }
      // The CRM ticket goes to CrmServiceUrl: only over TLS.
      httpsUrlOrFault(detail.crmServiceUrl);
      this.#boundCrmServiceUrl = detail.crmServiceUrl;
      const issuedAt = this.#clock();
      const expiresAt = result.expirationDate.getTime();
      await ticketStoreCall('set', () =>
        this.#ticketStore.set(key, {
          ticket: result.crmTicket,
          issuedAt,
          expiresAt,
          organizationDetail: detail,
        }),
      );
      return { value: { crmTicket: result.crmTicket, organizationDetail: detail }, issuedAt, expiresAt };
    });
  }

  /**
   * A stored CRM ticket is used only with the org and the CrmService URL it was issued with: the
   * entry must name this org and an https CrmServiceUrl and, once this session has had a ticket from
   * discovery itself, that ticket's CrmServiceUrl. An entry for another org, or one whose URL differs
   * (another org's URL, a rewritten row), is left alone and a new ticket is fetched. The store must
   * give back the organizationDetail it was given with the ticket.
   */
  #storedIsBound(detail: OrganizationDetail, organizationName: string): boolean {
    if (detail.organizationName?.toLowerCase() !== organizationName.toLowerCase()) return false;
    if (!isHttpsUrl(detail.crmServiceUrl)) return false;
    return this.#boundCrmServiceUrl === undefined || sameUrl(detail.crmServiceUrl, this.#boundCrmServiceUrl);
  }

  /** A stored ticket is taken when still clear of its refresh window and not the one just refused. */
  #storedIsFresh(stored: StoredTicket, ctx: LoadContext<unknown>, rejected: string | undefined): boolean {
    if (ctx.reason === 'forced') return false;
    if (rejected !== undefined && stored.ticket === rejected) return false;
    return this.#clock() < refreshTimes(stored, this.#refreshAheadMs).refreshAt;
  }

  /** Runs a discovery call with the Passport ticket; a refused Passport ticket is replaced once. */
  async #withPassport<T>(
    signal: AbortSignal | undefined,
    call: (passportTicket: string) => Promise<T>,
  ): Promise<T> {
    let minGeneration = 0;
    for (let attempt = 0; ; attempt += 1) {
      const passport: CacheEntry<PassportTicket> = await this.#passport.get({
        minGeneration,
        ...(signal ? { signal } : {}),
      });
      try {
        return await call(passport.value.ticket);
      } catch (err) {
        if (attempt === 0 && isCrmAuthError(err, 'ERR_CRM_BAD_TICKET', 'ERR_CRM_EXPIRED_TICKET')) {
          this.#passport.invalidate(passport.generation);
          minGeneration = passport.generation;
          continue;
        }
        throw err;
      }
    }
  }

  async #resolveOrganizationName(signal: AbortSignal | undefined): Promise<string> {
    if (this.#organizationName !== undefined) return this.#organizationName;
    this.#orgFlight ??= (async () => {
      const { organizationDetails } = await this.#withPassport(signal, (ticket) =>
        this.#discovery.retrieveOrganizations(ticket, signal ? { signal } : {}),
      );
      const found = matchOrganization(organizationDetails, this.#friendlyName as string);
      this.#organizationName = found.organizationName;
      this.#organizationDetail = found;
      return found.organizationName;
    })().finally(() => {
      this.#orgFlight = undefined;
    });
    return this.#orgFlight;
  }

  async #lookupUserId(puid: string): Promise<string> {
    const organizationName = await this.#resolveOrganizationName(undefined);
    try {
      const { crmUserId } = await this.#withPassport(undefined, (passportTicket) =>
        this.#discovery.retrieveCrmUserIdByExternalId({ externalId: puid, organizationName, passportTicket }),
      );
      await this.#userIdStore?.set(puid, { userId: crmUserId, expiresAt: this.#clock() + this.#userIdTtlMs });
      return crmUserId;
    } catch (err) {
      if (isCrmAuthError(err, 'ERR_CRM_OBJECT_NOT_FOUND')) {
        await this.#userIdStore?.set(puid, {
          negative: true,
          expiresAt: this.#clock() + this.#negativeUserIdTtlMs,
        });
      }
      throw err;
    }
  }

  #crmClient(url: string): CrmServiceApi {
    let client = this.#crmClients.get(url);
    if (!client) {
      client = this.#crmServiceFactory(url);
      this.#crmClients.set(url, client);
    }
    return client;
  }

  #failed(err: unknown, latencyMs: number, operation: string): void {
    // A supplied client that throws something else than a CrmAuthError: named by its class in the
    // state, and the event carries no code (as for a round trip).
    const message = err instanceof Error ? err.message : String(err);
    if (isCrmAuthError(err)) {
      this.#lastError = { code: err.code, message, at: this.#clock() };
      this.#emit({ type: 'refresh-failed', latencyMs, operation, errorCode: err.code });
      return;
    }
    this.#lastError = { code: err instanceof Error ? err.name : 'Error', message, at: this.#clock() };
    this.#emit({ type: 'refresh-failed', latencyMs, operation });
  }

  #emit(event: Omit<SessionEvent, 'at'>): void {
    if (!this.#onEvent) return;
    try {
      this.#onEvent({
        ...event,
        at: new Date(this.#clock()),
        ...(this.#organizationName ? { organizationName: this.#organizationName } : {}),
      });
    } catch {
      // A failing listener must not fail the call it observes.
    }
  }

  #orgField(): { organizationName?: string } {
    return this.#organizationName ? { organizationName: this.#organizationName } : {};
  }

  #open(): void {
    if (this.#closed) throw invalidOptions('the session is closed');
  }
}

function checkCallerId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !GUID.test(value)) throw invalidOptions('callerId must be a GUID');
  const id = value.replace(/[{}]/g, '').toLowerCase();
  return id === EMPTY_GUID ? null : id;
}

function isTransient(err: unknown): boolean {
  if (!isCrmAuthError(err)) return false;
  if (
    err.code === 'ERR_TIMEOUT' ||
    err.code === 'ERR_CONNECTION_RESET' ||
    err.code === 'ERR_CONNECTION_REFUSED'
  )
    return true;
  return (
    err.code === 'ERR_HTTP_STATUS' && err.httpStatus !== undefined && TRANSIENT_STATUS.has(err.httpStatus)
  );
}

/** Full jitter up to 250 ms, or the server's Retry-After when it asks for no more than the cap. */
function transientDelay(err: unknown): number | undefined {
  const after = isCrmAuthError(err) ? err.retryAfterMs : undefined;
  if (after !== undefined) return after <= MAX_TRANSIENT_DELAY_MS ? after : undefined;
  return Math.floor(Math.random() * 250);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return abortable(
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      t.unref?.();
    }),
    signal,
  );
}

function isHttpsUrl(value: unknown): value is string {
  try {
    httpsUrl(value, 'CrmServiceUrl');
    return true;
  } catch {
    return false;
  }
}

function sameUrl(a: string, b: string): boolean {
  return new URL(a).href === new URL(b).href;
}

function httpsUrlOrFault(value: string): void {
  try {
    httpsUrl(value, 'CrmServiceUrl');
  } catch {
    throw new CrmAuthError('ERR_UNEXPECTED_MESSAGE', "the organization's CrmServiceUrl is not an https URL", {
      operation: 'RetrieveCrmTicket',
    });
  }
}
