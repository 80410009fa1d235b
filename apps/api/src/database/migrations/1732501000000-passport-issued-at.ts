import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When the Passport ticket was issued, so that it is refreshed ahead of its expiry like the CRM ticket. */
export class PassportIssuedAt1732501000000 implements MigrationInterface {
  name = 'PassportIssuedAt1732501000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets ADD COLUMN passport_issued_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tickets DROP COLUMN passport_issued_at`);
  }
}
