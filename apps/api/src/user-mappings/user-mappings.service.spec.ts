import { CrmAuthError } from '@onbehalf/crm-auth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DomainException } from '../common/domain-exception';
import type { TicketsService } from '../tickets/tickets.service';
import type { MappingAnswer, UserMappingsRepository } from './user-mappings.repository';
import { UserMappingsService } from './user-mappings.service';

const ORG = '11111111-0000-4000-8000-000000000001';
const OTHER_ORG = '22222222-0000-4000-8000-000000000002';
const PUID = '0003BFFD8F3A5B21';
const HOUR = 3_600_000;
const T0 = new Date('2026-01-01T00:00:00.000Z').getTime();

interface Row {
  orgId: string;
  puid: string;
  systemUserId: string | null;
  fullName: string | null;
  status: 'found' | 'not-found';
  expiresAt: Date;
  verifiedAt: Date;
  hits: string;
  misses: string;
}

/** A failure as a plain object, so that a test can compare it whole. */
async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainException)
      return { status: e.status, code: e.code, message: e.message, details: e.details };
    throw e;
  }
  throw new Error('expected a failure');
}

/**
 * A UserMappingsService over a fake UserMappingsRepository holding user_mappings rows in memory, and a fake CRM.
 * The service's own writes (the answers it saves, the hit counts it adds) are recorded as it sends them.
 */
