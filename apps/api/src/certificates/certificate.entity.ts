import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface StoredProblem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface StoredChainLink {
  subject: string;
  issuer: string;
  thumbprintSha1Hex: string;
  thumbprintSha1Base64?: string;
  notBefore: string;
  notAfter: string;
  isRoot: boolean;
  isPinned: boolean;
}

/** A service-account certificate. The private key is sealed (SecretBox) and never leaves the API. */
@Entity({ name: 'certificates' })
export class CertificateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'service_account_live_id' })
  serviceAccountLiveId: string;

  @Column('text')
  subject: string;

  @Column('text')
  issuer: string;

  @Column('text', { name: 'serial_number' })
  serialNumber: string;

  @Column('text', { name: 'thumbprint_sha1_hex' })
  thumbprintSha1Hex: string;

  @Column('text', { name: 'thumbprint_sha1_base64' })
  thumbprintSha1Base64: string;

  @Column('text', { name: 'thumbprint_sha256' })
  thumbprintSha256: string;

  @Column('timestamptz', { name: 'not_before' })
  notBefore: Date;

  @Column('timestamptz', { name: 'not_after' })
  notAfter: Date;

  @Column('text')
  status: 'valid' | 'expiring' | 'invalid';

  @Column('jsonb')
  problems: StoredProblem[];

  @Column('jsonb')
  chain: StoredChainLink[];

  @Column('text', { name: 'certificate_pem' })
  certificatePem: string;

  @Column('text', { name: 'chain_pem' })
  chainPem: string;

  @Column('bytea', { name: 'private_key_enc', select: false })
  privateKeyEnc: Buffer;

  @Column('text', { name: 'kek_id' })
  kekId: string;

  @Column('int', { name: 'expiry_warned_days', nullable: true })
  expiryWarnedDays: number | null;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
