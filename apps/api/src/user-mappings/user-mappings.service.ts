import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { isCrmAuthError } from '@onbehalf/crm-auth';
import { LRUCache } from 'lru-cache';
import { DomainException, notFound } from '../common/domain-exception';
import { TicketsService } from '../tickets/tickets.service';
import type { UserMappingEntity } from './user-mapping.entity';
import { UserMappingsRepository } from './user-mappings.repository';

const FOUND_TTL_MS = 60 * 60 * 1000;
const NOT_FOUND_TTL_MS = 5 * 60 * 1000;
const HEX_PUID = /^[0-9A-Fa-f]{16}$/;
const L1_MS = 5_000;
const L1_MAX = 50_000;
const HIT_FLUSH_MS = 5_000;

export interface UserMappingView {
  puid: string;
  systemUserId: string | null;
  fullName: string | null;
  status: 'found' | 'not-found';
  verifiedAt: string;
  expiresAt: string;
  hits: number;
  misses: number;
}

export interface ResolvedUser {
  id: string;
  name: string | null;
  puid: string;
}

/**
 * The PUID → systemuserid cache, per org, in Postgres: one row per (org, PUID), with a TTL,
 * negative entries, and hit/miss counts. A mapping is never shared across orgs: every query
 * names the org. The API's only layer of this cache: the org's CrmSession keeps none
 * (`userIdStore: null`), so an eviction here is an eviction everywhere; this service reads the row,
 * asks the session on a miss, and writes the answer with the user's name.
 */
