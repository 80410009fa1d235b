import { CrmAuthError, isCrmAuthError } from '../errors';

/** A cached value with its lifetime and the generation (refresh sequence number) that produced it. */
export interface CacheEntry<T> {
  readonly value: T;
  /** Epoch ms (session clock) when it was obtained. */
  readonly issuedAt: number;
  /** Epoch ms when the issuer says it expires. */
  readonly expiresAt: number;
  /** The sequence number of the refresh that produced it; grows with every refresh started. */
  readonly generation: number;
}

/** Why a refresh runs, and what it must not bring back. */
export interface LoadContext<T> {
  reason: 'initial' | 'expiring' | 'invalidated' | 'forced';
  /** The value a server refused (expired or bad ticket): a shared store still holding it must be bypassed. */
  rejected?: T;
  /** Aborted when the attempt times out. */
  signal: AbortSignal;
}

/** What a loader returns. */
export interface Loaded<T> {
  value: T;
  issuedAt: number;
  expiresAt: number;
  /** True when it came from a shared store rather than the network. */
  fromStore?: boolean;
}

/** Options of {@link RefreshingCache}. Internal to the session folder. */
export interface RefreshingCacheOptions<T> {
  /** For error messages, e.g. `CRM ticket`. */
  name: string;
  clock: () => number;
  /** Refresh this long before expiry (capped to a quarter of the lifetime). */
  refreshAheadMs: number;
  /** One refresh attempt may take this long, lock wait included. */
  attemptTimeoutMs: number;
  load: (ctx: LoadContext<T>) => Promise<Loaded<T>>;
  onLoaded?: (
    entry: CacheEntry<T>,
    info: { first: boolean; latencyMs: number; fromStore: boolean; reason: LoadContext<T>['reason'] },
  ) => void;
  /**
   * A refresh failed. `err` is what the loader threw: a CrmAuthError from the clients or the
   * session's store wrappers, or, when a supplied client breaks that contract, the error as is (it
   * is never relabelled as a transport failure).
   */
  onFailed?: (err: unknown, latencyMs: number) => void;
}

/** Backoff after a failed refresh: 1 s, doubling, at most 30 s. Failures are not cached beyond it. */
const COOLDOWN_BASE_MS = 1_000;
const COOLDOWN_MAX_MS = 30_000;
/** A value that arrives already "expired" by our clock is still served this long, so skewed clocks cannot cause a refresh storm. */
const MIN_REFRESH_INTERVAL_MS = 1_000;
/** Safety margin before expiry: at most 30 s, at most a tenth of the lifetime. */
const MAX_EXPIRY_SKEW_MS = 30_000;

/** When a value should be refreshed in the background and when it stops being usable. */
export function refreshTimes(
  entry: { issuedAt: number; expiresAt: number },
  refreshAheadMs: number,
): { refreshAt: number; usableUntil: number } {
  const lifetime = Math.max(0, entry.expiresAt - entry.issuedAt);
  const ahead = Math.min(refreshAheadMs, lifetime / 4);
  const skew = Math.min(MAX_EXPIRY_SKEW_MS, lifetime / 10);
  return { refreshAt: entry.expiresAt - ahead, usableUntil: entry.expiresAt - skew };
}

/**
 * A value with an expiry, refreshed ahead of it, modelled on jose's remote key set: one shared
 * refresh at a time (single flight), a sequence number so that an older refresh never
 * overwrites a newer value, a timeout on each attempt, and a growing cooldown after a failure.
 * Internal to the session folder.
 */
export class RefreshingCache<T> {
  readonly #o: RefreshingCacheOptions<T>;
  #entry: CacheEntry<T> | undefined;
  #rejected: T | undefined;
  #seq = 0;
  #appliedSeq = 0;
  #inflight: { seq: number; forced: boolean; promise: Promise<CacheEntry<T>> } | undefined;
  #failures = 0;
  #cooldownUntil = 0;
  #lastError: { error: unknown } | undefined;
  #lastLoadedAt = Number.NEGATIVE_INFINITY;

  constructor(options: RefreshingCacheOptions<T>) {
    this.#o = options;
  }

  /** The current entry, fresh or not, without loading. */
  peek(): CacheEntry<T> | undefined {
    return this.#entry;
  }

