import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export interface JobDefinition {
  name: string;
  everyMs: number;
  /** Longest a run may hold its claim; another instance may take the job after that. */
  leaseMs?: number;
  run: () => Promise<Record<string, unknown> | void>;
}

/** This process's name in job claims and ledger rows. */
export const INSTANCE_ID = `${hostname()}:${process.pid}`;

/**
 * Background jobs in Postgres: each due job is claimed by one UPDATE … WHERE due AND unclaimed,
 * so across any number of API instances a job runs once per interval. No job state lives only
 * in memory.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private readonly jobs = new Map<string, JobDefinition>();
  private timer: NodeJS.Timeout | null = null;
  private running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  register(job: JobDefinition): void {
    this.jobs.set(job.name, job);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const j of this.jobs.values()) {
      await this.db.query(
        `INSERT INTO scheduled_jobs (name, every_ms, next_run_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET every_ms = EXCLUDED.every_ms`,
        [j.name, j.everyMs],
      );
    }
    if (!this.config.jobsEnabled) return;
    this.timer = setInterval(() => {
      // A failing tick (a database blip) is logged and retried next second; it must never end the process.
      this.tick().catch((err: unknown) =>
        this.logger.warn(`job tick failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    }, 1_000);
    this.timer.unref();
  }

  /** Stops claiming jobs and waits for the running ones, so nothing they use is closed under them. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.running]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Runs every due job this instance can claim. Public so tests can drive it without timers. */
  async tick(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.jobs.values()) {
      if (this.stopped) break;
      if (await this.claim(job)) {
        ran.push(job.name);
        const p = this.execute(job);
        this.running.add(p);
        void p.finally(() => this.running.delete(p)).catch(() => undefined);
        await p;
      }
    }
    return ran;
  }

  /** Runs a job now if no other instance holds it (for "refresh now" buttons and tests). */
  async runNow(name: string): Promise<boolean> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`unknown job ${name}`);
    await this.db.query(`UPDATE scheduled_jobs SET next_run_at = now() WHERE name = $1`, [name]);
    if (!(await this.claim(job))) return false;
    await this.execute(job);
    return true;
  }

  private async claim(job: JobDefinition): Promise<boolean> {
    const lease = job.leaseMs ?? Math.max(job.everyMs * 2, 60_000);
    const rows = (await this.db.query(
      `UPDATE scheduled_jobs
          SET locked_by = $2, locked_until = now() + ($3 || ' milliseconds')::interval,
              last_started_at = now(), runs = runs + 1
        WHERE name = $1 AND next_run_at <= now() AND (locked_until IS NULL OR locked_until < now())
        RETURNING name`,
      [job.name, INSTANCE_ID, String(lease)],
    )) as unknown[][] | unknown[];
    const list = Array.isArray(rows[0]) ? (rows[0] as unknown[]) : rows;
    return list.length > 0;
  }

  private async execute(job: JobDefinition): Promise<void> {
    const [{ id }] = (await this.db.query(
      `INSERT INTO job_runs (name, instance) VALUES ($1, $2) RETURNING id`,
      [job.name, INSTANCE_ID],
    )) as [{ id: string }];
    let error: string | null = null;
    let detail: Record<string, unknown> | void = undefined;
    try {
      detail = await job.run();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      this.logger.warn(`job ${job.name} failed: ${error}`);
    }
    await this.db.query(`UPDATE job_runs SET finished_at = now(), outcome = $2, detail = $3 WHERE id = $1`, [
      id,
      error ? 'failed' : 'succeeded',
      JSON.stringify(error ? { error } : (detail ?? {})),
    ]);
    await this.db.query(
      `UPDATE scheduled_jobs SET locked_by = NULL, locked_until = NULL, last_finished_at = now(), last_error = $3,
              next_run_at = now() + (every_ms || ' milliseconds')::interval
        WHERE name = $1 AND locked_by = $2`,
      [job.name, INSTANCE_ID, error],
    );
  }
}
