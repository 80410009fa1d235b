import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the Admin activity page's common filters: one actor's or one org's entries, newest
 * first by id (the keyset). Without them such a page walks the primary key backwards and visits
 * every newer entry of everyone else until it has a page of matches. The actor index is on
 * lower(actor_email), the form the filter compares (case-insensitive, exact). Both are partial
 * (entries without an actor or org are never selected by these filters), so they stay small.
 */
export class AdminAuditFilters1732501300000 implements MigrationInterface {
  name = 'AdminAuditFilters1732501300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX admin_audit_log_actor_email_idx ON admin_audit_log (lower(actor_email), id DESC)
       WHERE actor_email IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX admin_audit_log_org_id_idx ON admin_audit_log (org_id, id DESC) WHERE org_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX admin_audit_log_org_id_idx`);
    await q.query(`DROP INDEX admin_audit_log_actor_email_idx`);
  }
}
