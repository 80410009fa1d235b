import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type TicketEventType = 'issued' | 'refreshed' | 'expired-fault' | 'failure';

@Entity({ name: 'ticket_events' })
export class TicketEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column('uuid', { name: 'org_id' })
  orgId: string;

  @Column('text')
  type: TicketEventType;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('int', { name: 'latency_ms', nullable: true })
  latencyMs: number | null;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode: string | null;

  @Column('text', { nullable: true })
  instance: string | null;
}
