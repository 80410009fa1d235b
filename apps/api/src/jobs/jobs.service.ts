import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Pool } from 'pg';
import PgBoss from 'pg-boss';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** pg-boss's own schema: it creates and migrates it itself on start (under its advisory lock). */
export const JOBS_SCHEMA = 'pgboss';

/**
 * How long job history is kept: a completed or failed job stays in `pgboss.job` for a day, then moves to
 * `pgboss.archive`, which drops it 6 days later, so a job's record is gone 7 days after it finished.
 * A job that never started is archived one day after its start time (its retention).
 */
export const JOB_HISTORY = {
  archiveAfterSeconds: 24 * 60 * 60,
  deleteAfterDays: 6,
  /** A job still waiting this long after its start time is given up (archived unstarted). */
  retentionMinutes: 24 * 60,
  /** How often one instance (whichever gets there first) expires, archives and deletes. */
  maintenanceIntervalSeconds: 120,
} as const;

/** What runs on failure: `retryLimit` more attempts, the n-th after retryDelaySec × 2^(n-1) to × 2^n seconds. */
export interface RetryPolicy {
  retryLimit: number;
  retryDelaySec: number;
}

const DEFAULT_RETRY: RetryPolicy = { retryLimit: 3, retryDelaySec: 10 };

export interface JobDefinition {
  name: string;
  everyMs: number;
  /**
   * The job's lease (pg-boss's expireInSeconds): a run not finished this long after it started is failed by
   * pg-boss's maintenance, on whichever instance runs it, and retried. pg-boss 10 does not renew leases, so
   * it must cover the longest run. Default: twice the interval, at least a minute.
   */
  leaseMs?: number;
  retry?: Partial<RetryPolicy>;
  run: () => Promise<Record<string, unknown> | void>;
}

/** A queue of jobs sent on demand (`send`), e.g. one per org; at most one waiting, retrying and running per key. */
export interface QueueDefinition<T extends object> {
  name: string;
  leaseMs: number;
  retry?: Partial<RetryPolicy>;
  run: (data: T) => Promise<Record<string, unknown> | void>;
}

interface Handler {
  name: string;
  leaseMs: number;
  retry: RetryPolicy;
  everyMs: number | null;
  run: (data: object) => Promise<Record<string, unknown> | void>;
}

/** A job as pg-boss recorded it. */
export interface JobRecord {
  id: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  output: Record<string, unknown> | null;
  retryCount: number;
  startAfter: Date;
  singletonKey: string | null;
}

