import { CertificateBundle } from '../certificates/certificate-bundle';
import type { CallOptions, RoundTrip } from '../clients/round-trip';
import { CrmAuthError, isCrmAuthError } from '../errors';
import {
  httpsUrl,
  invalidOptions,
  nonEmptyString,
  nonNegativeNumber,
  optionalFunction,
  optionalPemList,
  positiveNumber,
  requireObject,
} from '../option-checks';
import { abortable, RefreshingCache, refreshTimes, type CacheEntry } from '../session/refreshing-cache';
import type { SessionEvent } from '../session/session-event';
import { MemoryTicketStore, type TicketStore } from '../session/ticket-store';
import { HttpsTransport } from '../transport/https-transport';
import type { AssertionAlgorithm } from './client-assertion';
import {
  DataverseClient,
  type DataverseCallOptions,
  type DataverseRecord,
  type DataverseUser,
  type DataverseWhoAmI,
} from './dataverse-client';
import { EntraTokenClient } from './entra-token-client';
import { fromWebApiRecord, selectName, toWebApiBody } from './web-api-records';
import { checkOnBehalfOf, logicalName } from '../session/org-records';
import type { OrgCallOptions, OrgRecord, OrgRecordRead, OrgSession } from '../session/org-session';
import { requireGuid } from '../messages/arguments';
import { toGuid } from '../messages/values';
import { entitySetOf } from './web-api-records';

/** Options of {@link DataverseSession}: one environment, one app, one certificate. */
export interface DataverseSessionOptions {
  /** The identity platform's host, e.g. `https://login.microsoftonline.com`. */
  authorityUrl: string;
  /** The customer's tenant (id or domain). */
  tenant: string;
  /** The ISV app's client id. */
  clientId: string;
  /** The certificate registered on the app, with its private key. */
  certificate: CertificateBundle;
  /** The environment, e.g. `https://contoso.crm.dynamics.com`: the token's resource and the Web API's host. */
  environmentUrl: string;
  /** Trusted server CAs in PEM (default Node's store). */
  ca?: ReadonlyArray<string>;
  algorithm?: AssertionAlgorithm;
  /** Epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** Refresh the token this long before expiry (capped to a quarter of its lifetime). Default 5 min. */
  refreshAheadMs?: number;
  /** Refresh-and-retry rounds after a 401. Default 1. */
  maxTokenRetries?: number;
  /** Per remote call. Default 30 000 ms. */
  timeoutMs?: number;
  /** Keep-alive connections to the environment (and to the token endpoint). Default 32. */
  connections?: number;
  /** Per token refresh, lock wait included. Default 3 × timeoutMs. */
  refreshTimeoutMs?: number;
  /** Shares tokens between processes (the API's is Postgres, sealed); default this process's memory. */
  ticketStore?: TicketStore;
  /** Wraps each token refresh, e.g. in an advisory lock, so that many processes refresh once. */
  refreshLock?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Called after every round trip (token endpoint and Web API), for metrics. */
  onRoundTrip?: (trip: RoundTrip) => void;
  /**
   * Ticket health, as CrmSession reports it (the token in the CRM ticket's place): `crm-ticket-issued` and
   * `crm-ticket-refreshed` for each token requested (`expiresAt`, `latencyMs`), `expired-ticket-fault` for each
   * 401, `refresh-failed` (`errorCode`, `latencyMs`). Never the token. A throwing listener is ignored.
   */
  onEvent?: (event: SessionEvent) => void;
  /**
   * The application user itself (its systemuserid and Entra object id, as onboarding found them). A call on
   * behalf of it is refused before sending (ERR_IMPERSONATION_NO_OP): Dataverse would run it as the app user
   * and leave the on-behalf stamps empty, silently (§13.2).
   */
  applicationUser?: { userId?: string; entraObjectId?: string };
  /**
   * Web API calls in flight at most; more wait their turn. Default 48, under the service's 52 concurrent
   * requests per user (§13.3), so that this process alone never meets that limit.
   */
  maxConcurrent?: number;
}

