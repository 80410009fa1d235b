import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sign-in rate limiter's counters, shared by every API instance. The columns are the ones
 * rate-limiter-flexible's RateLimiterPostgres reads and writes (in this order: it inserts positionally);
 * it is told the table exists, so it never creates one at run time.
 */
export class LoginRateLimits1732501100000 implements MigrationInterface {
  name = 'LoginRateLimits1732501100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE login_rate_limits (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_rate_limits`);
  }
}
