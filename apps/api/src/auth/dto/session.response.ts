import { ApiProperty } from '@nestjs/swagger';
import { type Same, type SameShape } from '../../common/api-responses';
import type { Role } from '../../common/principal';
import type { PublicUser, SessionView } from '../auth.service';

export const ROLE_VALUES = ['admin', 'auditor'] as const;

/** The signed-in administrator or auditor. */
export class UserDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ type: String })
  email: string;

  @ApiProperty({ type: String })
  name: string;

  @ApiProperty({ enum: ROLE_VALUES, enumName: 'Role' })
  role: Role;
}

/** POST /auth/login and GET /auth/me. */
export class SessionDto {
  @ApiProperty({ type: () => UserDto })
  user: UserDto;

  @ApiProperty({
    type: String,
    description: 'Sent back in X-CSRF-Token on every write made with the session.',
  })
  csrfToken: string;

  @ApiProperty({ type: String, format: 'date-time' })
  sessionExpiresAt: string;
}

export type SessionReplyChecks = [
  Same<SameShape<(typeof ROLE_VALUES)[number], Role>>,
  Same<SameShape<UserDto, PublicUser>>,
  Same<SameShape<SessionDto, SessionView>>,
];
