import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotent Create and Update (issue 13): one row per org and `Idempotency-Key`. The row is written
 * `in_flight` (with the record id chosen for a Create, its owner instance and a lease) before CRM is called,
 * and `completed` with the reply after; a retry replays the reply, or recovers a row whose owner is gone.
 * Rows expire 24 hours after they were written and are purged by the `idempotency-purge` job.
 */
export class IdempotencyKeys1732501600000 implements MigrationInterface {
  name = 'IdempotencyKeys1732501600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_flight', 'completed')),
        record_id uuid NULL,
        ledger_id uuid NULL,
        owner_instance text NOT NULL,
        owner_boot uuid NOT NULL,
        attempt int NOT NULL DEFAULT 1,
        lease_until timestamptz NOT NULL,
        reply_status int NULL,
        reply_body jsonb NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, key),
        CONSTRAINT idempotency_keys_reply CHECK ((state = 'completed') = (reply_status IS NOT NULL AND reply_body IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
