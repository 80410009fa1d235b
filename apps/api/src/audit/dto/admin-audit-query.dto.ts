import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, blankAsAbsent, toLimit } from './audit-query.dto';

export const ADMIN_AUDIT_OUTCOMES = ['success', 'failure'] as const;

export class AdminAuditQueryDto {
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

  @ApiPropertyOptional({
    example: '2025-01-01',
    description: 'Inclusive lower bound on the time (ISO 8601; no zone means UTC)',
  })
  @Transform(blankAsAbsent)
  @IsOptional()
  // Parsed (and refused with INVALID_DATE) by AuditService, like the ledger's.
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({
    example: '2025-01-31',
    description: 'Upper bound: exclusive for a date-time; a date alone includes that whole day (UTC)',
  })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

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
