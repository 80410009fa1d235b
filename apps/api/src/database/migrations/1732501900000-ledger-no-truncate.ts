import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TRUNCATE bypasses the row triggers of LedgerChain1732501500000 (they fire per row, TRUNCATE removes no row
 * one by one), so truncating crm_calls and crm_call_chain_heads together would leave nothing for the verifier
 * to find. A BEFORE TRUNCATE trigger on each table refuses it, including TRUNCATE … CASCADE from orgs. A table
 * owner can still disable the trigger (docs/ledger-chain.md says what the triggers do not stop); an org's own
 * deletion (DELETE FROM orgs, cascading) still removes its rows.
 */
export class LedgerNoTruncate1732501900000 implements MigrationInterface {
  name = 'LedgerNoTruncate1732501900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ledger_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is part of the ledger hash chain: it cannot be truncated', TG_TABLE_NAME
          USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await q.query(`CREATE TRIGGER crm_calls_no_truncate BEFORE TRUNCATE ON crm_calls
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_no_truncate()`);
    await q.query(`CREATE TRIGGER crm_call_chain_heads_no_truncate BEFORE TRUNCATE ON crm_call_chain_heads
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_no_truncate()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER crm_call_chain_heads_no_truncate ON crm_call_chain_heads`);
    await q.query(`DROP TRIGGER crm_calls_no_truncate ON crm_calls`);
    await q.query(`DROP FUNCTION ledger_no_truncate()`);
  }
}
