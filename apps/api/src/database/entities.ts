import { AdminAuditLogEntity } from '../admin-audit/admin-audit-log.entity';
import { AdminUserEntity } from '../auth/admin-user.entity';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { SessionEntity } from '../auth/session.entity';

/** Every TypeORM entity of the API. */
export const ENTITIES = [AdminUserEntity, SessionEntity, ApiKeyEntity, AdminAuditLogEntity];