/**
 * Background jobs on pg-boss 10, in its own `pgboss` schema of the API's database.
 *
 * Every queue is "stately": at most one waiting, one retrying and one running job per singleton key, so a
 * job is never run twice at once across instances (the fetch is `FOR UPDATE SKIP LOCKED`, and a second
 * running job for the same key breaks a unique index and is not fetched). Periodic jobs are chained, not
 * cron (pg-boss's cron has minute resolution): every few seconds each instance offers each periodic job
 * its next run, `interval` from now; the offer is refused while one is already waiting, so after a run is
 * fetched the next is queued once, whoever offers it.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private readonly handlers = new Map<string, Handler>();
  private readonly ready = new Map<string, Promise<void>>();
  private pool: Pool | null = null;
  private boss: PgBoss | null = null;
  private starting: Promise<PgBoss> | null = null;
  private stopping: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<unknown>>();
  private readonly loops: Promise<void>[] = [];
  private readonly wake = new Set<() => void>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** A periodic job: run once per `everyMs` across all instances. */
  register(job: JobDefinition): void {
    this.handlers.set(job.name, {
      name: job.name,
      everyMs: job.everyMs,
      leaseMs: job.leaseMs ?? Math.max(job.everyMs * 2, 60_000),
      retry: { ...DEFAULT_RETRY, ...job.retry },
      run: job.run,
    });
  }

  /** A queue of on-demand jobs, sent with `send`. */
  registerQueue<T extends object>(def: QueueDefinition<T>): void {
    this.handlers.set(def.name, {
      name: def.name,
      everyMs: null,
      leaseMs: def.leaseMs,
      retry: { ...DEFAULT_RETRY, ...def.retry },
      run: def.run as (data: object) => Promise<Record<string, unknown> | void>,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
    for (const h of this.handlers.values()) if (h.everyMs !== null) await this.offer(h, true);
    if (!this.config.jobsEnabled) return;
    for (const h of this.handlers.values()) this.loops.push(this.workLoop(h));
    this.timer = setInterval(() => {
      // A failing offer (a database blip) is logged and tried again; it must never end the process.
      this.offerAll().catch((err: unknown) => this.logger.warn(`job offer failed: ${message(err)}`));
    }, OFFER_EVERY_MS);
    this.timer.unref();
  }

  /**
   * One polling loop per queue (so a long reconcile run does not hold up ticket refreshes): fetch, run,
   * record, and fetch again at once; poll again after POLL_EVERY_MS when nothing was due. pg-boss's own
   * work() does the same, but does not wait for the completion it records, which a shutdown could cut off.
   */
  private async workLoop(h: Handler): Promise<void> {
    while (!this.stopping) {
      let ran: string | null = null;
      try {
        ran = await this.runOne(h, false);
      } catch (err) {
        this.logger.warn(`job queue ${h.name}: ${message(err)}`);
      }
      if (!ran && !this.stopping) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(t);
            this.wake.delete(done);
            resolve();
          };
          const t = setTimeout(done, POLL_EVERY_MS);
          this.wake.add(done);
        });
      }
    }
  }

  /** Stops fetching jobs and waits for the running ones, so nothing they use is closed under them. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      for (const w of [...this.wake]) w();
      const boss = await this.starting?.catch(() => null);
      await Promise.allSettled([...this.loops, ...this.running]);
      await boss?.stop({ graceful: true, wait: true, timeout: 1_000 }).catch((err: unknown) => {
        this.logger.warn(`jobs did not stop cleanly: ${message(err)}`);
      });
      await this.pool?.end().catch(() => undefined);
    })();
    return this.stopping;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /**
   * Queues a job on an on-demand queue. With a singleton key, a job already waiting for that key makes
   * this a no-op (null); one running or retrying does not.
   */
  async send(
    name: string,
    data: object,
    opts: { singletonKey?: string; startAfter?: Date } = {},
  ): Promise<string | null> {
    const boss = await this.start();
    await this.queue(name);
    return boss.send(name, data, {
      ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
    });
  }

  /** Cancels waiting jobs (e.g. one queued for a time that is no longer right). */
  async cancel(name: string, ids: string[]): Promise<void> {
    if (ids.length) await (await this.start()).cancel(name, ids);
  }

  /** The jobs of a queue that have not finished (waiting, retrying or running), optionally for one key. */
  async pending(name: string, singletonKey?: string): Promise<JobRecord[]> {
    await this.start();
    const { rows } = await this.pool!.query<JobRecord>(
      `${SELECT_JOB} WHERE name = $1 AND state < 'completed' AND ($2::text IS NULL OR singleton_key = $2)
        ORDER BY start_after`,
      [name, singletonKey ?? null],
    );
    return rows;
  }

  /** One job by id, from pg-boss's table or its archive. */
  async job(name: string, id: string): Promise<JobRecord | null> {
    await this.start();
    const { rows } = await this.pool!.query<JobRecord>(
      `${SELECT_JOB} WHERE name = $1 AND id = $2
       UNION ALL ${SELECT_JOB.replace(`${JOBS_SCHEMA}.job`, `${JOBS_SCHEMA}.archive`)} WHERE name = $1 AND id = $2`,
      [name, id],
    );
    return rows[0] ?? null;
  }

  /**
   * Offers every periodic job its next run, then runs every job this instance can fetch until none is due.
   * Public so tests can drive two instances without timers; returns the names of the jobs it ran.
   */
  async tick(): Promise<string[]> {
    if (this.stopping) return [];
    await this.offerAll();
    const ran: string[] = [];
    for (let more = true; more && !this.stopping;) {
      more = false;
      for (const h of this.handlers.values()) {
        if (this.stopping) break;
        if (await this.runOne(h, false)) {
          ran.push(h.name);
          more = true;
        }
      }
    }
    return ran;
  }

  /**
   * Runs a periodic job's waiting run now, on this instance, whatever its start time (for tests and
   * "run now" buttons). Returns the job's id, or null when none could be fetched (one is running elsewhere).
   */
  async runNow(name: string): Promise<string | null> {
    const h = this.handlers.get(name);
    if (!h) throw new Error(`unknown job ${name}`);
    await this.offer(h, true);
    return this.runOne(h, true);
  }

  /** pg-boss's maintenance now: expires overdue running jobs (to retry), archives and deletes old ones. */
  async maintain(): Promise<void> {
    await (await this.start()).maintain();
  }

  private start(): Promise<PgBoss> {
    this.starting ??= (async () => {
      const pool = new Pool({
        connectionString: this.config.databaseUrl,
        max: 4,
        application_name: 'onbehalf-jobs',
      });
      pool.on('error', (err) => this.logger.warn(`jobs database connection: ${err.message}`));
      this.pool = pool;
      const boss = new PgBoss({
        db: { executeSql: (text, values) => executeSql(pool, text, values) },
        schema: JOBS_SCHEMA,
        // Periodic jobs are chained by offers, not pg-boss's per-minute cron.
        schedule: false,
        // Maintenance (expiry of dead runs, archiving, deletion) only where jobs run.
        supervise: this.config.jobsEnabled,
        migrate: true,
        maintenanceIntervalSeconds: JOB_HISTORY.maintenanceIntervalSeconds,
        archiveCompletedAfterSeconds: JOB_HISTORY.archiveAfterSeconds,
        archiveFailedAfterSeconds: JOB_HISTORY.archiveAfterSeconds,
        deleteAfterDays: JOB_HISTORY.deleteAfterDays,
        retentionMinutes: JOB_HISTORY.retentionMinutes,
      });
      boss.on('error', (err) => this.logger.warn(`jobs: ${message(err)}`));
      this.boss = boss;
      await this.setUp(async () => {
        await boss.start();
        for (const name of this.handlers.keys()) await this.createQueue(name);
      });
      for (const name of this.handlers.keys()) this.ready.set(name, Promise.resolve());
      return boss;
    })();
    return this.starting;
  }

  /** Creates the queue once per process, and brings its settings up to date (they may change between releases). */
  private queue(name: string): Promise<void> {
    let p = this.ready.get(name);
    if (!p) {
      if (!this.handlers.has(name)) return Promise.reject(new Error(`unknown job queue ${name}`));
      p = this.start().then(() => this.setUp(() => this.createQueue(name)));
      p.catch(() => this.ready.delete(name));
      this.ready.set(name, p);
    }
    return p;
  }

  private async createQueue(name: string): Promise<void> {
    const h = this.handlers.get(name)!;
    const options = {
      name,
      policy: 'stately' as const,
      retryLimit: h.retry.retryLimit,
      retryDelay: h.retry.retryDelaySec,
      retryBackoff: true,
      expireInSeconds: Math.ceil(h.leaseMs / 1000),
      retentionMinutes: JOB_HISTORY.retentionMinutes,
    };
    if (!(await this.boss!.getQueue(name))) await this.boss!.createQueue(name, options);
    await this.boss!.updateQueue(name, options);
  }

  /**
   * Runs pg-boss's schema and queue set-up holding a session advisory lock, so that instances starting
   * together do it one after the other: two createQueue() of one name at once deadlock in Postgres.
   */
  private async setUp<T>(fn: () => Promise<T>): Promise<T> {
    const lock = await this.pool!.connect();
    lock.on('error', () => undefined); // a lost connection fails the query below; nothing more to do
    try {
      await lock.query(`SELECT pg_advisory_lock(hashtext('onbehalf:jobs:set-up'))`);
      return await fn();
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext('onbehalf:jobs:set-up'))`).catch(() => undefined);
      lock.release();
    }
  }

  private async offerAll(): Promise<void> {
    for (const h of this.handlers.values()) if (h.everyMs !== null) await this.offer(h, false);
  }

  /**
   * Queues the periodic job's next run, `everyMs` from now; refused (by the stately queue) while a run is
   * already waiting. At boot, a job that has no run at all yet is due at once.
   */
  private async offer(h: Handler, boot: boolean): Promise<void> {
    const boss = await this.start();
    await this.queue(h.name);
    let delayMs = h.everyMs ?? 0;
    if (boot) {
      const { rows } = await this.pool!.query(
        `SELECT 1 FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state < 'completed' LIMIT 1`,
        [h.name],
      );
      if (rows.length) return;
      delayMs = 0;
    }
    await boss.send(h.name, {}, delayMs ? { startAfter: new Date(Date.now() + delayMs) } : {});
  }

  /** Fetches one job of the queue (if any is due and not held elsewhere), runs it, records the outcome. */
  private async runOne(h: Handler, ignoreStartAfter: boolean): Promise<string | null> {
    const boss = await this.start();
    await this.queue(h.name);
    const [job] = await boss.fetch<object>(h.name, { batchSize: 1, ignoreStartAfter });
    if (!job) return null;
    // A periodic job's next run is queued as soon as this one is taken (the offer timer is the backstop).
    if (h.everyMs !== null) {
      await this.offer(h, false).catch((err: unknown) =>
        this.logger.warn(`job offer failed: ${message(err)}`),
      );
    }
    const p = (async () => {
      try {
        const output = await this.execute(h, job.data);
        await boss.complete(h.name, job.id, output ?? {});
      } catch (err) {
        await boss.fail(h.name, job.id, err instanceof Error ? err : { message: message(err) });
      }
    })();
    this.running.add(p);
    try {
      await p;
    } finally {
      this.running.delete(p);
    }
    return job.id;
  }

  private async execute(h: Handler, data: object): Promise<Record<string, unknown> | void> {
    try {
      return await h.run(data);
    } catch (err) {
      this.logger.warn(`job ${h.name} failed: ${message(err)}`);
      throw err;
    }
  }
}

/** How often each instance offers the periodic jobs their next run. */
const OFFER_EVERY_MS = 5_000;
/** How often an idle queue is polled. */
const POLL_EVERY_MS = 2_000;

const SELECT_JOB = `SELECT id, state, output, retry_count AS "retryCount", start_after AS "startAfter",
       singleton_key AS "singletonKey" FROM ${JOBS_SCHEMA}.job`;

const message = (err: unknown) =>
  err instanceof Error
    ? err.message
    : typeof err === 'object' && err && 'message' in err
      ? String(err.message)
      : String(err);

/**
 * pg-boss's statements on our pool. Its locked statements are one string `BEGIN; …; COMMIT;`: if one fails
 * (e.g. the "already exists" of two instances creating the schema at once, which pg-boss expects), the
 * connection would go back to the pool inside an aborted transaction, so it is rolled back first.
 */
async function executeSql(pool: Pool, text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
  const client = await pool.connect();
  try {
    return await client.query(text, values);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
