import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export const OUTCOMES = ['pending', 'completed', 'failed'] as const;
export const RECONCILIATIONS = ['match', 'mismatch', 'missing', 'not-stamped', 'unverified'] as const;
export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 500;

/** An empty parameter (`?orgId=`) means "no filter", as a form with blank fields sends it. */
export const blankAsAbsent = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
/** Query strings are strings; a blank limit is absent, anything else must read as a whole number. */
export const toLimit = ({ value }: { value: unknown }) =>
  value === '' ? undefined : typeof value === 'string' ? Number(value) : value;

const list = (values: readonly string[]) => new RegExp(`^(${values.join('|')})(,(${values.join('|')}))*$`);

/**
 * The period of a search, shared by the ledger's and the admin log's queries. Parsed (and refused with
 * INVALID_DATE or INVALID_RANGE) by AuditService, which also knows what a bare date means.
 */
export class DateRangeQueryDto {
  @ApiPropertyOptional({
    example: '2025-01-01',
    description: 'Inclusive lower bound on the time (ISO 8601; no zone means UTC)',
  })
  @Transform(blankAsAbsent)
  @IsOptional()
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
}

/** Filters of the ledger search and of its CSV export. Every value is validated before it reaches SQL. */
export class AuditFilterDto extends DateRangeQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsUUID('all', { message: 'orgId must be a UUID' })
  orgId?: string;

  @ApiPropertyOptional({
    description: 'Service account: its CRM systemuserid (UUID) or its name (case-insensitive, exact)',
  })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({
    description:
      "The user acted for: a CRM systemuserid (UUID, exact), a PUID (16 hex digits, exact), or else a case-insensitive substring of the user's full name",
  })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  onBehalfOf?: string;

  @ApiPropertyOptional({
    example: 'account',
    description: 'CRM entity logical name (exact, case-insensitive)',
  })
  @Transform(blankAsAbsent)
  @IsOptional()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { message: 'entity must be a CRM entity logical name' })
  entity?: string;

  @ApiPropertyOptional({ description: `One or more of ${OUTCOMES.join(', ')} (comma-separated)` })
  @Transform(blankAsAbsent)
  @IsOptional()
  @Matches(list(OUTCOMES), {
    message: `outcome must be one or more of ${OUTCOMES.join(', ')}, comma-separated`,
  })
  outcome?: string;

  @ApiPropertyOptional({ description: `One or more of ${RECONCILIATIONS.join(', ')} (comma-separated)` })
  @Transform(blankAsAbsent)
  @IsOptional()
  @Matches(list(RECONCILIATIONS), {
    message: `reconciliation must be one or more of ${RECONCILIATIONS.join(', ')}, comma-separated`,
  })
  reconciliation?: string;
}

export class AuditQueryDto extends AuditFilterDto {
  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (opaque)' })
  @Transform(blankAsAbsent)
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: AUDIT_PAGE_MAX, default: AUDIT_PAGE_DEFAULT })
  @Transform(toLimit)
  @IsOptional()
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(AUDIT_PAGE_MAX)
  limit?: number;
}
