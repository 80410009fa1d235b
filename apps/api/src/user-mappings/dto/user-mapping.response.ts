import { ApiProperty } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import type { UserMappingsService, UserMappingView } from '../user-mappings.service';

export class UserMappingDto {
  @ApiProperty({ type: String, description: 'HexPUID (Windows Live)' })
  puid: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  systemUserId: string | null;

  @ApiProperty({ type: String, nullable: true })
  fullName: string | null;

  @ApiProperty({ enum: ['found', 'not-found'] })
  status: 'found' | 'not-found';

  @ApiProperty({ type: String, format: 'date-time' })
  verifiedAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ type: Number })
  hits: number;

  @ApiProperty({ type: Number })
  misses: number;
}

export class UserMappingStatsDto {
  @ApiProperty({ type: Number })
  hits: number;

  @ApiProperty({ type: Number })
  misses: number;

  @ApiProperty({ type: Number })
  entries: number;
}

export class UserMappingListDto {
  @ApiProperty({ type: () => UserMappingDto, isArray: true })
  items: UserMappingDto[];

  @ApiProperty({ type: () => UserMappingStatsDto })
  stats: UserMappingStatsDto;
}

export type UserMappingReplyChecks = [
  Same<SameShape<UserMappingDto, UserMappingView>>,
  Same<SameShape<UserMappingListDto, Awaited<ReturnType<UserMappingsService['list']>>>>,
];
