import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import type { StoredChainLink } from '../certificate.entity';
import type { CertificateStatus } from '../certificate-status';
import type { CertificateUser } from '../certificates.repository';
import type { CertificateSummary, CertificateView } from '../certificates.service';

export const CERTIFICATE_STATUS_VALUES = ['valid', 'expiring', 'invalid'] as const;

export class CertificateProblemDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ enum: ['error', 'warning'] })
  severity: 'error' | 'warning';

  @ApiProperty({ type: String })
  message: string;
}

export class ChainLinkDto {
  @ApiProperty({ type: String })
  subject: string;

  @ApiProperty({ type: String })
  issuer: string;

  @ApiProperty({ type: String })
  thumbprintSha1Hex: string;

  @ApiPropertyOptional({ type: String })
  thumbprintSha1Base64?: string;

  @ApiProperty({ type: String, format: 'date-time' })
  notBefore: string;

  @ApiProperty({ type: String, format: 'date-time' })
  notAfter: string;

  @ApiProperty({ type: Boolean })
  isRoot: boolean;

  @ApiProperty({ type: Boolean })
  isPinned: boolean;
}

/** An org that uses the certificate, as its active or its staged one. */
export class CertificateUserDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  friendlyName: string;

  @ApiProperty({ enum: ['active', 'staged'] })
  role: 'active' | 'staged';
}

/** What the overview shows of an org's certificate. */
export class CertificateSummaryDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String, format: 'date-time' })
  notAfter: string;

  @ApiProperty({ type: Number })
  daysToExpiry: number;

  @ApiProperty({ enum: CERTIFICATE_STATUS_VALUES, enumName: 'CertificateStatus' })
  status: CertificateStatus;
}

export class CertificateDto extends CertificateSummaryDto {
  @ApiProperty({ type: String })
  serviceAccountLiveId: string;

  @ApiProperty({ type: String })
  subject: string;

  @ApiProperty({ type: String })
  issuer: string;

  @ApiProperty({ type: String })
  serialNumber: string;

  @ApiProperty({ type: String })
  thumbprintSha1Hex: string;

  @ApiProperty({ type: String })
  thumbprintSha1Base64: string;

  @ApiProperty({ type: String })
  thumbprintSha256: string;

  @ApiProperty({ type: String, format: 'date-time' })
  notBefore: string;

  @ApiProperty({ type: () => CertificateProblemDto, isArray: true })
  problems: CertificateProblemDto[];

  @ApiProperty({ type: () => ChainLinkDto, isArray: true })
  chain: ChainLinkDto[];

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ type: () => CertificateUserDto, isArray: true })
  orgs?: CertificateUserDto[];
}

export class CertificateListDto {
  @ApiProperty({ type: () => CertificateDto, isArray: true })
  items: CertificateDto[];
}

export type CertificateReplyChecks = [
  Same<SameShape<(typeof CERTIFICATE_STATUS_VALUES)[number], CertificateStatus>>,
  Same<SameShape<ChainLinkDto, StoredChainLink>>,
  Same<SameShape<CertificateUserDto, CertificateUser>>,
  Same<SameShape<CertificateSummaryDto, CertificateSummary>>,
  Same<SameShape<CertificateDto, CertificateView>>,
];
