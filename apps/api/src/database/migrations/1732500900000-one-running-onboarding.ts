import type { MigrationInterface, QueryRunner } from 'typeorm';

/** At most one onboarding run in progress per org, enforced by Postgres rather than a read-then-insert check. */
export class OneRunningOnboarding1732500900000 implements MigrationInterface {
  name = 'OneRunningOnboarding1732500900000';

  async up(q: QueryRunner): Promise<void> {
    // Runs left "running" by a crash before this migration would block the index: close them first.
    await q.query(
      `UPDATE onboarding_runs SET status = 'failed', finished_at = now() WHERE status = 'running' AND started_at < now() - interval '5 minutes'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX onboarding_runs_one_running_uq ON onboarding_runs (org_id) WHERE status = 'running'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX onboarding_runs_one_running_uq`);
  }
}
