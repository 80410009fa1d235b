import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import type { Role } from '../../common/principal';
import { IsDisplayName } from '../../common/display-name';

export const ROLES: readonly Role[] = ['admin', 'auditor'];
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateAdminUserDto {
  @ApiProperty({ example: 'ada@contoso-isv.example' })
  @Transform(trim)
  @IsString()
  // Single-label hosts (admin@localhost) are valid sign-in names for a self-hosted console.
  @IsEmail({ require_tld: false })
  @MaxLength(320)
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsDisplayName()
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({ minLength: PASSWORD_MIN, description: 'Hashed with argon2id; never returned or logged' })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password: string;
}
