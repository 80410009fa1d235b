import { CrmAuthError } from '@onbehalf/crm-auth';
import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DomainException } from '../common/domain-exception';
import type { TicketsService } from '../tickets/tickets.service';
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
 * A UserMappingsService over user_mappings rows in memory and a fake CRM. The service's own writes
 * (the mapping it saves, the hit counts it flushes) are recorded as the parameters it sends.
 */
function world() {
  const rows = new Map<string, Row>();
  const sent: { sql: string; params: unknown[] }[] = [];
  const repo = {
    findOne: async ({ where }: { where: { orgId: string; puid: string } }) =>
      rows.get(`${where.orgId}|${where.puid}`) ?? null,
    delete: async ({ orgId, puid }: { orgId: string; puid: string }) => {
      rows.delete(`${orgId}|${puid}`);
    },
  };
  const db = {
    getRepository: () => repo,
    query: async (sql: string, params: unknown[]) => {
      sent.push({ sql, params });
      return [];
    },
  } as unknown as DataSource;
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
  const svc = new UserMappingsService(db, tickets);
  return {
    svc,
    crm,
    row: (r: Partial<Row> & { expiresAt: Date }) => {
      const full: Row = {
        orgId: ORG,
        puid: PUID,
        systemUserId: 'u-1',
        fullName: 'Ann Lee',
        status: 'found',
        ...r,
      };
      rows.set(`${full.orgId}|${full.puid}`, full);
    },
    has: (orgId: string, puid: string) => rows.has(`${orgId}|${puid}`),
    resolve: (puid = PUID, orgId = ORG) => svc.resolve(orgId, puid),
    /** The mappings written: [org, puid, user id, name, status, ttl in ms]. */
    saved: () => sent.filter((s) => s.sql.includes('INSERT INTO user_mappings')).map((s) => s.params),
    /** The hit counts written: [org, puid, hits]. */
    hitWrites: () => sent.filter((s) => s.sql.includes('SET hits = hits +')).map((s) => s.params),
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
    expect(w.saved()).toEqual([[ORG, PUID, 'u-7', 'Noah Park', 'found', String(HOUR)]]);
  });

  it('keeps the mapping without a name when CRM gives no usable one', async () => {
    for (const user of [{ id: 'u-8' }, { id: 'u-8', fullname: 42 }, { id: 'u-8', fullname: null }]) {
      const w = world();
      w.crm.users.set(PUID, user);
      expect(await w.resolve()).toStrictEqual({ id: 'u-8', name: null, puid: PUID });
      expect(w.saved()).toEqual([[ORG, PUID, 'u-8', null, 'found', String(HOUR)]]);
    }
    const w = world();
    w.crm.users.set(PUID, { id: 'u-9', fullname: 'Ann' });
    w.crm.nameFails = true;
    expect(await w.resolve()).toStrictEqual({ id: 'u-9', name: null, puid: PUID });
    expect(w.saved()).toEqual([[ORG, PUID, 'u-9', null, 'found', String(HOUR)]]);
  });

  it('writes a negative entry for five minutes and answers 404 when CRM knows no such user', async () => {
    const w = world();
    expect(await failure(w.resolve())).toEqual({
      status: 404,
      code: 'USER_NOT_MAPPED',
      message: `No CRM user in this org has the PUID ${PUID}.`,
      details: undefined,
    });
    expect(w.saved()).toEqual([[ORG, PUID, null, null, 'not-found', String(5 * 60_000)]]);
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
