import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';

export class OnBehalfOfDto {
  @ApiPropertyOptional({ example: '0003BFFD8F3A5B21', description: "The user's HexPUID (Windows Live)" })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9A-Fa-f]{16}$/, { message: 'onBehalfOf.puid must be 16 hexadecimal digits (HexPUID)' })
  puid?: string;

  @ApiPropertyOptional({ description: "The user's CRM systemuserid" })
  @IsOptional()
  @IsUUID('all', { message: 'onBehalfOf.userId must be a UUID' })
  userId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "Dataverse orgs only: the user's Entra ID object id (sent as CallerObjectId)",
  })
  @IsOptional()
  @IsUUID('all', { message: 'onBehalfOf.entraObjectId must be a UUID' })
  entraObjectId?: string;
}

export class WriteRecordDto {
  @ApiPropertyOptional({
    example: { name: 'Fourth Coffee' },
    description: 'Attribute values: strings, numbers, booleans, or lookups {id, type}',
  })
  @IsObject()
  attributes: Record<string, unknown>;

  @ApiPropertyOptional({ type: OnBehalfOfDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OnBehalfOfDto)
  onBehalfOf?: OnBehalfOfDto;
}

export class WhoAmIDto {
  @ApiPropertyOptional({ type: OnBehalfOfDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OnBehalfOfDto)
  onBehalfOf?: OnBehalfOfDto;
}
