import { randomUUID } from 'node:crypto';
import { type CallCounts, DEMO_IDS } from '@onbehalf/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from './harness';
import { JON_PUID, onboard, uploadDemoCertificate } from './support/orgs';

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
