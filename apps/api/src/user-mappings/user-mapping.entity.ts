import { Column, Entity, PrimaryColumn } from 'typeorm';

/** PUID → CRM systemuserid, per org. `not-found` rows are negative entries with a shorter TTL. */
@Entity({ name: 'user_mappings' })
export class UserMappingEntity {
  @PrimaryColumn('uuid', { name: 'org_id' })
  orgId: string;

  @PrimaryColumn('text')
  puid: string;

  @Column('uuid', { name: 'system_user_id', nullable: true })
  systemUserId: string | null;

  @Column('text', { name: 'full_name', nullable: true })
  fullName: string | null;

  @Column('text')
  status: 'found' | 'not-found';

  @Column('timestamptz', { name: 'verified_at', default: () => 'now()' })
  verifiedAt: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;

  @Column('bigint')
  hits: string;

  @Column('bigint')
  misses: string;
}
