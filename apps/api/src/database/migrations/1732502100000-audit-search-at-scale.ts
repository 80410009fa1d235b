import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit search on a ledger of millions of rows, as the API's runtime role runs it (row-level security on).
 * Every search walks an index in (at DESC, id DESC) order and stops after one page, provided Postgres expects
 * enough matching rows to stop early; when it expects a handful it reads them all (bitmap) and sorts instead,
 * which on 10,000,000 rows reads every row of a user, an account or an org. Measured as the runtime role on
 * 1,000,000 rows (bench/suites/audit.mjs): org + user + 30 days 2.7 → 0.5 ms, the service account over 7 days
 * 80 → 0.3 ms, mismatches of all orgs 23 → 0.3 ms (Postgres execution time).
 *
 * - The org policy of crm_calls (TenantRowSecurity1732502000000) is rewritten as a CASE with the same meaning.
 *   As `scope IS NULL OR org_id = scope` Postgres costs it like one more org filter on top of the query's own
 *   (about 1/orgs of the rows: 20 orgs, 1/18; 10,000 orgs, 1/10,000), so every estimate collapsed to a row or
 *   two; a CASE it takes as a plain condition (1/2), and the query's own filters decide.
 * - Extended statistics: the user acted for implies the org (so org + user is not 1/orgs × 1/users), and how
 *   often each service account name occurs, lower-cased as the actor filter compares it.
 * - A partial index for "mismatches only" (or "missing only") across orgs, newest first: the org-first index
 *   of AuditIndexes1732500800000 cannot give that order without reading every such row of every org.
 *
 * The table's data stays; CREATE INDEX reads the whole ledger once (under a write lock, about 10 s per
 * 10,000,000 rows) and ANALYZE samples it, so the new statistics apply at once.
 */
const SCOPE = `(SELECT nullif(current_setting('onbehalf.org_id', true), ''))`;

export class AuditSearchAtScale1732502100000 implements MigrationInterface {
  name = 'AuditSearchAtScale1732502100000';

  async up(q: QueryRunner): Promise<void> {
    const rule = `CASE WHEN ${SCOPE} IS NULL THEN true ELSE org_id = ${SCOPE}::uuid END`;
    await q.query(`ALTER POLICY crm_calls_org_scope ON crm_calls USING (${rule}) WITH CHECK (${rule})`);
    await q.query(
      `CREATE STATISTICS crm_calls_org_user_stx (dependencies) ON org_id, on_behalf_of_id FROM crm_calls`,
    );
    await q.query(
      `CREATE STATISTICS crm_calls_service_account_stx ON (lower(service_account_name)) FROM crm_calls`,
    );
    await q.query(
      `CREATE INDEX crm_calls_unreconciled_idx ON crm_calls (reconciliation, at DESC, id DESC)
       WHERE reconciliation IN ('mismatch', 'missing')`,
    );
    await q.query(`ANALYZE crm_calls`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX crm_calls_unreconciled_idx`);
    await q.query(`DROP STATISTICS crm_calls_service_account_stx`);
    await q.query(`DROP STATISTICS crm_calls_org_user_stx`);
    const rule = `${SCOPE} IS NULL OR org_id = ${SCOPE}::uuid`;
    await q.query(`ALTER POLICY crm_calls_org_scope ON crm_calls USING (${rule}) WITH CHECK (${rule})`);
  }
}
