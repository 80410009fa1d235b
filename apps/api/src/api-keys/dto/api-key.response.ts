import { ApiProperty } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import type { ApiKeyView, CreatedApiKey } from '../api-keys.service';

export class ApiKeyDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String, description: 'The start of the key, to tell keys apart.' })
  prefix: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;
}

export class ApiKeyListDto {
  @ApiProperty({ type: () => ApiKeyDto, isArray: true })
  items: ApiKeyDto[];
}

export class CreatedApiKeyDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String, description: 'The only time the key is shown; only its SHA-256 is stored.' })
  key: string;

  @ApiProperty({ type: String })
  prefix: string;
}

export type ApiKeyReplyChecks = [
  Same<SameShape<ApiKeyDto, ApiKeyView>>,
  Same<SameShape<CreatedApiKeyDto, CreatedApiKey>>,
];
