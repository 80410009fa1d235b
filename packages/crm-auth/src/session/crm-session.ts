/**
 * CrmSession, the one public class of the session folder. This file wires the parts together and holds
 * what a caller sees: the CrmService methods, the user-id lookup, the state and the events. The parts:
 * - `session-options.ts`: the options, their defaults and their one check;
 * - `organization-resolver.ts`: the org's unique name (a friendly name is looked up once);
 * - `session-tickets.ts`: the Passport and CRM tickets, their caches, the shared store and the lock;
 * - `ticket-retry.ts`: a CrmService call with the ticket, refresh-and-retry, the transient retry;
 * - `refreshing-cache.ts`, `local-fault.ts`, `match-organization.ts`, the stores: their building blocks.
 */
import {
  CrmServiceClient,
  type CrmServiceApi,
  type RetrieveArgs,
  type RetrieveMultipleResult,
  type WhoAmIResult,
} from '../clients/crm-service-client';
import { DiscoveryClient, type DiscoveryApi } from '../clients/discovery-client';
import type { CallOptions, RoundTrip } from '../clients/round-trip';
import { WlidClient, type WlidApi } from '../clients/wlid-client';
import { CrmAuthError, isCrmAuthError } from '../errors';
import type { QueryExpression } from '../messages/crm/query-expression';
import type { CrmAuthenticationToken, Entity, OrganizationDetail } from '../messages/types';
import { toGuid } from '../messages/values';
import { invalidOptions } from '../option-checks';
import { HttpsTransport } from '../transport/https-transport';
import { OrganizationResolver } from './organization-resolver';
import { abortable } from './refreshing-cache';
import type { SessionEvent } from './session-event';
import {
  checkCallerId,
  checkHexPuid,
  checkSessionOptions,
  type CrmSessionOptions,
  type SessionCallOptions,
  type SessionSettings,
} from './session-options';
import { checkOnBehalfOf, fromCrmEntity, logicalName, toCrmEntity } from './org-records';
import type { OrgCallOptions, OrgRecord, OrgRecordRead, OrgSession } from './org-session';
import { SessionTickets } from './session-tickets';
import { callWithTicket, type TicketCallContext } from './ticket-retry';

export type { CrmSessionOptions, SessionCallOptions } from './session-options';

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

/**
 * One org, one service account: runs RetrievePolicy, the STS, RetrieveOrganizations (for a
 * friendly name) and RetrieveCrmTicket once, caches the tickets and refreshes them ahead of
 * expiry, so that a steady-state CrmService call costs one round trip. Concurrent callers share
 * one refresh; an expired or bad ticket fault refreshes (once for the whole herd) and retries,
 * bounded; a Create or Update is re-sent only when the error proves it did not run.
 */
export class CrmSession implements OrgSession {
  readonly platform = 'crm4' as const;

