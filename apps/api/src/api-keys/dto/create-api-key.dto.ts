import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../auth/api-key-scopes';
import { IsDisplayName } from '../../common/display-name';

export class CreateApiKeyDto {
  @ApiProperty({
    example: 'ERP nightly sync',
    description: 'What the key is for, so that it can be revoked knowingly',
  })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsDisplayName()
  name: string;

  @ApiProperty({
    enum: API_KEY_SCOPES,
    isArray: true,
    example: ['calls'],
    description:
      'What the key may do: `calls` (impersonated calls on `orgIds`), `audit:read`, `metrics:read` (the ' +
      'Prometheus scrape target), `admin`. Required: a key gets no power it was not given by name.',
  })
  @IsArray({ message: `scopes must be a list of ${API_KEY_SCOPES.join(', ')}` })
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes: ApiKeyScope[];

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    isArray: true,
    description:
      'The orgs a `calls` key may act on (required with `calls`, refused without it). Each must exist ' +
      '(400 API_KEY_UNKNOWN_ORG); an id given twice, in any case, counts once.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  orgIds?: string[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the key stops working (401 API_KEY_EXPIRED); omitted or null: never.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string | null;
}
