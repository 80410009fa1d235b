import { CrmAuthError } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import { UserMappingsController } from './user-mappings.controller';
import type { UserMappingsService, UserMappingView } from './user-mappings.service';

const ORG = '11111111-0000-4000-8000-000000000001';
const PUID = '0003BFFD8F3A5B21';

/** The controller over a fake service that records what it was asked; `fails` is what resolve throws. */
function controller(fails?: unknown) {
  const asked: string[] = [];
  const view = (puid: string): UserMappingView => ({
    puid,
    systemUserId: fails ? null : 'u-1',
    fullName: fails ? null : 'Ann Lee',
    status: fails ? 'not-found' : 'found',
    verifiedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T01:00:00.000Z',
    hits: 0,
    misses: 1,
  });
  const list = { items: [view(PUID)], stats: { hits: 0, misses: 1, entries: 1 } };
  const service = {
    resolve: async (orgId: string, puid: string) => {
      asked.push(`resolve ${orgId} ${puid}`);
      if (fails) throw fails;
      return { id: 'u-1', name: 'Ann Lee', puid };
    },
    view: async (orgId: string, puid: string) => {
      asked.push(`view ${orgId} ${puid}`);
      return view(puid);
    },
    evict: async (orgId: string, puid: string) => {
      asked.push(`evict ${orgId} ${puid}`);
    },
    list: async (orgId: string) => {
      asked.push(`list ${orgId}`);
      return list;
    },
  } as unknown as UserMappingsService;
  return { c: new UserMappingsController(service), asked, view, list };
}

describe('UserMappingsController', () => {
  it('resolves the PUID, given in any case, and answers its mapping', async () => {
    const { c, asked, view } = controller();
    expect(await c.resolve(ORG, { puid: ' 0003bffd8f3a5b21 ' })).toEqual(view(PUID));
    expect(asked).toEqual([`resolve ${ORG} ${PUID}`, `view ${ORG} ${PUID}`]);
  });

  it('answers a PUID that CRM does not know with its cached negative entry, not an error', async () => {
    const notMapped = new DomainException(
      404,
      'USER_NOT_MAPPED',
      `No CRM user in this org has the PUID ${PUID}.`,
    );
    const { c, asked, view } = controller(notMapped);
    expect(await c.resolve(ORG, { puid: PUID })).toEqual(view(PUID));
    expect(asked).toEqual([`resolve ${ORG} ${PUID}`, `view ${ORG} ${PUID}`]);
  });

  it("answers any other failure as an error, CRM's in their HTTP form, and reads no mapping", async () => {
    const crm = controller(new CrmAuthError('ERR_TIMEOUT', 'discovery did not answer'));
    await expect(crm.c.resolve(ORG, { puid: PUID })).rejects.toMatchObject({
      status: 504,
      code: 'CRM_TIMEOUT',
      message: 'discovery did not answer',
    });
    expect(crm.asked).toEqual([`resolve ${ORG} ${PUID}`]);

    const circuitOpen = new DomainException(503, 'ORG_CIRCUIT_OPEN', 'The org is resting.');
    const own = controller(circuitOpen);
    await expect(own.c.resolve(ORG, { puid: PUID })).rejects.toBe(circuitOpen);
    expect(own.asked).toEqual([`resolve ${ORG} ${PUID}`]);
  });

  it('refuses a malformed PUID with 400 INVALID_PUID before asking the service anything', async () => {
    const { c, asked } = controller();
    await expect(c.resolve(ORG, { puid: '0003BFFD8F3A5B2' })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_PUID',
    });
    expect(asked).toEqual([]);
  });

  it('evicts the mapping of the org and PUID in the path', async () => {
    const { c, asked } = controller();
    await c.evict(ORG, PUID);
    expect(asked).toEqual([`evict ${ORG} ${PUID}`]);
  });

  it("lists the org's mappings", async () => {
    const { c, asked, list } = controller();
    expect(await c.list(ORG)).toBe(list);
    expect(asked).toEqual([`list ${ORG}`]);
  });
});