@Injectable()
export class UserMappingsService implements OnApplicationShutdown {
  /** `${orgId}|${puid}` → the found user, for L1_MS at most (never past the row's own expiry). */
  private readonly l1 = new LRUCache<string, ResolvedUser>({ max: L1_MAX, ttl: L1_MS });
  /**
   * Hit counts not yet written: a write buffer, not a cache (dropping an entry would lose counts), so a
   * plain Map. It is emptied by every flush, at most HIT_FLUSH_MS after its first entry, so it holds only
   * the mappings hit in the last few seconds.
   */
  private readonly pendingHits = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repo: UserMappingsRepository,
    private readonly tickets: TicketsService,
  ) {}

  static normalizePuid(puid: string): string {
    // Whatever a caller passes is read as text; a missing value ("undefined", "null") is no PUID and is refused.
    const p = String(puid).trim();
    if (!HEX_PUID.test(p))
      throw new DomainException(400, 'INVALID_PUID', 'A PUID is 16 hexadecimal digits (HexPUID).');
    return p.toUpperCase();
  }

  /** Resolves a PUID to the org's CRM user, from the cache or with one RetrieveCrmUserIdByExternalId. */
  async resolve(orgId: string, rawPuid: string): Promise<ResolvedUser> {
    const puid = UserMappingsService.normalizePuid(rawPuid);
    const key = `${orgId}|${puid}`;
    const now = Date.now();
    // First level: this process's memory, a few seconds at most, in front of the Postgres rows.
    const l1 = this.l1.get(key);
    if (l1) {
      this.countHit(orgId, puid);
      return l1;
    }
    const row = await this.repo.find(orgId, puid);
    if (row && row.expiresAt.getTime() > now) {
      this.countHit(orgId, puid);
      if (row.status === 'found' && row.systemUserId) {
        const user = { id: row.systemUserId, name: row.fullName, puid };
        this.l1.set(key, user, { ttl: Math.min(row.expiresAt.getTime() - now, L1_MS) });
        return user;
      }
      throw new DomainException(
        404,
        'USER_NOT_MAPPED',
        `No CRM user in this org has the PUID ${puid} (cached answer).`,
      );
    }
    let userId: string;
    try {
      userId = await this.tickets.run(orgId, (s) => s.resolveUserId(puid));
    } catch (err) {
      if (isCrmAuthError(err, 'ERR_CRM_OBJECT_NOT_FOUND')) {
        await this.save(orgId, puid, null, null, 'not-found');
        throw new DomainException(404, 'USER_NOT_MAPPED', `No CRM user in this org has the PUID ${puid}.`);
      }
      throw err;
    }
    let name: string | null = null;
    try {
      const u = await this.tickets.run(orgId, (s) =>
        s.retrieve({ entityName: 'systemuser', id: userId, columns: ['fullname'] }),
      );
      name = typeof u.entity.attributes.fullname === 'string' ? u.entity.attributes.fullname : null;
    } catch {
      // The name is for people; the mapping stands without it.
    }
    await this.save(orgId, puid, userId, name, 'found');
    return { id: userId, name, puid };
  }

  /** Hit counts are added up in memory and written every few seconds, not once per call. */
  private countHit(orgId: string, puid: string): void {
    const k = `${orgId}|${puid}`;
    this.pendingHits.set(k, (this.pendingHits.get(k) ?? 0) + 1);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flushHits(), HIT_FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  async flushHits(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = [...this.pendingHits];
    this.pendingHits.clear();
    for (const [k, n] of batch) {
      const [orgId, puid] = k.split('|') as [string, string];
      await this.repo.addHits(orgId, puid, n).catch(() => undefined);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushHits();
  }

  private async save(
    orgId: string,
    puid: string,
    userId: string | null,
    name: string | null,
    status: 'found' | 'not-found',
  ): Promise<void> {
    const ttlMs = status === 'found' ? FOUND_TTL_MS : NOT_FOUND_TTL_MS;
    await this.repo.saveAnswer(orgId, puid, { systemUserId: userId, fullName: name, status, ttlMs });
  }

  /** Evicts every mapping of a user (CRM said the user does not exist or is disabled). */
  async evictUser(orgId: string, systemUserId: string): Promise<void> {
    const keys = [...this.l1.entries()]
      .filter(([k, user]) => k.startsWith(`${orgId}|`) && user.id === systemUserId)
      .map(([k]) => k);
    for (const k of keys) this.l1.delete(k);
    await this.repo.deleteUser(orgId, systemUserId);
  }

  /**
   * The name stored with one of the org's mappings to this user (for calls that name the user by id, not PUID),
   * or null when there is none or it has no name.
   */
  fullNameOf(orgId: string, systemUserId: string): Promise<string | null> {
    return this.repo.fullNameOf(orgId, systemUserId);
  }

  async evict(orgId: string, rawPuid: string): Promise<void> {
    const puid = UserMappingsService.normalizePuid(rawPuid);
    this.l1.delete(`${orgId}|${puid}`);
    const row = await this.repo.find(orgId, puid);
    if (!row) throw notFound('USER_MAPPING_NOT_FOUND', `No mapping for ${puid} in this org.`);
    await this.repo.delete(orgId, puid);
  }

  async list(
    orgId: string,
  ): Promise<{ items: UserMappingView[]; stats: { hits: number; misses: number; entries: number } }> {
    await this.flushHits(); // counts read by people include this instance's latest hits
    const rows = await this.repo.listNewest(orgId);
    const items = rows.map(toView);
    return {
      items,
      stats: {
        hits: items.reduce((a, r) => a + r.hits, 0),
        misses: items.reduce((a, r) => a + r.misses, 0),
        entries: items.length,
      },
    };
  }

  async view(orgId: string, puid: string): Promise<UserMappingView> {
    await this.flushHits();
    const row = await this.repo.get(orgId, UserMappingsService.normalizePuid(puid));
    return toView(row);
  }
}

function toView(r: UserMappingEntity): UserMappingView {
  return {
    puid: r.puid,
    systemUserId: r.systemUserId,
    fullName: r.fullName,
    status: r.status,
    verifiedAt: r.verifiedAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    hits: Number(r.hits),
    misses: Number(r.misses),
  };
}
