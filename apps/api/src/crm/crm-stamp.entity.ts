import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface StampRef {
  id: string;
  name: string | null;
}

/**
 * The createdby / createdonbehalfby / … stamps that CRM itself holds for a record. Reconciliation writes them
 * (LedgerRepository); the audit explorer shows them next to each call (through LedgerService).
 */
@Entity({ name: 'crm_stamps' })
export class CrmStampEntity {
  @PrimaryColumn('uuid', { name: 'org_id' })
  orgId: string;

  @PrimaryColumn('text')
  entity: string;

  @PrimaryColumn('uuid', { name: 'record_id' })
  recordId: string;

  @Column('jsonb', { nullable: true })
  createdby: StampRef | null;

  @Column('jsonb', { nullable: true })
  createdonbehalfby: StampRef | null;

  @Column('jsonb', { nullable: true })
  modifiedby: StampRef | null;

  @Column('jsonb', { nullable: true })
  modifiedonbehalfby: StampRef | null;

  @Column('jsonb', { nullable: true })
  ownerid: StampRef | null;

  @Column('timestamptz', { nullable: true })
  createdon: Date | null;

  @Column('timestamptz', { nullable: true })
  modifiedon: Date | null;

  @Column('boolean', { name: 'exists_in_crm' })
  existsInCrm: boolean;

  @Column('timestamptz', { name: 'pulled_at', default: () => 'now()' })
  pulledAt: Date;
}
