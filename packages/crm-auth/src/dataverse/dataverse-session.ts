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
import { MemoryTicketStore, type TicketStore } from '../session/ticket-store';
import { HttpsTransport } from '../transport/https-transport';
import type { AssertionAlgorithm } from './client-assertion';
import {
  DataverseClient,
  type DataverseCallOptions,
  type DataverseRecord,
  type DataverseWhoAmI,
} from './dataverse-client';
import { EntraTokenClient } from './entra-token-client';

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
const MAX_TOKEN_RETRIES = 5;
/** The longest Retry-After a read waits for once before giving up (a 429 of service protection). */
const MAX_THROTTLE_WAIT_MS = 2_000;

/**
 * Dataverse's session: the same shape of work as {@link CrmSession} for CRM 4.0 (docs/protocol.md §13). It
 * keeps one access token per (tenant, app, environment) in a refreshing cache (single flight, refresh ahead
 * of expiry, a shared store, a refresh lock), sends each call with it, and on a 401 refreshes once and
 * retries, a herd of calls meeting the same 401 sharing one refresh. A read throttled with a short
 * Retry-After (429) is tried once more after it.
 */
export class DataverseSession {
  readonly #tokens: RefreshingCache<string>;
  readonly #client: DataverseClient;
  readonly #entra: EntraTokenClient;
  readonly #transport: HttpsTransport;
  readonly #maxTokenRetries: number;
  readonly #environmentUrl: string;
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
      load: ({ rejected, signal }) =>
        lock(key, async () => {
          const stored = await store.get(key);
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
      onLoaded: (_entry, info) => {
        if (!info.fromStore) this.#refreshes += 1;
      },
    });
  }

  whoAmI(options: DataverseCallOptions = {}): Promise<DataverseWhoAmI> {
    return this.#call(true, options, (token) => this.#client.whoAmI(token, options));
  }

  retrieve(
    args: { entitySet: string; id: string; select?: string[] },
    options: DataverseCallOptions = {},
  ): Promise<DataverseRecord> {
    return this.#call(true, options, (token) => this.#client.retrieve(token, args, options));
  }

  create(
    args: { entitySet: string; attributes: Record<string, unknown> },
    options: DataverseCallOptions = {},
  ): Promise<string> {
    return this.#call(false, options, (token) => this.#client.create(token, args, options));
  }

  delete(args: { entitySet: string; id: string }, options: DataverseCallOptions = {}): Promise<void> {
    return this.#call(false, options, (token) => this.#client.delete(token, args, options));
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

  /**
   * One call with the cached token. A 401 invalidates only the token generation that met it (so a herd joins
   * one refresh) and retries up to maxTokenRetries; a write is re-sent then too, because a 401 proves the
   * server did not run it. A read met by a 429 with a Retry-After of at most 2 s is tried once more.
   */
  async #call<T>(idempotent: boolean, options: CallOptions, send: (token: string) => Promise<T>): Promise<T> {
    this.#open();
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
        if (
          idempotent &&
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
