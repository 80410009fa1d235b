import { ApiProperty, PickType } from '@nestjs/swagger';
import { CertificateSummaryDto } from '../../certificates/dto/certificate.response';
import { OrgDto } from '../../orgs/dto/org.response';

/**
 * One org on the overview: the fields it shares with the orgs context's OrgDto are picked from it (one source
 * for their types and their OpenAPI), plus the overview's own: the certificate, the last day's calls and what
 * needs attention.
 */
export class OverviewOrgDto extends PickType(OrgDto, [
  'id',
  'friendlyName',
  'organizationName',
  'status',
  'ticket',
  'breaker',
] as const) {
  @ApiProperty({ type: () => CertificateSummaryDto, nullable: true })
  certificate: CertificateSummaryDto | null;

  @ApiProperty({ type: Number })
  calls24h: number;

  @ApiProperty({ type: Number })
  failures24h: number;

  @ApiProperty({ type: Number })
  expiredFaults24h: number;

  @ApiProperty({ type: String, isArray: true, description: 'What needs attention, one line each.' })
  attention: string[];
}

export class OverviewTotalsDto {
  @ApiProperty({ type: Number })
  orgs: number;

  @ApiProperty({ type: Number })
  active: number;

  @ApiProperty({ type: Number })
  failing: number;

  @ApiProperty({ type: Number })
  certificatesExpiring: number;
}

/** GET /overview: every org, the ones that need attention first. */
export class OverviewDto {
  @ApiProperty({ type: () => OverviewOrgDto, isArray: true })
  orgs: OverviewOrgDto[];

  @ApiProperty({ type: () => OverviewTotalsDto })
  totals: OverviewTotalsDto;
}
