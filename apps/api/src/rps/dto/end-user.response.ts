import { ApiProperty } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import type { ActingAs } from '../../crm/crm-calls.service';
import type { RecordStamps } from '../../crm/reconcile.service';
import type { EndUser } from '../end-user-session';

/** GET /rps/me: the Live user signed in for "test as an end user". */
export class EndUserDto {
  @ApiProperty({ type: String, description: 'HexPUID' })
  puid: string;

  @ApiProperty({ type: String })
  liveId: string;

  @ApiProperty({ type: String, nullable: true })
  firstName: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastName: string | null;

  @ApiProperty({ type: String, format: 'uuid' })
  orgId: string;

  @ApiProperty({ type: Number, description: 'When the end-user session ends, in epoch milliseconds.' })
  expiresAt: number;
}

/** The CRM user a call acted for. */
export class ActingAsDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ type: String, nullable: true })
  puid: string | null;
}

/** A stamp CRM set on the record: the CRM user it names. */
export class StampDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;
}

export class RecordStampsDto {
  @ApiProperty({ type: () => StampDto, nullable: true })
  createdby: StampDto | null;

  @ApiProperty({ type: () => StampDto, nullable: true })
  createdonbehalfby: StampDto | null;

  @ApiProperty({ type: () => StampDto, nullable: true })
  modifiedby: StampDto | null;

  @ApiProperty({ type: () => StampDto, nullable: true })
  modifiedonbehalfby: StampDto | null;

  @ApiProperty({ type: () => StampDto, nullable: true })
  ownerid: StampDto | null;
}

/** POST /rps/records/:entity: the record, and CRM's stamps on it (null when they could not be read). */
export class EndUserRecordDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  ledgerId: string;

  @ApiProperty({ type: () => ActingAsDto, nullable: true })
  actingAs: ActingAsDto | null;

  @ApiProperty({ type: () => RecordStampsDto, nullable: true })
  stamps: RecordStampsDto | null;
}

export type EndUserReplyChecks = [
  Same<SameShape<EndUserDto, EndUser>>,
  Same<SameShape<ActingAsDto, ActingAs>>,
  Same<SameShape<RecordStampsDto, RecordStamps>>,
];
