import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';

/** The table the migration LoginRateLimits1732501100000 creates. */
export const LOGIN_RATE_LIMIT_TABLE = 'login_rate_limits';
const WINDOW_SEC = 60;
/** One IP may try this many times the per-user limit, across emails. */
const IP_FACTOR = 4;
/** A store that keeps failing is logged at most this often. */
const STORE_LOG_EVERY_MS = 60_000;

/** Builds one counter (per user, or per IP) on the shared store. */
export type LimiterFactory = (opts: {
  keyPrefix: string;
  points: number;
  duration: number;
}) => RateLimiterAbstract;

interface Window {
  store: RateLimiterAbstract;
  /** This instance's own counter, used only while the store fails. */
  fallback: RateLimiterMemory;
}

/**
 * Sign-in attempts per IP + email (N a minute) and per IP alone (4 × N), counted with
 * rate-limiter-flexible. In the API the counters live in Postgres (`login_rate_limits`), so every
 * instance on the database shares them. A window starts at a key's first attempt and lasts 60 s;
 * every attempt counts, refused ones too, and the wait is the time left in the window, so it does
 * not grow while the caller keeps trying. A successful sign-in clears the user's window.
 *
 * When the store fails (Postgres unreachable, the table missing), the limiter neither lets every
 * attempt through nor refuses every sign-in: it counts on this instance alone, with the same limits,
 * until the store answers again, and logs the failure (never the email, IP or password).
 */
export class LoginRateLimiter {
  private readonly user: Window;
  private readonly ip: Window;
  private lastStoreLog = -Infinity;
  private failuresSinceLog = 0;

  constructor(
    perMinute: number,
    create: LimiterFactory,
    private readonly logger: Pick<Logger, 'warn'> = new Logger('auth'),
  ) {
    const window = (keyPrefix: string, points: number): Window => ({
      store: create({ keyPrefix, points, duration: WINDOW_SEC }),
      fallback: new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SEC }),
    });
    this.user = window('login-user', perMinute);
    this.ip = window('login-ip', perMinute * IP_FACTOR);
  }

  /** Counters in `login_rate_limits`, through the pg pool TypeORM already has. */
  static onPostgres(db: DataSource, perMinute: number): LoginRateLimiter {
    return new LoginRateLimiter(
      perMinute,
      (opts) =>
        new RateLimiterPostgres({
          ...opts,
          storeClient: db,
          storeType: 'typeorm',
          tableName: LOGIN_RATE_LIMIT_TABLE,
          // The schema comes from the migrations: the library must not create the table.
          tableCreated: true,
          // Rows expired for an hour are deleted every 5 minutes (an unref'd timer).
          clearExpiredByTimeout: true,
        }),
    );
  }

  /** Records an attempt; returns the seconds to wait when over either limit, else 0. */
  async attempt(ip: string, email: string): Promise<number> {
    const waits = await Promise.all([
      this.consume(this.user, hashKey(`${ip}|${email.toLowerCase()}`)),
      this.consume(this.ip, hashKey(ip)),
    ]);
    return Math.max(...waits);
  }

  /** A successful sign-in clears the user's window (not the IP's). */
  async reset(ip: string, email: string): Promise<void> {
    const key = hashKey(`${ip}|${email.toLowerCase()}`);
    await this.user.fallback.delete(key);
    try {
      await this.user.store.delete(key);
    } catch (err) {
      this.storeFailed(err);
    }
  }

  private async consume(w: Window, key: string): Promise<number> {
    try {
      await w.store.consume(key);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return secondsLeft(err);
      this.storeFailed(err);
    }
    try {
      await w.fallback.consume(key);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return secondsLeft(err);
      throw err;
    }
  }

  private storeFailed(err: unknown): void {
    this.failuresSinceLog++;
    const now = Date.now();
    if (now - this.lastStoreLog < STORE_LOG_EVERY_MS) return;
    // The error's class and message only: no key, email or IP goes to the log.
    const why = err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error';
    this.logger.warn(
      `sign-in rate limit: the shared store failed ${this.failuresSinceLog} time(s) (${why}); counting on this instance alone until it answers`,
    );
    this.lastStoreLog = now;
    this.failuresSinceLog = 0;
  }
}

/** Keys are hashed: the table holds no email or IP address, and a key always fits its column. */
function hashKey(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

function secondsLeft(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}
