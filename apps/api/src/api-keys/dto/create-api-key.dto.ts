import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
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
}