function world() {
  const rows = new Map<string, Row>();
  const answers: [string, string, MappingAnswer][] = [];
  const hits: [string, string, number][] = [];
  /** The listing and view reads, each with how many hit counts had been written before it. */
  const reads: { read: string; hitsWritten: number }[] = [];
  /** Hit counts of these orgs fail to write. */
  const failingHits = new Set<string>();
  const repo = {
    find: async (orgId: string, puid: string) => rows.get(`${orgId}|${puid}`) ?? null,
    get: async (orgId: string, puid: string) => {
      reads.push({ read: `get ${orgId} ${puid}`, hitsWritten: hits.length });
      const r = rows.get(`${orgId}|${puid}`);
      if (!r) throw new Error('EntityNotFoundError');
      return r;
    },
    listNewest: async (orgId: string) => {
      reads.push({ read: `list ${orgId}`, hitsWritten: hits.length });
      return [...rows.values()].filter((r) => r.orgId === orgId);
    },
    deleteUser: async (orgId: string, systemUserId: string) => {
      for (const [k, r] of rows) if (r.orgId === orgId && r.systemUserId === systemUserId) rows.delete(k);
    },
    fullNameOf: async (orgId: string, systemUserId: string) =>
      [...rows.values()].find((r) => r.orgId === orgId && r.systemUserId === systemUserId)?.fullName ?? null,
    delete: async (orgId: string, puid: string) => {
      rows.delete(`${orgId}|${puid}`);
    },
    saveAnswer: async (orgId: string, puid: string, a: MappingAnswer) => {
      answers.push([orgId, puid, a]);
    },
    addHits: async (orgId: string, puid: string, n: number) => {
      if (failingHits.has(orgId)) throw new Error('connection lost');
      hits.push([orgId, puid, n]);
    },
  } as unknown as UserMappingsRepository;
  /** CRM's users by PUID; `fullname` as CRM returns it (any type, or absent). */
  const crm = {
    users: new Map<string, { id: string; fullname?: unknown }>(),
    lookups: 0,
    lookupFails: null as Error | null,
    nameFails: false,
  };
  const session = {
    resolveUserId: async (puid: string) => {
      crm.lookups++;
      if (crm.lookupFails) throw crm.lookupFails;
      const u = crm.users.get(puid);
      if (!u) throw new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', `No user with PUID ${puid}`);
      return u.id;
    },
    retrieve: async ({ entityName, id }: { entityName: string; id: string; columns: string[] }) => {
      if (crm.nameFails) throw new CrmAuthError('ERR_TIMEOUT', 'CRM did not answer');
      const u = [...crm.users.values()].find((x) => x.id === id);
      if (entityName !== 'systemuser' || !u)
        throw new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', 'no such record');
      return { entity: { attributes: 'fullname' in u ? { fullname: u.fullname } : {} } };
    },
  };
  const tickets = {
    run: async (_orgId: string, fn: (s: typeof session) => Promise<unknown>) => fn(session),
  } as unknown as TicketsService;
  const svc = new UserMappingsService(repo, tickets);
  return {
    svc,
    crm,
    reads,
    failingHits,
    row: (r: Partial<Row> & { expiresAt: Date }) => {
      const full: Row = {
        orgId: ORG,
        puid: PUID,
        systemUserId: 'u-1',
        fullName: 'Ann Lee',
        status: 'found',
        verifiedAt: new Date(T0),
        hits: '0',
        misses: '1',
        ...r,
      };
      rows.set(`${full.orgId}|${full.puid}`, full);
    },
    has: (orgId: string, puid: string) => rows.has(`${orgId}|${puid}`),
    resolve: (puid = PUID, orgId = ORG) => svc.resolve(orgId, puid),
    /** The mappings written: [org, puid, the answer with its ttl in ms]. */
    saved: () => answers,
    /** The hit counts written: [org, puid, hits]. */
    hitWrites: () => hits,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('UserMappingsService.normalizePuid', () => {
  it('trims a HexPUID and upper-cases it', () => {
    expect(UserMappingsService.normalizePuid(' 0003bffd8f3a5b21\t')).toBe(PUID);
  });

  it.each([[''], ['0003BFFD8F3A5B2'], ['0003BFFD8F3A5B21A'], ['0003BFFD8F3A5B2G'], [undefined], [null]])(
    'refuses %j with 400 INVALID_PUID',
    (raw) => {
      let err: unknown;
      try {
        UserMappingsService.normalizePuid(raw as string);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DomainException);
      expect(err).toMatchObject({
        status: 400,
        code: 'INVALID_PUID',
        message: 'A PUID is 16 hexadecimal digits (HexPUID).',
      });
    },
  );
});

describe('UserMappingsService.resolve', () => {
  it("answers from this org's fresh row without asking CRM or writing a mapping", async () => {
    const w = world();
    w.row({ expiresAt: new Date(Date.now() + HOUR) });
    w.row({ orgId: OTHER_ORG, systemUserId: 'u-other', expiresAt: new Date(Date.now() + HOUR) });
    expect(await w.resolve(PUID.toLowerCase())).toStrictEqual({ id: 'u-1', name: 'Ann Lee', puid: PUID });
    expect(w.crm.lookups).toBe(0);
    expect(w.saved()).toEqual([]);
  });

  it('answers a fresh negative row with 404 USER_NOT_MAPPED, without asking CRM', async () => {
    const w = world();
    w.row({
      status: 'not-found',
      systemUserId: null,
      fullName: null,
      expiresAt: new Date(Date.now() + HOUR),
    });
    expect(await failure(w.resolve())).toEqual({
      status: 404,
      code: 'USER_NOT_MAPPED',
      message: `No CRM user in this org has the PUID ${PUID} (cached answer).`,
      details: undefined,
    });
    expect(w.crm.lookups).toBe(0);
  });

  it('serves a row as a user only when it is found and names a user id', async () => {
    const w = world();
    w.row({ status: 'not-found', systemUserId: 'u-stale', expiresAt: new Date(Date.now() + HOUR) });
    expect(await failure(w.resolve())).toMatchObject({ code: 'USER_NOT_MAPPED' });
    w.row({ status: 'found', systemUserId: null, expiresAt: new Date(Date.now() + HOUR) });
    expect(await failure(w.resolve())).toMatchObject({ code: 'USER_NOT_MAPPED' });
    expect(w.crm.lookups).toBe(0);
  });

  it('asks CRM again once the row has expired, from the very instant of its expiry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const fresh = world();
    fresh.row({ expiresAt: new Date(T0 + 1) });
    await fresh.resolve();
    expect(fresh.crm.lookups).toBe(0);

    const due = world();
    due.row({ systemUserId: 'u-old', expiresAt: new Date(T0) });
    due.crm.users.set(PUID, { id: 'u-new', fullname: 'Ann Lee-Smith' });
    expect(await due.resolve()).toStrictEqual({ id: 'u-new', name: 'Ann Lee-Smith', puid: PUID });
    expect(due.crm.lookups).toBe(1);
  });

  it("writes CRM's answer with the user's name, for an hour", async () => {
    const w = world();
    w.crm.users.set(PUID, { id: 'u-7', fullname: 'Noah Park' });
    expect(await w.resolve(PUID.toLowerCase())).toStrictEqual({ id: 'u-7', name: 'Noah Park', puid: PUID });
    expect(w.saved()).toStrictEqual([
      [ORG, PUID, { systemUserId: 'u-7', fullName: 'Noah Park', status: 'found', ttlMs: HOUR }],
    ]);
  });

  it('keeps the mapping without a name when CRM gives no usable one', async () => {
    for (const user of [{ id: 'u-8' }, { id: 'u-8', fullname: 42 }, { id: 'u-8', fullname: null }]) {
      const w = world();
      w.crm.users.set(PUID, user);
      expect(await w.resolve()).toStrictEqual({ id: 'u-8', name: null, puid: PUID });
      expect(w.saved()).toStrictEqual([
        [ORG, PUID, { systemUserId: 'u-8', fullName: null, status: 'found', ttlMs: HOUR }],
      ]);
    }
    const w = world();
    w.crm.users.set(PUID, { id: 'u-9', fullname: 'Ann' });
    w.crm.nameFails = true;
    expect(await w.resolve()).toStrictEqual({ id: 'u-9', name: null, puid: PUID });
    expect(w.saved()).toStrictEqual([
      [ORG, PUID, { systemUserId: 'u-9', fullName: null, status: 'found', ttlMs: HOUR }],
    ]);
  });

  it('writes a negative entry for five minutes and answers 404 when CRM knows no such user', async () => {
    const w = world();
    expect(await failure(w.resolve())).toEqual({
      status: 404,
      code: 'USER_NOT_MAPPED',
      message: `No CRM user in this org has the PUID ${PUID}.`,
      details: undefined,
    });
    expect(w.saved()).toStrictEqual([
      [ORG, PUID, { systemUserId: null, fullName: null, status: 'not-found', ttlMs: 5 * 60_000 }],
    ]);
  });

  it('passes any other CRM failure through as it is, and writes nothing', async () => {
    const w = world();
    const timeout = new CrmAuthError('ERR_TIMEOUT', 'discovery did not answer');
    w.crm.lookupFails = timeout;
    await expect(w.resolve()).rejects.toBe(timeout);
    expect(w.saved()).toEqual([]);
  });
});

describe('UserMappingsService hit counts', () => {
  const at = async (ms: number) => {
    await vi.advanceTimersByTimeAsync(T0 + ms - Date.now());
  };

  it('adds the hits up per org and PUID and writes them once, 5 s after the first', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const w = world();
    w.row({ expiresAt: new Date(T0 + HOUR) });
    w.row({ orgId: OTHER_ORG, expiresAt: new Date(T0 + HOUR) });
    await w.resolve();
    await at(1_000);
    await w.resolve();
    await w.resolve(PUID, OTHER_ORG);
    await w.resolve();
    await at(4_999);
    expect(w.hitWrites()).toEqual([]);
    await at(5_000);
    expect(w.hitWrites()).toEqual([
      [ORG, PUID, 3],
      [OTHER_ORG, PUID, 1],
    ]);
    await at(20_000);
    expect(w.hitWrites()).toHaveLength(2);
  });

  it('after an early write (a listing, the shutdown), writes the next hits 5 s after the first of them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const w = world();
    w.row({ expiresAt: new Date(T0 + HOUR) });
    await w.resolve();
    await at(1_000);
    await w.resolve();
    await at(2_000);
    await w.svc.onApplicationShutdown();
    expect(w.hitWrites()).toEqual([[ORG, PUID, 2]]);
    await at(3_000);
    await w.resolve();
    await at(4_000);
    await w.resolve();
    await at(7_999);
    expect(w.hitWrites()).toEqual([[ORG, PUID, 2]]);
    await at(8_000);
    expect(w.hitWrites()).toEqual([
      [ORG, PUID, 2],
      [ORG, PUID, 2],
    ]);
  });
});

