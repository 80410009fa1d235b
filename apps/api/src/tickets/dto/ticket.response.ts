import { ApiProperty } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import type { TicketEventType } from '../ticket-event.entity';
import type { TicketHealthService, TicketSummary } from '../ticket-health.service';
import type { TicketsService } from '../tickets.service';

export const TICKET_STATE_VALUES = ['valid', 'expiring', 'expired', 'missing', 'failing'] as const;
export const TICKET_EVENT_TYPE_VALUES = ['issued', 'refreshed', 'expired-fault', 'failure'] as const;
export const BREAKER_STATE_VALUES = ['closed', 'open', 'half-open'] as const;
type BreakerState = ReturnType<TicketsService['breakerState']>;

export class TicketSummaryDto {
  @ApiProperty({ enum: TICKET_STATE_VALUES, enumName: 'TicketState' })
  state: TicketSummary['state'];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  crmTicketExpiresAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  passportTicketExpiresAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  issuedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastRefreshAt: string | null;

  @ApiProperty({ type: Number, nullable: true })
  lastRefreshLatencyMs: number | null;

  @ApiProperty({ type: Number })
  refreshCount: number;

  @ApiProperty({ type: Number })
  expiredFaults24h: number;

  @ApiProperty({ type: Number })
  failures24h: number;

  @ApiProperty({ type: String, nullable: true })
  lastErrorCode: string | null;
}

export class TicketEventDto {
  @ApiProperty({ type: String })
  id: string;

  @ApiProperty({ enum: TICKET_EVENT_TYPE_VALUES, enumName: 'TicketEventType' })
  type: TicketEventType;

  @ApiProperty({ type: String, format: 'date-time' })
  at: string;

  @ApiProperty({ type: Number, nullable: true })
  latencyMs: number | null;

  @ApiProperty({ type: String, nullable: true })
  errorCode: string | null;
}

/** One hour of ticket events. */
export class TicketSeriesBucketDto {
  @ApiProperty({ type: String, format: 'date-time' })
  bucketStart: string;

  @ApiProperty({ type: Number })
  issued: number;

  @ApiProperty({ type: Number })
  refreshed: number;

  @ApiProperty({ type: Number })
  expiredFaults: number;

  @ApiProperty({ type: Number })
  failures: number;
}

/** GET /orgs/:id/ticket-health: the last 200 events and 48 hours of hourly counts. */
export class TicketHealthDto {
  @ApiProperty({ type: String, format: 'uuid' })
  orgId: string;

  @ApiProperty({ type: () => TicketSummaryDto, nullable: true })
  ticket: TicketSummaryDto | null;

  @ApiProperty({ type: () => TicketEventDto, isArray: true })
  events: TicketEventDto[];

  @ApiProperty({ type: () => TicketSeriesBucketDto, isArray: true })
  series: TicketSeriesBucketDto[];

  @ApiProperty({ enum: BREAKER_STATE_VALUES, enumName: 'BreakerState' })
  breaker: BreakerState;
}

export class OrgTicketHealthDto {
  @ApiProperty({ type: String, format: 'uuid' })
  orgId: string;

  @ApiProperty({ type: String })
  friendlyName: string;

  @ApiProperty({ type: () => TicketSummaryDto, nullable: true })
  ticket: TicketSummaryDto | null;

  @ApiProperty({ enum: BREAKER_STATE_VALUES, enumName: 'BreakerState' })
  breaker: BreakerState;
}

/** GET /tickets/health: every org's ticket. */
export class TicketHealthListDto {
  @ApiProperty({ type: () => OrgTicketHealthDto, isArray: true })
  items: OrgTicketHealthDto[];
}

export type TicketReplyChecks = [
  Same<SameShape<(typeof TICKET_STATE_VALUES)[number], TicketSummary['state']>>,
  Same<SameShape<(typeof TICKET_EVENT_TYPE_VALUES)[number], TicketEventType>>,
  Same<SameShape<(typeof BREAKER_STATE_VALUES)[number], BreakerState>>,
  Same<SameShape<TicketSummaryDto, TicketSummary>>,
  Same<SameShape<TicketHealthDto, Awaited<ReturnType<TicketHealthService['health']>>>>,
  Same<SameShape<TicketHealthListDto, Awaited<ReturnType<TicketHealthService['healthAll']>>>>,
];
