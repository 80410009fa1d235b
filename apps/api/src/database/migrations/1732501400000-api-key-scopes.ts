import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scoped API keys (issue 13). Until now every key acted as an admin, so the keys that exist get
 * `admin` and are flagged `legacy` (the console asks to replace them with narrower keys); keys made
 * from now on state their scopes, so the columns' defaults are dropped once the old rows are filled.
 * Also: the orgs a `calls` key may act on, an optional expiry and the IP of the last use.
 */
export class ApiKeyScopes1732501400000 implements MigrationInterface {
  name = 'ApiKeyScopes1732501400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys
      ADD COLUMN scopes text[] NOT NULL DEFAULT '{admin}',
      ADD COLUMN org_ids uuid[] NOT NULL DEFAULT '{}',
      ADD COLUMN expires_at timestamptz NULL,
      ADD COLUMN last_used_ip text NULL,
      ADD COLUMN legacy boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE api_keys
      ALTER COLUMN scopes DROP DEFAULT,
      ALTER COLUMN org_ids DROP DEFAULT,
      ALTER COLUMN legacy SET DEFAULT false`);
    await q.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known
      CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['calls', 'audit:read', 'admin']::text[])`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys
      DROP CONSTRAINT api_keys_scopes_known,
      DROP COLUMN legacy,
      DROP COLUMN last_used_ip,
      DROP COLUMN expires_at,
      DROP COLUMN org_ids,
      DROP COLUMN scopes`);
  }
}
