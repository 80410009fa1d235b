import { ApiProperty } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import { UserDto } from '../../auth/dto/session.response';
import type { AdminUserView } from '../admin-users.service';

export class AdminUserDto extends UserDto {
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt: string | null;
}

export class AdminUserListDto {
  @ApiProperty({ type: () => AdminUserDto, isArray: true })
  items: AdminUserDto[];
}

export type AdminUserReplyChecks = [Same<SameShape<AdminUserDto, AdminUserView>>];
