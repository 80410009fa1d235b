import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../auth/api-key-scopes';
import { type Same, type SameShape } from '../../common/api-responses';
import type { ApiKeyView, CreatedApiKey } from '../api-keys.service';

export class ApiKeyDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ type: String, description: 'The start of the key, to tell keys apart.' })
  prefix: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes: ApiKeyScope[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    isArray: true,
    description: 'The orgs a `calls` key may act on.',
  })
  orgIds: string[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    isArray: true,
    description:
      'The ids in `orgIds` whose org has since been deleted. Org ids are never reused, so the key gains no ' +
      'access; replace it with a key for the orgs that remain.',
  })
  deletedOrgIds: string[];

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The address the key was last used from.' })
  lastUsedIp: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;

  @ApiProperty({
    type: Boolean,
    description: 'Created before scopes existed and made `admin`: replace it with a scoped key.',
  })
  legacy: boolean;
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

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes: ApiKeyScope[];

  @ApiProperty({ type: String, format: 'uuid', isArray: true })
  orgIds: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;
}

export type ApiKeyReplyChecks = [
  Same<SameShape<ApiKeyDto, ApiKeyView>>,
  Same<SameShape<CreatedApiKeyDto, CreatedApiKey>>,
];
