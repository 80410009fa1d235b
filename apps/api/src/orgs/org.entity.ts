import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

import type { OrgStatus } from './org.types';

export type { OrgStatus };

/** A customer's CRM Online organization that the ISV serves. */
@Entity({ name: 'orgs' })
export class OrgEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { name: 'discovery_url' })
  discoveryUrl: string;

  @Column('text', { name: 'friendly_name' })
  friendlyName: string;

  @Column('text', { name: 'organization_name', nullable: true })
  organizationName: string | null;

  @Column('uuid', { name: 'organization_id', nullable: true })
  organizationId: string | null;

  @Column('text', { name: 'crm_service_url', nullable: true })
  crmServiceUrl: string | null;

  @Column('text', { name: 'crm_metadata_service_url', nullable: true })
  crmMetadataServiceUrl: string | null;

  @Column('text', { name: 'web_application_url', nullable: true })
  webApplicationUrl: string | null;

  @Column('text', { nullable: true })
  policy: string | null;

  @Column('uuid', { name: 'certificate_id' })
  certificateId: string;

  @Column('uuid', { name: 'staged_certificate_id', nullable: true })
  stagedCertificateId: string | null;

  @Column('text')
  status: OrgStatus;

  @Column('uuid', { name: 'service_account_user_id', nullable: true })
  serviceAccountUserId: string | null;

  @Column('text', { name: 'service_account_name', nullable: true })
  serviceAccountName: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