/** What getState shows: the access token's lifetime and the session's counts. Never the token. */
export interface DataverseSessionState {
  environmentUrl: string;
  tokenIssuedAt?: Date;
  tokenExpiresAt?: Date;
  tokenRefreshes: number;
  /** 401s met (each makes one refresh, shared by the calls that met it). */
  expiredTokenFaults: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Under Dataverse's 52 concurrent requests per user (docs/protocol.md §13.3). */
const DEFAULT_MAX_CONCURRENT = 48;
const MAX_TOKEN_RETRIES = 5;
/** The longest Retry-After a call waits for once before giving up (a 429 of service protection). */
const MAX_THROTTLE_WAIT_MS = 2_000;

/**
 * Dataverse's session: the same shape of work as {@link CrmSession} for CRM 4.0 (docs/protocol.md §13). It
 * keeps one access token per (tenant, app, environment) in a refreshing cache (single flight, refresh ahead
 * of expiry, a shared store, a refresh lock), sends each call with it, and on a 401 refreshes once and
 * retries, a herd of calls meeting the same 401 sharing one refresh. A call throttled with a short
 * Retry-After (429) is tried once more after it; at most maxConcurrent calls are in flight.
 */
export class DataverseSession implements OrgSession {
  readonly platform = 'dataverse' as const;
  readonly #tokens: RefreshingCache<string>;
  readonly #client: DataverseClient;
  readonly #entra: EntraTokenClient;
  readonly #transport: HttpsTransport;
  readonly #maxTokenRetries: number;
  readonly #environmentUrl: string;
  readonly #self: { userId?: string; entraObjectId?: string };
  readonly #maxConcurrent: number;
  readonly #onEvent: ((event: SessionEvent) => void) | undefined;
  readonly #clock: () => number;
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];
  #refreshes = 0;
  #expiredFaults = 0;
  #closed = false;

