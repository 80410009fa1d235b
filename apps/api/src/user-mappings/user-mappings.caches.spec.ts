import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TicketsService } from '../tickets/tickets.service';
import type { UserMappingsRepository } from './user-mappings.repository';
import { UserMappingsService } from './user-mappings.service';
import { advanceLruClock } from '../../test/lru-clock';

const ORG = '11111111-0000-4000-8000-000000000001';
const OTHER_ORG = '22222222-0000-4000-8000-000000000002';
const puid = (i: number) => i.toString(16).toUpperCase().padStart(16, '0');

/** A UserMappingsService over a fake repository of user_mappings rows held in memory; it counts the row reads. */
function world() {
  const rows = new Map<string, { systemUserId: string; expiresAt: Date }>();
  const seen = { reads: 0 };
  const repo = {
    find: async (orgId: string, p: string) => {
      seen.reads++;
      const r = rows.get(`${orgId}|${p}`);
      return r ? { orgId, puid: p, status: 'found', fullName: 'Ann', ...r } : null;
    },
    delete: async (orgId: string, p: string) => {
      rows.delete(`${orgId}|${p}`);
    },
    // The hit counter's flush and evictUser's delete; the rows stay (the in-memory layer is under test).
    addHits: async () => undefined,
    deleteUser: async () => undefined,
  } as unknown as UserMappingsRepository;
  // A miss goes to CRM: here it only says so.
  const tickets = {
    run: async () => {
      throw new Error('asked CRM');
    },
  } as unknown as TicketsService;
  const svc = new UserMappingsService(repo, tickets);
  return {
    svc,
    seen,
    row: (p: string, systemUserId: string, org = ORG, ttlMs = 3_600_000) =>
      rows.set(`${org}|${p}`, { systemUserId, expiresAt: new Date(Date.now() + ttlMs) }),
    resolve: (p: string, org = ORG) => svc.resolve(org, p),
  };
}

describe('UserMappingsService in-memory layer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads a found mapping once, then from memory for 5 s', async () => {
    const w = world();
    w.row(puid(1), 'u-1');
    expect((await w.resolve(puid(1))).id).toBe('u-1');
    expect((await w.resolve(puid(1).toLowerCase())).id).toBe('u-1');
    expect(w.seen.reads).toBe(1);
    await advanceLruClock(4_900);
    await w.resolve(puid(1));
    expect(w.seen.reads).toBe(1);
    await advanceLruClock(200);
    await w.resolve(puid(1));
    expect(w.seen.reads).toBe(2);
  });

  it("keeps a mapping in memory no longer than its row's own expiry", async () => {
    const w = world();
    w.row(puid(2), 'u-2', ORG, 2_000);
    await w.resolve(puid(2));
    await advanceLruClock(1_900);
    await w.resolve(puid(2));
    expect(w.seen.reads).toBe(1);
    await advanceLruClock(200);
    await w.resolve(puid(2));
    expect(w.seen.reads).toBe(2);
  });

  it('evictUser drops that user from memory at once, in that org only; evict drops one PUID at once', async () => {
    const w = world();
    w.row(puid(3), 'u-3');
    w.row(puid(4), 'u-3');
    w.row(puid(5), 'u-5');
    w.row(puid(3), 'u-3', OTHER_ORG);
    for (const p of [3, 4, 5]) await w.resolve(puid(p));
    await w.resolve(puid(3), OTHER_ORG);
    expect(w.seen.reads).toBe(4);

    await w.svc.evictUser(ORG, 'u-3');
    await w.resolve(puid(3));
    await w.resolve(puid(4));
    expect(w.seen.reads).toBe(6);
    await w.resolve(puid(5));
    await w.resolve(puid(3), OTHER_ORG);
    expect(w.seen.reads).toBe(6);

    await w.svc.evict(ORG, puid(5)); // reads the row once to check it exists, then deletes it
    expect(w.seen.reads).toBe(7);
    // No row any more, and not served from memory: the miss goes to CRM.
    await expect(w.resolve(puid(5))).rejects.toThrow('asked CRM');
    expect(w.seen.reads).toBe(8);
  });

  it('keeps at most 50,000 mappings, dropping the least recently used one rather than all', async () => {
    const w = world();
    for (let i = 0; i <= 50_000; i++) w.row(puid(i), `u-${i}`);
    for (let i = 0; i < 50_000; i++) await w.resolve(puid(i));
    expect(w.seen.reads).toBe(50_000);
    await w.resolve(puid(0)); // now the most recently used
    await w.resolve(puid(50_000)); // one more than fits: mapping 1 goes
    expect(w.seen.reads).toBe(50_001);
    await w.resolve(puid(0));
    await w.resolve(puid(49_999));
    expect(w.seen.reads).toBe(50_001);
    await w.resolve(puid(1));
    expect(w.seen.reads).toBe(50_002);
  });
});