  /**
   * A usable value of a generation above `minGeneration`: the cached one (starting a background
   * refresh when it is due), or the result of the refresh in flight, or of a new one.
   */
  async get(opts: { minGeneration?: number; signal?: AbortSignal } = {}): Promise<CacheEntry<T>> {
    const min = opts.minGeneration ?? 0;
    const now = this.#o.clock();
    const entry = this.#entry;
    if (entry && entry.generation > min) {
      const { refreshAt, usableUntil } = refreshTimes(entry, this.#o.refreshAheadMs);
      if (now < usableUntil || now - this.#lastLoadedAt < MIN_REFRESH_INTERVAL_MS) {
        // Due for renewal but still valid: callers keep using it while one refresh runs behind.
        if (now >= refreshAt && !this.#inflight && now >= this.#cooldownUntil) {
          this.#start('expiring').catch(() => undefined);
        }
        return entry;
      }
    }
    if (this.#inflight) return abortable(this.#inflight.promise, opts.signal);
    // Within the cooldown the last failure is the answer: no refresh storm against a failing service.
    if (now < this.#cooldownUntil && this.#lastError) throw this.#lastError.error;
    const reason = this.#rejected !== undefined ? 'invalidated' : entry ? 'expiring' : 'initial';
    return abortable(this.#start(reason), opts.signal);
  }

  /**
   * Marks the value of `generation` as refused by the server. Only that generation: callers that
   * failed with an older one must not throw away a value that is already newer.
   */
  invalidate(generation: number): void {
    if (this.#entry && this.#entry.generation === generation) {
      this.#rejected = this.#entry.value;
      this.#entry = undefined;
    }
  }

  /** Starts a refresh regardless of the cached value and cooldown (joins a forced one in flight). */
  refresh(signal?: AbortSignal): Promise<CacheEntry<T>> {
    if (this.#inflight?.forced) return abortable(this.#inflight.promise, signal);
    return abortable(this.#start('forced'), signal);
  }

  #start(reason: LoadContext<T>['reason']): Promise<CacheEntry<T>> {
    this.#seq += 1;
    const seq = this.#seq;
    const rejected = reason === 'forced' ? this.#entry?.value : this.#rejected;
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(
      () =>
        controller.abort(
          new CrmAuthError(
            'ERR_TIMEOUT',
            `refreshing the ${this.#o.name} took longer than ${this.#o.attemptTimeoutMs} ms`,
          ),
        ),
      this.#o.attemptTimeoutMs,
    );
    timer.unref?.();
    const run = (async (): Promise<CacheEntry<T>> => {
      // Yield first, so that #inflight is set before this body can settle.
      await null;
      try {
        const loaded = await abortable(
          this.#o.load({
            reason,
            signal: controller.signal,
            ...(rejected !== undefined ? { rejected } : {}),
          }),
          controller.signal,
        );
        // Sequence guard: a refresh that started before the one already applied brings an older value.
        if (seq < this.#appliedSeq) return this.#entry ?? { ...loaded, generation: seq };
        const first = this.#appliedSeq === 0;
        const entry: CacheEntry<T> = {
          value: loaded.value,
          issuedAt: loaded.issuedAt,
          expiresAt: loaded.expiresAt,
          generation: seq,
        };
        this.#appliedSeq = seq;
        this.#entry = entry;
        this.#rejected = undefined;
        this.#failures = 0;
        this.#cooldownUntil = 0;
        this.#lastError = undefined;
        this.#lastLoadedAt = this.#o.clock();
        safeCall(() =>
          this.#o.onLoaded?.(entry, {
            first,
            latencyMs: performance.now() - started,
            fromStore: loaded.fromStore === true,
            reason,
          }),
        );
        return entry;
      } catch (err) {
        if (seq > this.#appliedSeq) {
          this.#failures += 1;
          this.#cooldownUntil =
            this.#o.clock() + Math.min(COOLDOWN_MAX_MS, COOLDOWN_BASE_MS * 2 ** (this.#failures - 1));
          this.#lastError = { error: err };
          safeCall(() => this.#o.onFailed?.(err, performance.now() - started));
        }
        throw err;
      } finally {
        clearTimeout(timer);
        if (this.#inflight?.seq === seq) this.#inflight = undefined;
      }
    })();
    run.catch(() => undefined);
    this.#inflight = { seq, forced: reason === 'forced', promise: run };
    return run;
  }
}

/** Waits for `promise` unless `signal` aborts first; the shared promise itself goes on. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function abortError(signal: AbortSignal): CrmAuthError {
  if (isCrmAuthError(signal.reason)) return signal.reason;
  return new CrmAuthError('ERR_ABORTED', 'the call was aborted', { cause: signal.reason });
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch {
    // Listeners must not break the cache.
  }
}
