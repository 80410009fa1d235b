import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's hash chain (issue 13, tamper-evident ledger). Each org's ledger rows are sealed, once their
 * outcome is final, into a chain: `chain_seq` (1, 2, 3… per org, in sealing order), `prev_hash` (the previous
 * row's `row_hash`, or 64 zeros for the first), `row_hash` (SHA-256 over the row's covered columns, its seq,
 * sealed_at and prev_hash: src/ledger-chain/chain-hash.ts) and `sealed_at`. `crm_call_chain_heads` holds each
 * org's last seq and hash; the sealer locks it FOR UPDATE, so two instances never fork a chain.
 *
 * Triggers: a sealed row cannot be deleted (except by its org's own deletion, ON DELETE CASCADE) and its covered
 * and chain columns cannot change (reconciliation's verdict and note still can: they are not covered); a row
 * cannot be inserted already sealed; a head only moves forward. Existing rows are sealed by the sealer's first runs.
 */
export class LedgerChain1732501500000 implements MigrationInterface {
  name = 'LedgerChain1732501500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE crm_calls
      ADD COLUMN chain_seq bigint NULL,
      ADD COLUMN prev_hash text NULL,
      ADD COLUMN row_hash text NULL,
      ADD COLUMN sealed_at timestamptz NULL`);
    // One row per seq and org (a fork would break it), and the verifier's walk in seq order.
    await q.query(
      `CREATE UNIQUE INDEX crm_calls_chain_idx ON crm_calls (org_id, chain_seq) WHERE chain_seq IS NOT NULL`,
    );
    // What the sealer picks up: final rows not sealed yet (a small index: rows leave it seconds after they enter).
    await q.query(`CREATE INDEX crm_calls_unsealed_idx ON crm_calls (org_id, completed_at, id)
      WHERE chain_seq IS NULL AND outcome <> 'pending'`);

    await q.query(`
      CREATE TABLE crm_call_chain_heads (
        org_id uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
        seq bigint NOT NULL DEFAULT 0 CHECK (seq >= 0),
        hash text NOT NULL DEFAULT repeat('0', 64),
        sealed_through timestamptz NULL
      )`);

    // A sealed row: no DELETE but its org's own (cascading) deletion; no change to a covered or chain column.
    await q.query(`
      CREATE FUNCTION crm_calls_sealed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF NOT EXISTS (SELECT 1 FROM orgs WHERE id = OLD.org_id) THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION 'ledger row % (org %, chain seq %) is sealed: it cannot be deleted', OLD.id, OLD.org_id, OLD.chain_seq
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF (NEW.id, NEW.org_id, NEW.at, NEW.completed_at, NEW.operation, NEW.entity, NEW.record_id,
            NEW.service_account_id, NEW.service_account_name, NEW.on_behalf_of_id, NEW.on_behalf_of_name,
            NEW.on_behalf_of_puid, NEW.outcome, NEW.error_code, NEW.error_message, NEW.latency_ms, NEW.request_id,
            NEW.caller, NEW.instance, NEW.chain_seq, NEW.prev_hash, NEW.row_hash, NEW.sealed_at)
           IS DISTINCT FROM
           (OLD.id, OLD.org_id, OLD.at, OLD.completed_at, OLD.operation, OLD.entity, OLD.record_id,
            OLD.service_account_id, OLD.service_account_name, OLD.on_behalf_of_id, OLD.on_behalf_of_name,
            OLD.on_behalf_of_puid, OLD.outcome, OLD.error_code, OLD.error_message, OLD.latency_ms, OLD.request_id,
            OLD.caller, OLD.instance, OLD.chain_seq, OLD.prev_hash, OLD.row_hash, OLD.sealed_at) THEN
          RAISE EXCEPTION 'ledger row % (org %, chain seq %) is sealed: only its reconciliation verdict and note may change', OLD.id, OLD.org_id, OLD.chain_seq
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    // WHEN: unsealed rows (every insert and completion of the call path) never enter PL/pgSQL.
    await q.query(`CREATE TRIGGER crm_calls_sealed_guard BEFORE UPDATE OR DELETE ON crm_calls
      FOR EACH ROW WHEN (OLD.chain_seq IS NOT NULL) EXECUTE FUNCTION crm_calls_sealed_guard()`);

    await q.query(`
      CREATE FUNCTION crm_calls_unsealed_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger row % is inserted sealed: rows are inserted unsealed and sealed by the sealer', NEW.id
          USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await q.query(`CREATE TRIGGER crm_calls_unsealed_insert BEFORE INSERT ON crm_calls FOR EACH ROW
      WHEN (NEW.chain_seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.row_hash IS NOT NULL OR NEW.sealed_at IS NOT NULL)
      EXECUTE FUNCTION crm_calls_unsealed_insert()`);

    // A head only moves forward, and goes only with its org.
    await q.query(`
      CREATE FUNCTION crm_call_chain_heads_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF NOT EXISTS (SELECT 1 FROM orgs WHERE id = OLD.org_id) THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION 'the ledger chain head of org % cannot be deleted', OLD.org_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.org_id <> OLD.org_id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash) THEN
          RAISE EXCEPTION 'the ledger chain head of org % only moves forward (seq % to %)', OLD.org_id, OLD.seq, NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER crm_call_chain_heads_guard BEFORE UPDATE OR DELETE ON crm_call_chain_heads
      FOR EACH ROW EXECUTE FUNCTION crm_call_chain_heads_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER crm_call_chain_heads_guard ON crm_call_chain_heads`);
    await q.query(`DROP FUNCTION crm_call_chain_heads_guard()`);
    await q.query(`DROP TABLE crm_call_chain_heads`);
    await q.query(`DROP TRIGGER crm_calls_unsealed_insert ON crm_calls`);
    await q.query(`DROP FUNCTION crm_calls_unsealed_insert()`);
    await q.query(`DROP TRIGGER crm_calls_sealed_guard ON crm_calls`);
    await q.query(`DROP FUNCTION crm_calls_sealed_guard()`);
    await q.query(`DROP INDEX crm_calls_unsealed_idx`);
    await q.query(`DROP INDEX crm_calls_chain_idx`);
    await q.query(
      `ALTER TABLE crm_calls DROP COLUMN sealed_at, DROP COLUMN row_hash, DROP COLUMN prev_hash, DROP COLUMN chain_seq`,
    );
  }
}