describe('UserMappingsService.evict', () => {
  it('drops one PUID of this org, given in any case, from memory and from the table', async () => {
    const w = world();
    w.row({ expiresAt: new Date(Date.now() + HOUR) });
    w.row({ orgId: OTHER_ORG, systemUserId: 'u-other', expiresAt: new Date(Date.now() + HOUR) });
    await w.resolve();
    await w.resolve(PUID, OTHER_ORG);
    await w.svc.evict(ORG, PUID.toLowerCase());
    expect(w.has(ORG, PUID)).toBe(false);
    expect(w.has(OTHER_ORG, PUID)).toBe(true);
    w.crm.users.set(PUID, { id: 'u-2', fullname: 'Ann Lee' });
    expect((await w.resolve()).id).toBe('u-2');
    expect(w.crm.lookups).toBe(1);
    expect((await w.resolve(PUID, OTHER_ORG)).id).toBe('u-other');
  });

  it('answers 404 USER_MAPPING_NOT_FOUND for a PUID this org has no mapping of', async () => {
    const w = world();
    w.row({ orgId: OTHER_ORG, expiresAt: new Date(Date.now() + HOUR) });
    expect(await failure(w.svc.evict(ORG, PUID))).toEqual({
      status: 404,
      code: 'USER_MAPPING_NOT_FOUND',
      message: `No mapping for ${PUID} in this org.`,
      details: undefined,
    });
    expect(w.has(OTHER_ORG, PUID)).toBe(true);
  });
});

