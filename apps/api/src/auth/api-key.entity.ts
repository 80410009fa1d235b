import type { ApiKeyScope } from './api-key-scopes';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A machine caller's key. Only its hash is stored; the key itself is shown once at creation. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('bytea', { name: 'key_hash' })
  keyHash: Buffer;

  @Column('text')
  prefix: string;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  /** What the key may do (see api-key-scopes.ts). Keys made before scopes existed were given `admin`. */
  @Column('text', { array: true })
  scopes: ApiKeyScope[];

  /** The orgs a `calls` key may act on; empty for keys without `calls`. */
  @Column('uuid', { name: 'org_ids', array: true })
  orgIds: string[];

  /** After this the key is refused (401 API_KEY_EXPIRED); null: it never expires. */
  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('text', { name: 'last_used_ip', nullable: true })
  lastUsedIp: string | null;

  /** Created before scopes existed (made `admin` by the migration): the console asks to replace it. */
  @Column('boolean')
  legacy: boolean;
}
