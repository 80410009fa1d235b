import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every table whose rows belong to one org, by its `org_id` column. */
export const TENANT_TABLES = [
  'onboarding_runs',
  'tickets',
  'ticket_events',
  'user_mappings',
  'crm_calls',
  'crm_stamps',
  'crm_call_chain_heads',
  'idempotency_keys',
] as const;

/** The setting that scopes a transaction to one org (database/org-scope.ts sets it with SET LOCAL semantics). */
export const ORG_SCOPE_SETTING = 'onbehalf.org_id';

/**
 * Row-level security on the tenant tables, as defence in depth under the services' own org checks. A transaction
 * that set `onbehalf.org_id` sees and writes only that org's rows; one that did not (the admin console's
 * cross-org pages, the jobs) sees every org. Each `current_setting` is a scalar subquery, evaluated once per
 * statement rather than once per row.
 *
 * The owner of a table is exempt (no FORCE), so migrations, backups and tests that connect as the owner are not
 * affected; the runtime role of DATABASE_URL (database/runtime-role.ts) is.
 */
export class TenantRowSecurity1732502000000 implements MigrationInterface {
  name = 'TenantRowSecurity1732502000000';

  async up(q: QueryRunner): Promise<void> {
    const scope = `(SELECT nullif(current_setting('${ORG_SCOPE_SETTING}', true), ''))`;
    const rule = `${scope} IS NULL OR org_id = ${scope}::uuid`;
    for (const t of TENANT_TABLES) {
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${t}_org_scope ON ${t} USING (${rule}) WITH CHECK (${rule})`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [...TENANT_TABLES].reverse()) {
      await q.query(`DROP POLICY ${t}_org_scope ON ${t}`);
      await q.query(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
