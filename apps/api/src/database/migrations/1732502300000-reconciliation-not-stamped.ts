import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One more reconciliation verdict, `not-stamped`: the call asked to act on behalf of a user, and the platform ran it
 * but left the on-behalf stamp (`createdonbehalfby` / `modifiedonbehalfby`) empty. Dataverse does that silently when
 * the caller object id names the application user itself, or an Entra object id is sent as `MSCRMCallerID`
 * (docs/protocol.md §13.2); such rows used to be `mismatch` with that reason in the note, and keep it.
 *
 * The two partial indexes of rows needing attention (AuditIndexes1732500800000, AuditSearchAtScale1732502100000)
 * take the new verdict in: a query for `mismatch`/`missing` still implies their predicate, so the audit's plans do
 * not change. CREATE INDEX reads the ledger once (about 10 s per 10,000,000 rows, under a write lock).
 */
const PROBLEMS = `('mismatch', 'missing', 'not-stamped')`;

export class ReconciliationNotStamped1732502300000 implements MigrationInterface {
  name = 'ReconciliationNotStamped1732502300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE crm_calls DROP CONSTRAINT crm_calls_reconciliation_check`);
    await q.query(
      `ALTER TABLE crm_calls ADD CONSTRAINT crm_calls_reconciliation_check
       CHECK (reconciliation IN ('match', 'mismatch', 'missing', 'not-stamped', 'unverified'))`,
    );
    await this.indexes(q, PROBLEMS);
  }

  async down(q: QueryRunner): Promise<void> {
    // Sealed rows may still change their verdict (LedgerChain1732501500000): the older schema's name for it.
    await q.query(`UPDATE crm_calls SET reconciliation = 'mismatch' WHERE reconciliation = 'not-stamped'`);
    await q.query(`ALTER TABLE crm_calls DROP CONSTRAINT crm_calls_reconciliation_check`);
    await q.query(
      `ALTER TABLE crm_calls ADD CONSTRAINT crm_calls_reconciliation_check
       CHECK (reconciliation IN ('match', 'mismatch', 'missing', 'unverified'))`,
    );
    await this.indexes(q, `('mismatch', 'missing')`);
  }

  private async indexes(q: QueryRunner, problems: string): Promise<void> {
    await q.query(`DROP INDEX crm_calls_org_unreconciled_at_idx`);
    await q.query(
      `CREATE INDEX crm_calls_org_unreconciled_at_idx ON crm_calls (org_id, reconciliation, at DESC, id DESC)
       WHERE reconciliation IN ${problems}`,
    );
    await q.query(`DROP INDEX crm_calls_unreconciled_idx`);
    await q.query(
      `CREATE INDEX crm_calls_unreconciled_idx ON crm_calls (reconciliation, at DESC, id DESC)
       WHERE reconciliation IN ${problems}`,
    );
  }
}
