import type { UserIdStore } from '@onbehalf/crm-auth';
import type { DataSource } from 'typeorm';
import { UserMappingEntity } from './user-mapping.entity';

/**
 * A CrmSession UserIdStore over the org's `user_mappings` rows, so the session's cache and the
 * console's view are one. Writes go through UserMappingsService (which also records the name).
 */
export function userIdStoreFor(db: DataSource, orgId: string): UserIdStore {
  return {
    async get(puid) {
      const row = await db.getRepository(UserMappingEntity).findOne({ where: { orgId, puid: puid.toUpperCase() } });
      if (!row) return undefined;
      return row.status === 'found' && row.systemUserId
        ? { userId: row.systemUserId, expiresAt: row.expiresAt.getTime() }
        : { negative: true, expiresAt: row.expiresAt.getTime() };
    },
    async set() {
      // UserMappingsService writes the row itself, with the user's name.
    },
    async delete(puid) {
      await db.getRepository(UserMappingEntity).delete({ orgId, puid: puid.toUpperCase() });
    },
  };
}