describe('UserMappingsService.evictUser', () => {
  it("deletes that user's rows of this org, no other user's and no other org's", async () => {
    const w = world();
    const later = new Date(Date.now() + HOUR);
    w.row({ expiresAt: later });
    w.row({ puid: '0003BFFD8F3A5B22', expiresAt: later });
    w.row({ puid: '0003BFFD8F3A5B23', systemUserId: 'u-2', expiresAt: later });
    w.row({ orgId: OTHER_ORG, expiresAt: later });
    await w.svc.evictUser(ORG, 'u-1');
    expect(w.has(ORG, PUID)).toBe(false);
    expect(w.has(ORG, '0003BFFD8F3A5B22')).toBe(false);
    expect(w.has(ORG, '0003BFFD8F3A5B23')).toBe(true);
    expect(w.has(OTHER_ORG, PUID)).toBe(true);
  });
});

describe('UserMappingsService.fullNameOf', () => {
  it("answers the name stored with that user's mapping in that org, else null", async () => {
    const w = world();
    w.row({ expiresAt: new Date(Date.now() + HOUR) });
    expect(await w.svc.fullNameOf(ORG, 'u-1')).toBe('Ann Lee');
    expect(await w.svc.fullNameOf(OTHER_ORG, 'u-1')).toBeNull();
    expect(await w.svc.fullNameOf(ORG, 'u-2')).toBeNull();
  });
});

describe('UserMappingsService hit-count writes that fail', () => {
  it('lose only their own counts: the flush still resolves and writes the others', async () => {
    const w = world();
    w.row({ orgId: OTHER_ORG, expiresAt: new Date(Date.now() + HOUR) });
    w.row({ expiresAt: new Date(Date.now() + HOUR) });
    await w.resolve(PUID, OTHER_ORG); // counted first, written first
    await w.resolve();
    w.failingHits.add(OTHER_ORG);
    await expect(w.svc.flushHits()).resolves.toBeUndefined();
    expect(w.hitWrites()).toEqual([[ORG, PUID, 1]]);
    w.failingHits.clear();
    await w.svc.flushHits(); // the lost count is not retried
    expect(w.hitWrites()).toEqual([[ORG, PUID, 1]]);
  });
});