  readonly #s: SessionSettings;
  readonly #discovery: DiscoveryApi;
  readonly #crmServiceFactory: (url: string) => CrmServiceApi;
  readonly #crmClients = new Map<string, CrmServiceApi>();
  readonly #owned: Array<{ close(): Promise<void> }> = [];
  readonly #org: OrganizationResolver;
  readonly #tickets: SessionTickets;
  readonly #calls: TicketCallContext;
  readonly #userIdFlights = new Map<string, Promise<string>>();
  #organizationDetail: OrganizationDetail | undefined;
  #refreshCount = 0;
  #expiredFaultCount = 0;
  #lastRefreshAt: number | undefined;
  #lastRefreshLatencyMs: number | undefined;
  #lastError: { code: string; message: string; at: number } | undefined;
  #closed = false;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options (see `session-options.ts`). */
  constructor(options: CrmSessionOptions) {
    const s = checkSessionOptions(options);
    this.#s = s;

    const onRoundTrip = (trip: RoundTrip): void =>
      this.#emit({
        type: 'round-trip',
        operation: trip.operation,
        latencyMs: trip.durationMs,
        ...(trip.errorCode ? { errorCode: trip.errorCode } : {}),
      });
    const ca = s.ca ? { ca: s.ca } : {};
    let wlid: WlidApi;
    if (s.clients?.wlid) {
      wlid = s.clients.wlid;
    } else {
      const client = new WlidClient({
        ...ca,
        timeoutMs: s.timeoutMs,
        onRoundTrip,
        stsUrl: s.stsUrl,
        certificate: s.certificate,
        partnerDomain: s.partnerDomain,
      });
      this.#owned.push(client);
      wlid = client;
    }
    // Discovery and every CrmService share one Agent: same trust, no client certificate.
    let shared: HttpsTransport | undefined;
    const sharedTransport = (): HttpsTransport => {
      if (!shared) {
        shared = new HttpsTransport({ ...ca, timeoutMs: s.timeoutMs, connections: s.connections });
        this.#owned.push(shared);
      }
      return shared;
    };
    const discovery =
      s.clients?.discovery ??
      new DiscoveryClient({ url: s.discoveryUrl, transport: sharedTransport(), onRoundTrip });
    this.#discovery = discovery;
    this.#crmServiceFactory =
      s.clients?.crmService ??
      ((url) => new CrmServiceClient({ url, transport: sharedTransport(), onRoundTrip }));

    this.#org = new OrganizationResolver({
      organizationName: s.organizationName,
      friendlyName: s.friendlyName,
      retrieveOrganizations: async (signal) => {
        const { organizationDetails } = await this.#tickets.withPassport(signal, (ticket) =>
          discovery.retrieveOrganizations(ticket, signal ? { signal } : {}),
        );
        return organizationDetails;
      },
      onResolved: (found) => {
        this.#organizationDetail = found;
      },
    });
    this.#tickets = new SessionTickets({
      settings: s,
      wlid,
      discovery,
      organizationName: (signal) => this.#org.resolve(signal),
      passport: {
        onLoaded: (entry, info) => {
          if (!info.fromStore)
            this.#emit({
              type: 'passport-ticket-issued',
              latencyMs: info.latencyMs,
              expiresAt: new Date(entry.expiresAt),
            });
        },
        onFailed: (err, latencyMs) => this.#failed(err, latencyMs, 'RequestSecurityToken'),
      },
      crm: {
        onLoaded: (entry, info) => {
          this.#organizationDetail = entry.value.organizationDetail;
          this.#lastRefreshAt = s.clock();
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
      },
    });
    this.#calls = {
      crm: this.#tickets.crm,
      maxTicketRetries: s.maxTicketRetries,
      proven: { generation: 0 },
      client: (url) => this.#crmClient(url),
      onTicketFault: (code, operation) => {
        const expired = code === 'ERR_CRM_EXPIRED_TICKET';
        if (expired) this.#expiredFaultCount += 1;
        this.#emit({
          type: expired ? 'expired-ticket-fault' : 'bad-ticket-fault',
          operation,
          errorCode: code,
        });
      },
      orgField: () => this.#orgField(),
    };
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
   * @throws CrmAuthError ERR_CRM_OBJECT_NOT_FOUND when the org has no such user, ERR_INVALID_OPTIONS
   *   when `hexPuid` is not 16 hex digits.
   */
  async resolveUserId(hexPuid: string, options: CallOptions = {}): Promise<string> {
    this.#open();
    const puid = checkHexPuid(hexPuid);
    const cached = await this.#s.userIdStore?.get(puid);
    if (cached && cached.expiresAt > this.#s.clock()) {
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

  // OrgSession: the platform-neutral calls (org-session.ts), each the CrmService call above.

  async createRecord(record: OrgRecord, options: OrgCallOptions = {}): Promise<{ id: string }> {
    return this.create(toCrmEntity(record), options);
  }

  async retrieveRecord(
    args: { entity: string; id: string; columns: string[] },
    options: OrgCallOptions = {},
  ): Promise<OrgRecordRead> {
    const columns = (Array.isArray(args?.columns) ? args.columns : []).map((c) => logicalName(c, 'a column'));
    if (!columns.length) throw invalidOptions('columns must name at least one column');
    const { entity } = await this.retrieve(
      { entityName: logicalName(args.entity, 'entity'), id: args.id, columns },
      options,
    );
    return fromCrmEntity(entity, toGuid(args.id) ?? args.id);
  }

  async updateRecord(record: OrgRecord & { id: string }, options: OrgCallOptions = {}): Promise<void> {
    const entity = toCrmEntity(record);
    const id = typeof record.id === 'string' ? toGuid(record.id) : undefined;
    if (!id) throw invalidOptions('id must be a GUID');
    // CrmService 2007 names the record to update by its primary key among the attributes: <entity>id.
    return this.update(
      { ...entity, attributes: { ...entity.attributes, [`${entity.logicalName}id`]: id } },
      options,
    );
  }

  async deleteRecord(args: { entity: string; id: string }, options: OrgCallOptions = {}): Promise<void> {
    return this.delete(logicalName(args?.entity, 'entity'), args.id, options);
  }

  /** Gets a new CRM ticket now, whatever the cached one (the admin console's "refresh"). */
  async refresh(options: CallOptions = {}): Promise<void> {
    this.#open();
    await this.#tickets.crm.refresh(options.signal);
  }

  /** Ticket health for the console and the API. Never contains a ticket. */
  getState(): CrmSessionState {
    const passport = this.#tickets.passport.peek();
    const crm = this.#tickets.crm.peek();
    const organizationName = this.#org.organizationName;
    return {
      ...(organizationName ? { organizationName } : {}),
      ...(this.#s.friendlyName ? { friendlyName: this.#s.friendlyName } : {}),
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
    const call: CallOptions = options?.signal ? { signal: options.signal } : {};
    const callerId = await this.#callerOf(options, call);
    return callWithTicket(this.#calls, operation, idempotent, callerId, call, send);
  }

  /** The systemuserid a call acts for: `callerId`, or `onBehalfOf` (a PUID is looked up, resolveUserId). */
  async #callerOf(options: SessionCallOptions, call: CallOptions): Promise<string | null> {
    const onBehalfOf = checkOnBehalfOf('crm4', options?.onBehalfOf);
    if (onBehalfOf === undefined) return checkCallerId(options?.callerId);
    if (options.callerId !== undefined && options.callerId !== null)
      throw invalidOptions('give callerId or onBehalfOf, not both');
    if ('puid' in onBehalfOf) return this.resolveUserId(onBehalfOf.puid, call);
    if ('userId' in onBehalfOf) {
      const id = checkCallerId(onBehalfOf.userId);
      if (!id) throw invalidOptions('onBehalfOf.userId must be a GUID other than the empty one');
      return id;
    }
    // checkOnBehalfOf refused an Entra object id on CRM 4.0 already.
    throw invalidOptions('onBehalfOf must be { puid } or { userId }');
  }

  async #lookupUserId(puid: string): Promise<string> {
    const organizationName = await this.#org.resolve(undefined);
    const { userIdStore, clock } = this.#s;
    try {
      const { crmUserId } = await this.#tickets.withPassport(undefined, (passportTicket) =>
        this.#discovery.retrieveCrmUserIdByExternalId({ externalId: puid, organizationName, passportTicket }),
      );
      await userIdStore?.set(puid, { userId: crmUserId, expiresAt: clock() + this.#s.userIdTtlMs });
      return crmUserId;
    } catch (err) {
      if (isCrmAuthError(err, 'ERR_CRM_OBJECT_NOT_FOUND')) {
        await userIdStore?.set(puid, {
          negative: true,
          expiresAt: clock() + this.#s.negativeUserIdTtlMs,
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
      this.#lastError = { code: err.code, message, at: this.#s.clock() };
      this.#emit({ type: 'refresh-failed', latencyMs, operation, errorCode: err.code });
      return;
    }
    this.#lastError = { code: err instanceof Error ? err.name : 'Error', message, at: this.#s.clock() };
    this.#emit({ type: 'refresh-failed', latencyMs, operation });
  }

  #emit(event: Omit<SessionEvent, 'at'>): void {
    const onEvent = this.#s.onEvent;
    if (!onEvent) return;
    try {
      onEvent({ ...event, at: new Date(this.#s.clock()), ...this.#orgField() });
    } catch {
      // A failing listener must not fail the call it observes.
    }
  }

  #orgField(): { organizationName?: string } {
    const organizationName = this.#org.organizationName;
    return organizationName ? { organizationName } : {};
  }

  #open(): void {
    if (this.#closed) throw invalidOptions('the session is closed');
  }
}
