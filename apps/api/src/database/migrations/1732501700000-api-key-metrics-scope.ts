import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `metrics:read` API-key scope (issue 13): a Prometheus scraper's key no longer needs `admin`. The
 * check on `api_keys.scopes` keeps its name (ApiKeyScopes1732501400000's `down` drops it by that name) and
 * accepts the new scope. Existing keys are unchanged: an `admin` key still reads the metrics.
 */
export class ApiKeyMetricsScope1732501700000 implements MigrationInterface {
  name = 'ApiKeyMetricsScope1732501700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_known`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known
      CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['calls', 'audit:read', 'metrics:read', 'admin']::text[])`);
  }

  /**
   * Refuses while a key holds `metrics:read`: taking the scope away would leave a scraper's key with no
   * scope (or quietly narrower), and making it `admin` would widen it. Revoke and delete such keys first.
   */
  async down(q: QueryRunner): Promise<void> {
    const rows = (await q.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE 'metrics:read' = ANY (scopes)`,
    )) as { n: number }[];
    const n = rows[0]?.n ?? 0;
    if (n > 0) {
      throw new Error(
        `${n} API key(s) hold the metrics:read scope: delete them (DELETE FROM api_keys WHERE 'metrics:read' = ANY (scopes)) before reverting this migration`,
      );
    }
    await q.query(`ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_known`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known
      CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['calls', 'audit:read', 'admin']::text[])`);
  }
}