describe('UserMappingsService.list and view', () => {
  const fresh = () => new Date(Date.now() + HOUR);

  it("lists the org's rows as the repository orders them, with the totals of what it shows, after writing the hits in memory", async () => {
    const w = world();
    w.row({ expiresAt: new Date(T0 + HOUR), hits: '2', misses: '1' });
    w.row({
      puid: '0003BFFD8F3A5B22',
      systemUserId: null,
      fullName: null,
      status: 'not-found',
      verifiedAt: new Date(T0 + 60_000),
      expiresAt: new Date(T0 + 360_000),
      hits: '5',
      misses: '3',
    });
    w.row({ orgId: OTHER_ORG, expiresAt: fresh(), hits: '100', misses: '100' });
    w.row({ puid: '0003BFFD8F3A5B29', expiresAt: fresh() });
    await w.resolve('0003BFFD8F3A5B29'); // a hit, still in memory
    const listed = await w.svc.list(ORG);
    expect(w.reads).toEqual([{ read: `list ${ORG}`, hitsWritten: 1 }]);
    expect(w.hitWrites()).toEqual([[ORG, '0003BFFD8F3A5B29', 1]]);
    expect(listed.items.map((i) => i.puid)).toEqual([PUID, '0003BFFD8F3A5B22', '0003BFFD8F3A5B29']);
    expect(listed.items[0]).toStrictEqual({
      puid: PUID,
      systemUserId: 'u-1',
      fullName: 'Ann Lee',
      status: 'found',
      verifiedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T01:00:00.000Z',
      hits: 2,
      misses: 1,
    });
    expect(listed.items[1]).toStrictEqual({
      puid: '0003BFFD8F3A5B22',
      systemUserId: null,
      fullName: null,
      status: 'not-found',
      verifiedAt: '2026-01-01T00:01:00.000Z',
      expiresAt: '2026-01-01T00:06:00.000Z',
      hits: 5,
      misses: 3,
    });
    expect(listed.stats).toStrictEqual({ hits: 7, misses: 5, entries: 3 });
  });

  it('lists an org without mappings as empty, with zero totals', async () => {
    const w = world();
    w.row({ orgId: OTHER_ORG, expiresAt: fresh(), hits: '4', misses: '2' });
    expect(await w.svc.list(ORG)).toStrictEqual({ items: [], stats: { hits: 0, misses: 0, entries: 0 } });
  });

  it('shows one mapping by its PUID given in any case, after writing the hits in memory', async () => {
    const w = world();
    w.row({ expiresAt: new Date(T0 + HOUR), hits: '3', misses: '2' });
    w.row({ orgId: OTHER_ORG, expiresAt: fresh() });
    await w.resolve(PUID, OTHER_ORG);
    expect(await w.svc.view(ORG, PUID.toLowerCase())).toStrictEqual({
      puid: PUID,
      systemUserId: 'u-1',
      fullName: 'Ann Lee',
      status: 'found',
      verifiedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T01:00:00.000Z',
      hits: 3,
      misses: 2,
    });
    expect(w.reads).toEqual([{ read: `get ${ORG} ${PUID}`, hitsWritten: 1 }]);
  });

  it('refuses an invalid PUID with 400 INVALID_PUID before reading, and passes a missing row on as a failure', async () => {
    const w = world();
    expect(await failure(w.svc.view(ORG, 'nope'))).toMatchObject({ status: 400, code: 'INVALID_PUID' });
    expect(w.reads).toEqual([]);
    await expect(w.svc.view(ORG, PUID)).rejects.toThrow('EntityNotFoundError');
  });
});
