import { ApiProperty } from '@nestjs/swagger';
import { CertificateSummaryDto } from '../../certificates/dto/certificate.response';
import type { OrgStatus } from '../../orgs/org.types';
import { ORG_STATUS_VALUES } from '../../orgs/dto/org.response';
import { BREAKER_STATE_VALUES, TicketSummaryDto } from '../../tickets/dto/ticket.response';

export class OverviewOrgDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  friendlyName: string;

  @ApiProperty({ type: String, nullable: true })
  organizationName: string | null;

  @ApiProperty({ enum: ORG_STATUS_VALUES, enumName: 'OrgStatus' })
  status: OrgStatus;

  @ApiProperty({ type: () => TicketSummaryDto, nullable: true })
  ticket: TicketSummaryDto | null;

  @ApiProperty({ type: () => CertificateSummaryDto, nullable: true })
  certificate: CertificateSummaryDto | null;

  @ApiProperty({ type: Number })
  calls24h: number;

  @ApiProperty({ type: Number })
  failures24h: number;

  @ApiProperty({ type: Number })
  expiredFaults24h: number;

  @ApiProperty({ enum: BREAKER_STATE_VALUES, enumName: 'BreakerState' })
  breaker: (typeof BREAKER_STATE_VALUES)[number];

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
