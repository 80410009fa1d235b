import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { inOrgScope } from '../database/org-scope';
import { UserMappingEntity } from './user-mapping.entity';

/** What a lookup's answer writes: the user (null for a negative entry), for `ttlMs` from now. */
export interface MappingAnswer {
  systemUserId: string | null;
  fullName: string | null;
  status: UserMappingEntity['status'];
  ttlMs: number;
}

/**
 * Every query of the user-mappings context (`user_mappings`). UserMappingsService holds the rules (the TTLs,
 * the in-memory layer, the hit-count buffer); this holds the SQL. Every query names the org: a mapping is never
 * shared across orgs.
 */
@Injectable()
export class UserMappingsRepository {
  constructor(
    @InjectRepository(UserMappingEntity) private readonly mappings: Repository<UserMappingEntity>,
  ) {}

  /** The org's row for this (normalized) PUID, expired or not; null when there is none. */
  find(orgId: string, puid: string): Promise<UserMappingEntity | null> {
    return this.mappings.findOne({ where: { orgId, puid } });
  }

  /** The org's row for this PUID, which the caller expects to exist (it fails with EntityNotFoundError otherwise). */
  get(orgId: string, puid: string): Promise<UserMappingEntity> {
    return this.mappings.findOneOrFail({ where: { orgId, puid } });
  }

  /**
   * The org's newest 500 mappings, most recently verified first; read scoped to the org, so row-level security
   * backs the query's own org filter (database/org-scope.ts).
   */
  listNewest(orgId: string): Promise<UserMappingEntity[]> {
    return inOrgScope(this.mappings.manager, orgId, (m) =>
      m.getRepository(UserMappingEntity).find({ where: { orgId }, order: { verifiedAt: 'DESC' }, take: 500 }),
    );
  }

  /**
   * Writes a lookup's answer: a new row, or the existing one replaced; verified now, expiring `ttlMs` from now
   * (both by the database's clock), and counted as one more miss. The hits stay.
   */
  async saveAnswer(orgId: string, puid: string, a: MappingAnswer): Promise<void> {
    await this.mappings.query(
      `INSERT INTO user_mappings (org_id, puid, system_user_id, full_name, status, verified_at, expires_at, hits, misses)
       VALUES ($1, $2, $3, $4, $5, now(), now() + ($6 || ' milliseconds')::interval, 0, 1)
       ON CONFLICT (org_id, puid) DO UPDATE SET system_user_id = EXCLUDED.system_user_id, full_name = EXCLUDED.full_name,
         status = EXCLUDED.status, verified_at = now(), expires_at = EXCLUDED.expires_at, misses = user_mappings.misses + 1`,
      [orgId, puid, a.systemUserId, a.fullName, a.status, String(a.ttlMs)],
    );
  }

  /** Adds `n` to a mapping's hit count (nothing when the row is gone). */
  async addHits(orgId: string, puid: string, n: number): Promise<void> {
    await this.mappings.query(`UPDATE user_mappings SET hits = hits + $3 WHERE org_id = $1 AND puid = $2`, [
      orgId,
      puid,
      n,
    ]);
  }

  /** Deletes one PUID's row of the org. */
  async delete(orgId: string, puid: string): Promise<void> {
    await this.mappings.delete({ orgId, puid });
  }

  /** Deletes every row of the org that maps to this user. */
  async deleteUser(orgId: string, systemUserId: string): Promise<void> {
    await this.mappings.query(`DELETE FROM user_mappings WHERE org_id = $1 AND system_user_id = $2`, [
      orgId,
      systemUserId,
    ]);
  }

  /** The full name on one (any one) of the org's mappings to this user; null when it has none or there is none. */
  async fullNameOf(orgId: string, systemUserId: string): Promise<string | null> {
    const rows = (await this.mappings.query(
      `SELECT full_name FROM user_mappings WHERE org_id = $1 AND system_user_id = $2 LIMIT 1`,
      [orgId, systemUserId],
    )) as { full_name: string | null }[];
    return rows[0]?.full_name ?? null;
  }
}
