import type { Repository } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { UserMappingEntity } from './user-mapping.entity';
import { UserMappingsRepository } from './user-mappings.repository';

describe('UserMappingsRepository.listNewest', () => {
  it("reads the org's newest 500 in a transaction scoped to that org, the scope set before the read", async () => {
    const steps: unknown[] = [];
    const scoped = {
      query: async (sql: string, params: unknown[]) => void steps.push({ sql, params }),
      getRepository: (entity: unknown) => {
        expect(entity).toBe(UserMappingEntity);
        return {
          find: async (options: unknown) => {
            steps.push({ find: options });
            return [{ puid: '0003BFFD8F3A5B21' }];
          },
        };
      },
    };
    const mappings = {
      manager: { transaction: async (work: (m: unknown) => Promise<unknown>) => work(scoped) },
    } as unknown as Repository<UserMappingEntity>;
    const rows = await new UserMappingsRepository(mappings).listNewest('org-1');
    expect(rows).toEqual([{ puid: '0003BFFD8F3A5B21' }]);
    expect(steps).toEqual([
      { sql: "SELECT set_config('onbehalf.org_id', $1, true)", params: ['org-1'] },
      { find: { where: { orgId: 'org-1' }, order: { verifiedAt: 'DESC' }, take: 500 } },
    ]);
  });
});
