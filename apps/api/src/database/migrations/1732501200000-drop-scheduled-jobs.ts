import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Background jobs moved to pg-boss, which keeps its own tables in the `pgboss` schema (it creates and
 * migrates them itself when the API starts). The home-made claim table and run history go; `down` puts
 * them back empty, as 1732500200000 made them.
 */
export class DropScheduledJobs1732501200000 implements MigrationInterface {
  name = 'DropScheduledJobs1732501200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_runs`);
    await q.query(`DROP TABLE scheduled_jobs`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduled_jobs (
        name text PRIMARY KEY,
        every_ms int NOT NULL,
        next_run_at timestamptz NOT NULL DEFAULT now(),
        locked_by text,
        locked_until timestamptz,
        last_started_at timestamptz,
        last_finished_at timestamptz,
        last_error text,
        runs bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`
      CREATE TABLE job_runs (
        id bigserial PRIMARY KEY,
        name text NOT NULL,
        instance text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        outcome text,
        detail jsonb
      )`);
    await q.query(`CREATE INDEX job_runs_name_idx ON job_runs (name, started_at DESC)`);
  }
}
