import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A Create whose reply was lost (issue 13, "smaller promises to keep"). Its ledger row is failed (a timeout, a
 * garbled reply, or CRASHED_UNKNOWN_OUTCOME from reconciliation) with no record id, and is usually sealed in the
 * hash chain by the time reconciliation finds the record CRM created. `record_id` is a covered column (the
 * sealed-row trigger of LedgerChain1732501500000 refuses to change it, and the row hash covers it), so
 * reconciliation names the record it links such a row to in `linked_record_id`: a column the chain does not
 * cover, like the verdict and note beside it. The row itself keeps what the call path knew. The index serves
 * reconciliation's "does any row name this record" look-up (record_id, or linked_record_id).
 */
export class LedgerLinkedRecord1732501800000 implements MigrationInterface {
  name = 'LedgerLinkedRecord1732501800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE crm_calls ADD COLUMN linked_record_id uuid NULL`);
    await q.query(`CREATE INDEX crm_calls_linked_record_idx ON crm_calls (org_id, entity, linked_record_id)
      WHERE linked_record_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX crm_calls_linked_record_idx`);
    await q.query(`ALTER TABLE crm_calls DROP COLUMN linked_record_id`);
  }
}
