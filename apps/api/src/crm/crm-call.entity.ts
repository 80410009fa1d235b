import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

import type { CallOutcome, Reconciliation } from './ledger.types';

export type { CallOutcome, Reconciliation };

/**
 * The ledger: one row per CRM call, written as `pending` before the call is sent and
 * completed after, so a crash leaves a visible pending row, never a silent gap.
 */
@Entity({ name: 'crm_calls' })
export class CrmCallEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'org_id' })
  orgId: string;

  @Column('timestamptz', { default: () => 'now()' })
  at: Date;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt: Date | null;

  @Column('text')
  operation: string;

  @Column('text', { nullable: true })
  entity: string | null;

  @Column('uuid', { name: 'record_id', nullable: true })
  recordId: string | null;

  @Column('uuid', { name: 'service_account_id', nullable: true })
  serviceAccountId: string | null;

  @Column('text', { name: 'service_account_name', nullable: true })
  serviceAccountName: string | null;

  @Column('uuid', { name: 'on_behalf_of_id', nullable: true })
  onBehalfOfId: string | null;

  @Column('text', { name: 'on_behalf_of_name', nullable: true })
  onBehalfOfName: string | null;

  @Column('text', { name: 'on_behalf_of_puid', nullable: true })
  onBehalfOfPuid: string | null;

  @Column('text')
  outcome: CallOutcome;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode: string | null;

  @Column('text', { name: 'error_message', nullable: true })
  errorMessage: string | null;

  @Column('int', { name: 'latency_ms', nullable: true })
  latencyMs: number | null;

  @Column('text', { name: 'request_id', nullable: true })
  requestId: string | null;

  @Column('text', { nullable: true })
  caller: string | null;

  @Column('text', { nullable: true })
  instance: string | null;

  @Column('text')
  reconciliation: Reconciliation;

  @Column('text', { name: 'reconciliation_note', nullable: true })
  reconciliationNote: string | null;
}
