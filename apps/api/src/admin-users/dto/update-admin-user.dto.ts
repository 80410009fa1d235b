import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { Role } from '../../common/principal';
import { PASSWORD_MAX, PASSWORD_MIN, ROLES } from './create-admin-user.dto';
import { IsDisplayName } from '../../common/display-name';

export class UpdateAdminUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsDisplayName()
  name?: string;

  @ApiPropertyOptional({ enum: ROLES, description: "A change revokes the user's sessions" })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ minLength: PASSWORD_MIN, description: "A change revokes the user's other sessions" })
  @IsOptional()
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password?: string;
}
