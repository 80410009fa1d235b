import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An org's current tickets, sealed at rest. `generation` grows with every refresh. */
@Entity({ name: 'tickets' })
export class TicketEntity {
  @PrimaryColumn('uuid', { name: 'org_id' })
  orgId: string;

  @Column('bigint')
  generation: string;

  @Column('bytea', { name: 'passport_ticket_enc', nullable: true, select: false })
  passportTicketEnc: Buffer | null;

  @Column('timestamptz', { name: 'passport_issued_at', nullable: true })
  passportIssuedAt: Date | null;

  @Column('timestamptz', { name: 'passport_expires_at', nullable: true })
  passportExpiresAt: Date | null;

  @Column('bytea', { name: 'crm_ticket_enc', nullable: true, select: false })
  crmTicketEnc: Buffer | null;

  @Column('timestamptz', { name: 'crm_issued_at', nullable: true })
  crmIssuedAt: Date | null;

  @Column('timestamptz', { name: 'crm_expires_at', nullable: true })
  crmExpiresAt: Date | null;

  @Column('text', { name: 'kek_id', nullable: true })
  kekId: string | null;

  @Column('int', { name: 'refresh_count' })
  refreshCount: number;

  @Column('timestamptz', { name: 'last_refresh_at', nullable: true })
  lastRefreshAt: Date | null;

  @Column('int', { name: 'last_refresh_latency_ms', nullable: true })
  lastRefreshLatencyMs: number | null;

  @Column('text', { name: 'last_error_code', nullable: true })
  lastErrorCode: string | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
