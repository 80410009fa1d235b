import { randomUUID } from 'node:crypto';
import { CrmAuthError } from '@onbehalf/crm-auth';
import { type CallCounts, DEMO_IDS } from '@onbehalf/emulator';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/database/data-source';
import { ENTITIES } from '../src/database/entities';
import type { TicketsService } from '../src/tickets/tickets.service';
import { UserMappingEntity } from '../src/user-mappings/user-mapping.entity';
import { UserMappingsRepository } from '../src/user-mappings/user-mappings.repository';
import { UserMappingsService } from '../src/user-mappings/user-mappings.service';
import { freshDatabase, json, startTestStack, type TestStack } from './harness';
import { JON_PUID, onboard, uploadDemoCertificate } from './support/orgs';
import { insertActiveOrg, insertPlaceholderCertificate } from './support/rows';

/**
 * The PUID → systemuserid cache must not outlive CRM's word that the user is disabled or gone: the
 * failing impersonated call evicts the user's mappings, and the next call by that PUID asks CRM again
 * (RetrieveCrmUserIdByExternalId, counted by the emulator). Seen through the API the console uses
 * (GET /api/orgs/:id/user-mappings), the ledger (the failed call and its CRM code) and the table.
 */

const NOAH_PUID = '0003BFFD4D1F8A54'; // Noah Park: may not create accounts (demo seed)

interface Mapping {
  puid: string;
  systemUserId: string | null;
  fullName: string | null;
  status: 'found' | 'not-found';
  verifiedAt: string;
  hits: number;
  misses: number;
}