  /** @throws CrmAuthError ERR_INVALID_OPTIONS on bad options. */
  constructor(options: DataverseSessionOptions) {
    requireObject(options, 'DataverseSession options');
    const o = options;
    if (!(o.certificate instanceof CertificateBundle))
      throw invalidOptions('certificate must be a CertificateBundle');
    this.#environmentUrl = httpsUrl(o.environmentUrl, 'environmentUrl').replace(/\/+$/, '');
    const tenant = nonEmptyString(o.tenant, 'tenant');
    const clientId = nonEmptyString(o.clientId, 'clientId');
    const clock = optionalFunction(o.clock, 'clock') ?? Date.now;
    const refreshAheadMs = nonNegativeNumber(o.refreshAheadMs, 5 * 60_000, 'refreshAheadMs');
    this.#maxTokenRetries = nonNegativeNumber(o.maxTokenRetries, 1, 'maxTokenRetries');
    if (!Number.isInteger(this.#maxTokenRetries) || this.#maxTokenRetries > MAX_TOKEN_RETRIES)
      throw invalidOptions(`maxTokenRetries must be an integer from 0 to ${MAX_TOKEN_RETRIES}`);
    const timeoutMs = positiveNumber(o.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    const refreshTimeoutMs = positiveNumber(o.refreshTimeoutMs, 3 * timeoutMs, 'refreshTimeoutMs');
    const ca = optionalPemList(o.ca, 'ca');
    const store = o.ticketStore ?? new MemoryTicketStore();
    const lock = optionalFunction(o.refreshLock, 'refreshLock') ?? ((_key, fn) => fn());
    const onRoundTrip = optionalFunction(o.onRoundTrip, 'onRoundTrip');
    this.#onEvent = optionalFunction(o.onEvent, 'onEvent');
    this.#clock = clock;
    if (o.applicationUser !== undefined) requireObject(o.applicationUser, 'applicationUser');
    const self = o.applicationUser ?? {};
    this.#self = {
      ...(self.userId !== undefined ? { userId: requireGuid(self.userId, 'applicationUser.userId') } : {}),
      ...(self.entraObjectId !== undefined
        ? { entraObjectId: requireGuid(self.entraObjectId, 'applicationUser.entraObjectId') }
        : {}),
    };
    this.#maxConcurrent = positiveNumber(o.maxConcurrent, DEFAULT_MAX_CONCURRENT, 'maxConcurrent');
    if (!Number.isInteger(this.#maxConcurrent)) throw invalidOptions('maxConcurrent must be a whole number');
    const connections = positiveNumber(o.connections, 32, 'connections');
    if (!Number.isInteger(connections)) throw invalidOptions('connections must be a whole number');
    this.#transport = new HttpsTransport({ ...(ca ? { ca } : {}), timeoutMs, connections });
    const common = { transport: this.#transport, ...(onRoundTrip ? { onRoundTrip } : {}) };
    this.#entra = new EntraTokenClient({
      ...common,
      authorityUrl: o.authorityUrl,
      tenant,
      clientId,
      certificate: o.certificate,
      ...(o.algorithm ? { algorithm: o.algorithm } : {}),
    });
    this.#client = new DataverseClient({ ...common, environmentUrl: this.#environmentUrl });
    const scope = `${this.#environmentUrl}/.default`;
    // The key names the kind, the tenant, the app and the resource: never the token.
    const key = `entra-token|${tenant.toLowerCase()}|${clientId.toLowerCase()}|${this.#environmentUrl.toLowerCase()}`;
    this.#tokens = new RefreshingCache<string>({
      name: 'Dataverse access token',
      clock,
      refreshAheadMs,
      attemptTimeoutMs: refreshTimeoutMs,
      load: ({ rejected, signal, reason }) =>
        lock(key, async () => {
          // A forced refresh ("refresh now", a new certificate) wants a new token, not the stored one.
          const stored = reason === 'forced' ? undefined : await store.get(key);
          // A stored token is taken while the cache itself would not yet refresh it (the same rule, refreshTimes).
          if (
            stored &&
            stored.ticket !== rejected &&
            clock() < refreshTimes(stored, refreshAheadMs).refreshAt
          )
            return {
              value: stored.ticket,
              issuedAt: stored.issuedAt,
              expiresAt: stored.expiresAt,
              fromStore: true,
            };
          const t = await this.#entra.acquireToken({ scope, signal });
          const entry = {
            ticket: t.accessToken,
            issuedAt: t.issuedAt.getTime(),
            expiresAt: t.expiresAt.getTime(),
          };
          await store.set(key, entry);
          return { value: entry.ticket, issuedAt: entry.issuedAt, expiresAt: entry.expiresAt };
        }),
      onLoaded: (entry, info) => {
        if (info.fromStore) return;
        this.#refreshes += 1;
        this.#emit({
          type: info.first ? 'crm-ticket-issued' : 'crm-ticket-refreshed',
          expiresAt: new Date(entry.expiresAt),
          latencyMs: info.latencyMs,
          operation: 'AcquireToken',
        });
      },
      onFailed: (err, latencyMs) =>
        this.#emit({
          type: 'refresh-failed',
          latencyMs,
          operation: 'AcquireToken',
          ...(isCrmAuthError(err) ? { errorCode: err.code } : {}),
        }),
    });
  }

  whoAmI(options: DataverseCallOptions = {}): Promise<DataverseWhoAmI> {
    return this.#call(options, (token) => this.#client.whoAmI(token, options));
  }

  retrieve(
    args: { entitySet: string; id: string; select?: string[] },
    options: DataverseCallOptions = {},
  ): Promise<DataverseRecord> {
    return this.#call(options, (token) => this.#client.retrieve(token, args, options));
  }

  create(
    args: { entitySet: string; attributes: Record<string, unknown> },
    options: DataverseCallOptions = {},
  ): Promise<string> {
    return this.#call(options, (token) => this.#client.create(token, args, options));
  }

  delete(args: { entitySet: string; id: string }, options: DataverseCallOptions = {}): Promise<void> {
    return this.#call(options, (token) => this.#client.delete(token, args, options));
  }

  /**
   * The systemuserid (and name, and whether disabled) of the environment's user with this Entra object id: what
   * the ledger records for a call made on behalf of `{entraObjectId}`. One Web API call; the caller caches it.
   *
   * @throws CrmAuthError ERR_CRM_OBJECT_NOT_FOUND when no user has it.
   */
  resolveUserId(
    args: { entraObjectId: string },
    options: CallOptions = {},
  ): Promise<{ userId: string; fullName: string | null; disabled: boolean }> {
    return this.#call(options, (token) =>
      this.#client.findUserByEntraObjectId(token, args?.entraObjectId, options),
    );
  }

  /**
   * The environment's first `top` users, e.g. to pick a person to act for; with `peopleOnly` only enabled users with
   * an Entra object id that are not application users (the service filters, so `top` counts people).
   */
  listUsers(
    args: { top: number; peopleOnly?: boolean },
    options: CallOptions = {},
  ): Promise<DataverseUser[]> {
    return this.#call(options, (token) => this.#client.listUsers(token, args, options));
  }

  // OrgSession: the platform-neutral calls (session/org-session.ts), each one Web API call above.

  async createRecord(record: OrgRecord, options: OrgCallOptions = {}): Promise<{ id: string }> {
    const { entitySet, body } = toWebApiBody(record);
    return { id: await this.create({ entitySet, attributes: body }, options) };
  }

  async retrieveRecord(
    args: { entity: string; id: string; columns: string[] },
    options: OrgCallOptions = {},
  ): Promise<OrgRecordRead> {
    const entity = logicalName(args?.entity, 'entity');
    const columns = Array.isArray(args.columns) ? args.columns : [];
    if (!columns.length) throw invalidOptions('columns must name at least one column');
    const id = requireGuid(args.id, 'id');
    const body = await this.retrieve(
      { entitySet: entitySetOf(entity), id, select: columns.map(selectName) },
      options,
    );
    return fromWebApiRecord(entity, id, body, columns);
  }

  async updateRecord(record: OrgRecord & { id: string }, options: OrgCallOptions = {}): Promise<void> {
    const { entitySet, body } = toWebApiBody(record);
    const id = requireGuid(record.id, 'id');
    return this.#call(options, (token) =>
      this.#client.update(token, { entitySet, id, attributes: body }, options),
    );
  }

  async deleteRecord(args: { entity: string; id: string }, options: OrgCallOptions = {}): Promise<void> {
    return this.delete({ entitySet: entitySetOf(args?.entity), id: args?.id }, options);
  }

  /** Gets a new token now (e.g. after the app's certificate changed). */
  async refresh(options: CallOptions = {}): Promise<void> {
    this.#open();
    await this.#tokens.refresh(options.signal);
  }

  getState(): DataverseSessionState {
    const e = this.#tokens.peek();
    return {
      environmentUrl: this.#environmentUrl,
      ...(e ? { tokenIssuedAt: new Date(e.issuedAt), tokenExpiresAt: new Date(e.expiresAt) } : {}),
      tokenRefreshes: this.#refreshes,
      expiredTokenFaults: this.#expiredFaults,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close();
  }

  #open(): void {
    if (this.#closed) throw invalidOptions('the session is closed');
  }

  #emit(event: Omit<SessionEvent, 'at'>): void {
    if (!this.#onEvent) return;
    try {
      this.#onEvent({ ...event, at: new Date(this.#clock()) });
    } catch {
      // A failing listener must not fail the call it observes.
    }
  }

  /**
   * One call with the cached token, in one of the maxConcurrent slots. A 401 invalidates only the token
   * generation that met it (so a herd joins one refresh) and retries up to maxTokenRetries; a call met by a
   * 429 with a Retry-After of at most 2 s is tried once more after it. A write is re-sent in both cases,
   * because both prove the server did not run it (§13.3).
   */
  async #call<T>(options: DataverseCallOptions, send: (token: string) => Promise<T>): Promise<T> {
    this.#open();
    this.#refuseSelf(checkOnBehalfOf('dataverse', options.onBehalfOf));
    await this.#slot(options.signal);
    try {
      return await this.#attempts(options, send);
    } finally {
      this.#release();
    }
  }

  /** On behalf of the application user itself: a silent no-op in Dataverse, so never sent. */
  #refuseSelf(onBehalfOf: DataverseCallOptions['onBehalfOf']): void {
    if (!onBehalfOf || typeof onBehalfOf !== 'object') return;
    const named =
      'entraObjectId' in onBehalfOf && typeof onBehalfOf.entraObjectId === 'string'
        ? { id: onBehalfOf.entraObjectId, own: this.#self.entraObjectId, header: 'CallerObjectId' }
        : 'userId' in onBehalfOf && typeof onBehalfOf.userId === 'string'
          ? { id: onBehalfOf.userId, own: this.#self.userId, header: 'MSCRMCallerID' }
          : undefined;
    if (!named?.own) return;
    if (toGuid(named.id) === named.own)
      throw new CrmAuthError(
        'ERR_IMPERSONATION_NO_OP',
        `on behalf of the application user itself (${named.header} ${named.own}): Dataverse would run the call unimpersonated and leave createdonbehalfby empty, so it was not sent`,
      );
  }

  /** Waits for one of the maxConcurrent slots (FIFO). */
  async #slot(signal: AbortSignal | undefined): Promise<void> {
    if (this.#inFlight < this.#maxConcurrent) {
      this.#inFlight += 1;
      return;
    }
    let turn: (() => void) | undefined;
    const granted = new Promise<void>((resolve) => {
      turn = resolve;
      this.#waiting.push(resolve);
    });
    try {
      await abortable(granted, signal);
    } catch (err) {
      const i = this.#waiting.indexOf(turn!);
      if (i >= 0) this.#waiting.splice(i, 1);
      else this.#release(); // granted as the signal fired: hand the slot on
      throw err;
    }
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#inFlight -= 1;
  }

  async #attempts<T>(options: CallOptions, send: (token: string) => Promise<T>): Promise<T> {
    let minGeneration = 0;
    let retries = 0;
    let throttled = false;
    for (;;) {
      const entry: CacheEntry<string> = await this.#tokens.get({
        minGeneration,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      try {
        return await send(entry.value);
      } catch (err) {
        if (isCrmAuthError(err, 'ERR_CRM_EXPIRED_TICKET')) {
          this.#expiredFaults += 1;
          this.#emit({
            type: 'expired-ticket-fault',
            errorCode: err.code,
            ...(err.operation ? { operation: err.operation } : {}),
          });
          if (retries >= this.#maxTokenRetries)
            throw new CrmAuthError(
              'ERR_RETRIES_EXHAUSTED',
              `Dataverse refused ${retries + 1} access tokens in a row (401)`,
              {
                ...(err.operation ? { operation: err.operation } : {}),
                httpStatus: 401,
                notExecuted: true,
                cause: err,
              },
            );
          retries += 1;
          this.#tokens.invalidate(entry.generation);
          minGeneration = entry.generation;
          continue;
        }
        // A 429 of service protection proves the call did not run: a write is re-sent too, as after a 401.
        if (
          !throttled &&
          isCrmAuthError(err, 'ERR_HTTP_STATUS') &&
          err.httpStatus === 429 &&
          err.retryAfterMs !== undefined &&
          err.retryAfterMs <= MAX_THROTTLE_WAIT_MS
        ) {
          throttled = true;
          let timer: NodeJS.Timeout | undefined;
          await abortable(
            new Promise((r) => {
              timer = setTimeout(r, err.retryAfterMs);
            }),
            options.signal,
          ).finally(() => clearTimeout(timer));
          this.#open();
          continue;
        }
        throw err;
      }
    }
  }
}
