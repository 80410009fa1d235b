import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

import type { OrgKind, OrgStatus } from './org.types';

export type { OrgKind, OrgStatus };

/**
 * A customer's organization that the ISV serves: CRM 4.0 Online (`crm4`: found through its discovery service) or
 * Dataverse (`dataverse`: an environment of an Entra tenant, reached with the ISV app's token). The database's
 * CHECK requires each kind's own columns (DataverseOrgs1732502200000).
 */
@Entity({ name: 'orgs' })
export class OrgEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text', { default: 'crm4' })
  kind: OrgKind;

  /** CRM 4.0 only. */
  @Column('text', { name: 'discovery_url', nullable: true })
  discoveryUrl: string | null;

  /** Dataverse only: the customer's tenant (id or domain). */
  @Column('text', { nullable: true })
  tenant: string | null;

  /** Dataverse only: the environment, e.g. `https://contoso.crm.dynamics.com`. */
  @Column('text', { name: 'environment_url', nullable: true })
  environmentUrl: string | null;

  /** Dataverse only: the ISV app's client id. */
  @Column('uuid', { name: 'client_id', nullable: true })
  clientId: string | null;

  /** Dataverse only: the application user's Entra object id, as onboarding read it (its systemuserid is the service account's). */
  @Column('uuid', { name: 'app_user_entra_object_id', nullable: true })
  appUserEntraObjectId: string | null;

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