describe('PUID mappings evicted when CRM says the user is disabled or gone (real emulator, real Postgres)', () => {
  let s: TestStack;
  let contosoId: string;

  const createFor = (puid: string, name: string) =>
    s.admin.post(`/api/orgs/${contosoId}/records/account`, { attributes: { name }, onBehalfOf: { puid } });

  /** What the console's user-mappings page shows for one PUID. */
  async function mapping(puid: string): Promise<Mapping | undefined> {
    const res = await s.admin.get(`/api/orgs/${contosoId}/user-mappings`);
    expect(res.status).toBe(200);
    return (await json<{ items: Mapping[] }>(res)).items.find((m) => m.puid === puid);
  }

  async function mappingRows(puid: string): Promise<{ system_user_id: string | null; status: string }[]> {
    return (await s.api.dataSource.query(
      `SELECT system_user_id, status FROM user_mappings WHERE org_id = $1 AND puid = $2`,
      [contosoId, puid],
    )) as {
      system_user_id: string | null;
      status: string;
    }[];
  }

  const lookups = () =>
    (s.emulator.control.counts() as CallCounts & { discovery: Record<string, number | undefined> }).discovery
      .RetrieveCrmUserIdByExternalId ?? 0;

  /** The ledger row of a failed call, as the audit search shows it. */
  async function lastFailure(puid: string): Promise<{
    outcome: string;
    errorCode: string | null;
    onBehalfOf: { id: string | null; puid: string | null } | null;
  }> {
    const res = await s.admin.get(`/api/audit?orgId=${contosoId}&onBehalfOf=${puid}&outcome=failed&limit=1`);
    expect(res.status).toBe(200);
    const [item] = (
      await json<{
        items: {
          outcome: string;
          errorCode: string | null;
          onBehalfOf: { id: string | null; puid: string | null } | null;
        }[];
      }>(res)
    ).items;
    expect(item, `a failed call on behalf of ${puid} in the audit`).toBeDefined();
    return item!;
  }

  beforeAll(async () => {
    s = await startTestStack();
    const certId = await uploadDemoCertificate(s.admin, s.emulator);
    contosoId = await onboard(s.admin, s.emulator, 'Contoso Ltd', certId);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('DISABLED_USER: the call fails with CRM_USER_DISABLED (0x80040225), the mapping is evicted, and the next call resolves the PUID again', async () => {
    s.emulator.control.resetCounts();
    expect((await createFor(JON_PUID, 'Eviction: first call')).status).toBe(201);
    expect(lookups()).toBe(1);
    expect((await createFor(JON_PUID, 'Eviction: cached')).status).toBe(201);
    expect(lookups()).toBe(1); // mapped: no second lookup
    const before = await mapping(JON_PUID);
    expect(before).toMatchObject({
      status: 'found',
      systemUserId: DEMO_IDS.jonWilson,
      fullName: 'Jon Wilson',
    });

    const scenario = s.emulator.control.addScenario({
      name: 'DISABLED_USER',
      org: 'contoso',
      user: DEMO_IDS.jonWilson,
    });
    let failed: Response;
    try {
      s.emulator.control.resetCounts();
      failed = await createFor(JON_PUID, 'Eviction: Jon is disabled');
    } finally {
      s.emulator.control.removeScenario(scenario.id);
    }
    expect(failed.status).toBe(403);
    expect(await failed.json()).toMatchObject({
      code: 'CRM_USER_DISABLED',
      details: { faultCode: '0x80040225' },
    });
    expect(lookups()).toBe(0); // the failing call used the cached mapping
    expect(await lastFailure(JON_PUID)).toMatchObject({
      outcome: 'failed',
      errorCode: 'ERR_CRM_USER_DISABLED:0x80040225',
      onBehalfOf: { id: DEMO_IDS.jonWilson, puid: JON_PUID },
    });

    // Evicted: gone from the console's list and from the table.
    expect(await mapping(JON_PUID)).toBeUndefined();
    expect(await mappingRows(JON_PUID)).toEqual([]);

    // The next call asks CRM again, and the mapping is back, freshly verified.
    s.emulator.control.resetCounts();
    const again = await createFor(JON_PUID, 'Eviction: Jon is back');
    expect(again.status).toBe(201);
    expect(lookups()).toBe(1);
    const after = await mapping(JON_PUID);
    expect(after).toMatchObject({ status: 'found', systemUserId: DEMO_IDS.jonWilson, hits: 0, misses: 1 });
    expect(Date.parse(after!.verifiedAt)).toBeGreaterThan(Date.parse(before!.verifiedAt));
    expect((await createFor(JON_PUID, 'Eviction: cached again')).status).toBe(201);
    expect(lookups()).toBe(1);
  });

  it('a user removed from the org in CRM: the call fails with CRM_OBJECT_NOT_FOUND (0x80040217), the mapping is evicted, and the new lookup caches "no such user"', async () => {
    const puid = `0003BFFD${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;
    const gina = s.emulator.control.addUser({
      org: 'contoso',
      liveId: `gina.${puid.toLowerCase()}@contoso.example`,
      firstName: 'Gina',
      lastName: 'Gone',
      puid,
    });
    s.emulator.control.resetCounts();
    expect((await createFor(puid, 'Eviction: Gina works here')).status).toBe(201);
    expect(lookups()).toBe(1);
    expect(await mapping(puid)).toMatchObject({
      status: 'found',
      systemUserId: gina.id,
      fullName: 'Gina Gone',
    });

    s.emulator.control.deleteUser(gina.id);
    s.emulator.control.resetCounts();
    const failed = await createFor(puid, 'Eviction: Gina has left');
    expect(failed.status).toBe(404);
    expect(await failed.json()).toMatchObject({
      code: 'CRM_OBJECT_NOT_FOUND',
      details: { faultCode: '0x80040217' },
    });
    expect(lookups()).toBe(0);
    expect(await lastFailure(puid)).toMatchObject({
      errorCode: 'ERR_CRM_OBJECT_NOT_FOUND:0x80040217',
      onBehalfOf: { id: gina.id, puid },
    });
    expect(await mapping(puid)).toBeUndefined();
    expect(await mappingRows(puid)).toEqual([]);

    // Asked again, CRM has no user for the PUID: a negative entry, and a clear answer to the caller.
    s.emulator.control.resetCounts();
    const next = await createFor(puid, 'Eviction: still gone');
    expect(next.status).toBe(404);
    expect(await next.json()).toMatchObject({ code: 'USER_NOT_MAPPED' });
    expect(lookups()).toBe(1);
    expect(await mapping(puid)).toMatchObject({ status: 'not-found', systemUserId: null });
  });

  it('a failure that says nothing about the user existing (0x80040231, no right to create accounts) keeps the mapping', async () => {
    s.emulator.control.resetCounts();
    const denied = await createFor(NOAH_PUID, 'Eviction: Noah may not create accounts');
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({
      code: 'CRM_PRINCIPAL_PRIVILEGE_DENIED',
      details: { faultCode: '0x80040231' },
    });
    expect(lookups()).toBe(1);
    expect(await mapping(NOAH_PUID)).toMatchObject({
      status: 'found',
      systemUserId: DEMO_IDS.noCreateAccountUser,
    });
    s.emulator.control.resetCounts();
    expect((await createFor(NOAH_PUID, 'Eviction: Noah again')).status).toBe(403);
    expect(lookups()).toBe(0);
  });
});

/**
 * The SQL of UserMappingsService (its UserMappingsRepository) on a real, migrated Postgres, with a fake CRM session and no HTTP
 * stack: what a resolve writes, the hit counts, the listing, one mapping's view, a user's name and the evictions.
 * Every test stands alone on its own PUIDs (or its own org).
 */
describe('UserMappingsService on Postgres (fake CRM)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let ds: DataSource;
  let orgA: string;
  let orgB: string;
  let orgList: string;
  const sql = <T>(s: string, params: unknown[] = []) => ds.query(s, params) as Promise<T[]>;
  /** CRM's users by PUID; any other PUID is "no such user". */
  const crmUsers = new Map<string, { id: string; fullname: string }>();
  const service = () =>
    new UserMappingsService(new UserMappingsRepository(ds.getRepository(UserMappingEntity)), {
      run: async (_orgId: string, fn: (session: unknown) => Promise<unknown>) =>
        fn({
          resolveUserId: async (puid: string) => {
            const u = crmUsers.get(puid);
            if (!u) throw new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', `No user with PUID ${puid}`);
            return u.id;
          },
          retrieve: async ({ id }: { id: string }) => ({
            entity: { attributes: { fullname: [...crmUsers.values()].find((u) => u.id === id)?.fullname } },
          }),
        }),
    } as unknown as TicketsService);
  const newPuid = () => `0003BFFD${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;
  const crmUser = (fullname: string) => {
    const puid = newPuid();
    const id = randomUUID();
    crmUsers.set(puid, { id, fullname });
    return { puid, id };
  };
  const rowsOf = (puid: string) =>
    sql<{
      org_id: string;
      status: string;
      system_user_id: string | null;
      full_name: string | null;
      hits: string;
      misses: string;
      ttl_s: number;
    }>(
      `SELECT org_id, status, system_user_id, full_name, hits, misses, extract(epoch FROM expires_at - verified_at)::int AS ttl_s
         FROM user_mappings WHERE puid = $1 ORDER BY org_id`,
      [puid],
    );

  beforeAll(async () => {
    db = await freshDatabase();
    ds = createDataSource(db.url, ENTITIES);
    await ds.initialize();
    const certId = await insertPlaceholderCertificate(ds);
    const org = (name: string) => insertActiveOrg(ds, certId, name);
    orgA = await org('Contoso');
    orgB = await org('Fabrikam');
    orgList = await org('Northwind');
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('writes a found mapping for an hour and a negative one for five minutes; a later miss rewrites the row and adds to its misses', async () => {
    const svc = service();
    const ann = crmUser('Ann Lee');
    const nobody = newPuid();
    await svc.resolve(orgA, ann.puid);
    await expect(svc.resolve(orgA, nobody)).rejects.toMatchObject({ code: 'USER_NOT_MAPPED' });
    expect(await rowsOf(ann.puid)).toEqual([
      {
        org_id: orgA,
        status: 'found',
        system_user_id: ann.id,
        full_name: 'Ann Lee',
        hits: '0',
        misses: '1',
        ttl_s: 3600,
      },
    ]);
    expect(await rowsOf(nobody)).toEqual([
      {
        org_id: orgA,
        status: 'not-found',
        system_user_id: null,
        full_name: null,
        hits: '0',
        misses: '1',
        ttl_s: 300,
      },
    ]);

    // The negative answer has expired, and CRM now knows the user.
    const id = randomUUID();
    crmUsers.set(nobody, { id, fullname: 'New Hire' });
    await sql(`UPDATE user_mappings SET expires_at = now() - interval '1 second' WHERE puid = $1`, [nobody]);
    expect(await svc.resolve(orgA, nobody)).toEqual({ id, name: 'New Hire', puid: nobody });
    expect(await rowsOf(nobody)).toEqual([
      {
        org_id: orgA,
        status: 'found',
        system_user_id: id,
        full_name: 'New Hire',
        hits: '0',
        misses: '2',
        ttl_s: 3600,
      },
    ]);
  });

  it("writes the hits counted in memory into that org's row", async () => {
    const svc = service();
    const ann = crmUser('Ann Lee');
    await svc.resolve(orgA, ann.puid); // a miss: asks CRM
    await svc.resolve(orgB, ann.puid);
    await svc.resolve(orgA, ann.puid); // the row
    await svc.resolve(orgA, ann.puid); // memory
    await svc.resolve(orgA, ann.puid.toLowerCase()); // memory
    await svc.flushHits();
    expect((await rowsOf(ann.puid)).map((r) => [r.org_id, r.hits])).toEqual(
      [
        [orgA, '3'],
        [orgB, '0'],
      ].sort(),
    );
  });

  it("lists an org's mappings, newest first, at most 500, with the totals of what it shows, hits in memory included", async () => {
    await sql(
      `INSERT INTO user_mappings (org_id, puid, system_user_id, full_name, status, verified_at, expires_at, hits, misses)
       SELECT $1, upper(lpad(to_hex(g), 16, '0')), gen_random_uuid(), 'User ' || g, 'found',
         '2026-01-01'::timestamptz + g * interval '1 minute', now() + interval '1 hour', g % 3, 1
       FROM generate_series(1, 501) g`,
      [orgList],
    );
    await sql(
      `INSERT INTO user_mappings (org_id, puid, system_user_id, status, verified_at, expires_at, hits, misses)
       VALUES ($1, upper(lpad(to_hex(999), 16, '0')), gen_random_uuid(), 'found', '2030-01-01', now() + interval '1 hour', 7, 7)`,
      [orgA],
    );
    const svc = service();
    const newest = (501).toString(16).padStart(16, '0').toUpperCase();
    await svc.resolve(orgList, newest); // one hit, still in memory
    const { items, stats } = await svc.list(orgList);
    expect(items).toHaveLength(500);
    expect(items.map((i) => i.fullName)).toEqual(Array.from({ length: 500 }, (_, k) => `User ${501 - k}`));
    expect(items[0]).toMatchObject({
      puid: newest,
      hits: (501 % 3) + 1,
      misses: 1,
      status: 'found',
    });
    let hits = 1;
    for (let g = 2; g <= 501; g++) hits += g % 3;
    expect(stats).toEqual({ hits, misses: 500, entries: 500 });
  });

  it('shows one mapping by its PUID, given in any case, in its org only, hits in memory included', async () => {
    const svc = service();
    const ann = crmUser('Ann Lee');
    await svc.resolve(orgA, ann.puid);
    await svc.resolve(orgA, ann.puid);
    const v = await svc.view(orgA, ann.puid.toLowerCase());
    expect(v).toEqual({
      puid: ann.puid,
      systemUserId: ann.id,
      fullName: 'Ann Lee',
      status: 'found',
      verifiedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      expiresAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      hits: 1,
      misses: 1,
    });
    expect(Date.parse(v.expiresAt) - Date.parse(v.verifiedAt)).toBe(3_600_000);
    await expect(svc.view(orgB, ann.puid)).rejects.toThrow();
  });

  it("fullNameOf reads the name stored with that user's mapping in that org only, else null", async () => {
    const svc = service();
    const ann = crmUser('Ann Lee');
    await svc.resolve(orgA, ann.puid);
    expect(await svc.fullNameOf(orgA, ann.id)).toBe('Ann Lee');
    expect(await svc.fullNameOf(orgB, ann.id)).toBeNull();
    expect(await svc.fullNameOf(orgA, randomUUID())).toBeNull();
    await sql(
      `INSERT INTO user_mappings (org_id, puid, system_user_id, status, verified_at, expires_at, hits, misses)
       VALUES ($1, $2, $3, 'found', now(), now() + interval '1 hour', 0, 1)`,
      [orgB, newPuid(), ann.id],
    );
    expect(await svc.fullNameOf(orgB, ann.id)).toBeNull();
  });

  it("evictUser deletes every row of that user in that org, and evict one PUID's row in that org, no other", async () => {
    const svc = service();
    const ann = crmUser('Ann Lee');
    const second = newPuid();
    crmUsers.set(second, crmUsers.get(ann.puid)!);
    const ben = crmUser('Ben Ode');
    for (const p of [ann.puid, second, ben.puid]) await svc.resolve(orgA, p);
    await svc.resolve(orgB, ann.puid);
    await svc.evictUser(orgA, ann.id);
    expect((await rowsOf(ann.puid)).map((r) => r.org_id)).toEqual([orgB]);
    expect(await rowsOf(second)).toEqual([]);
    expect(await rowsOf(ben.puid)).toHaveLength(1);

    await svc.resolve(orgB, ben.puid);
    await svc.evict(orgA, ben.puid.toLowerCase());
    expect((await rowsOf(ben.puid)).map((r) => r.org_id)).toEqual([orgB]);
  });
});
