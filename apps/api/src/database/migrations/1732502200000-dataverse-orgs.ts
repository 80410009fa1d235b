import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dataverse orgs beside the CRM 4.0 ones (docs/protocol.md §13). An org has a `kind`: `crm4` (Windows Live ID and
 * the discovery service: `discovery_url`) or `dataverse` (Entra ID and the Web API: the customer's `tenant`, the
 * `environment_url`, the ISV app's `client_id`; onboarding fills in `app_user_entra_object_id`, the application
 * user's Entra object id, beside its systemuserid in `service_account_user_id`). Each kind's CHECK requires its
 * own columns. Existing rows are all CRM 4.0 orgs: the default.
 *
 * orgs is not a tenant table (TenantRowSecurity1732502000000 lists the tables whose rows carry an `org_id`), so
 * the new columns need no policy. One environment is onboarded once: a unique index on its URL, case aside
 * (the discovery service's index leaves Dataverse rows alone, their discovery_url being null).
 */
export class DataverseOrgs1732502200000 implements MigrationInterface {
  name = 'DataverseOrgs1732502200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE orgs
        ADD COLUMN kind text NOT NULL DEFAULT 'crm4' CONSTRAINT orgs_kind_check CHECK (kind IN ('crm4', 'dataverse')),
        ADD COLUMN tenant text,
        ADD COLUMN environment_url text,
        ADD COLUMN client_id uuid,
        ADD COLUMN app_user_entra_object_id uuid,
        ALTER COLUMN discovery_url DROP NOT NULL`);
    await q.query(`
      ALTER TABLE orgs ADD CONSTRAINT orgs_kind_columns_check CHECK (
        CASE kind
          WHEN 'crm4' THEN discovery_url IS NOT NULL
          ELSE tenant IS NOT NULL AND environment_url IS NOT NULL AND client_id IS NOT NULL
        END)`);
    await q.query(
      `CREATE UNIQUE INDEX orgs_environment_uq ON orgs (lower(environment_url)) WHERE kind = 'dataverse'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM orgs WHERE kind = 'dataverse'`);
    await q.query(`DROP INDEX orgs_environment_uq`);
    await q.query(`ALTER TABLE orgs DROP CONSTRAINT orgs_kind_columns_check`);
    await q.query(`
      ALTER TABLE orgs
        ALTER COLUMN discovery_url SET NOT NULL,
        DROP COLUMN app_user_entra_object_id,
        DROP COLUMN client_id,
        DROP COLUMN environment_url,
        DROP COLUMN tenant,
        DROP COLUMN kind`);
  }
}
