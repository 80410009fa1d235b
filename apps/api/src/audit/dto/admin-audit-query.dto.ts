import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  AUDIT_PAGE_DEFAULT,
  AUDIT_PAGE_MAX,
  blankAsAbsent,
  DateRangeQueryDto,
  toLimit,
} from './audit-query.dto';

export const ADMIN_AUDIT_OUTCOMES = ['success', 'failure'] as const;

export class AdminAuditQueryDto extends DateRangeQueryDto {
  @ApiPropertyOptional({ example: 'admin-user.create', description: 'Action name (exact)' })
  @Transform(blankAsAbsent)
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/, {
    message: 'action must be an action name (letters, digits, ".", "_", ":", "-"; at most 80)',
  })
  action?: string;

  @ApiPropertyOptional({ description: "The actor's email (case-insensitive, exact)" })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(320, { message: 'actor must be an email of at most 320 characters' })
  actor?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId?: string;

  @ApiPropertyOptional({ enum: ADMIN_AUDIT_OUTCOMES })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsIn(ADMIN_AUDIT_OUTCOMES, { message: 'outcome must be success or failure' })
  outcome?: 'success' | 'failure';

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (opaque)' })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: AUDIT_PAGE_DEFAULT })
  @Transform(toLimit)
  @IsOptional()
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(AUDIT_PAGE_MAX)
  limit?: number;
}
