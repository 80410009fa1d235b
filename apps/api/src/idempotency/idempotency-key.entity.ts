import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Where a keyed request stands: its first call is still running (or was cut off), or its reply is kept. */
export type KeyState = 'in_flight' | 'completed';

/**
 * One `Idempotency-Key` of an org (issue 13): written `in_flight` before the CRM call, with the record id
 * chosen for a Create and the ledger row of the call, and `completed` with the reply once the call is done.
 * Kept 24 hours (`expires_at`), then purged.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn('uuid', { name: 'org_id' })
  orgId: string;

  @PrimaryColumn('text')
  key: string;

  @Column('text', { name: 'request_hash' })
  requestHash: string;

  @Column('text')
  state: KeyState;

  @Column('uuid', { name: 'record_id', nullable: true })
  recordId: string | null;

  @Column('uuid', { name: 'ledger_id', nullable: true })
  ledgerId: string | null;

  @Column('text', { name: 'owner_instance' })
  ownerInstance: string;

  @Column('uuid', { name: 'owner_boot' })
  ownerBoot: string;

  @Column('int')
  attempt: number;

  @Column('timestamptz', { name: 'lease_until' })
  leaseUntil: Date;

  @Column('int', { name: 'reply_status', nullable: true })
  replyStatus: number | null;

  @Column('jsonb', { name: 'reply_body', nullable: true })
  replyBody: Record<string, unknown> | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt: Date | null;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;
}
