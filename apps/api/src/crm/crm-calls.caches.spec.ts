import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetricsService } from '../metrics/metrics.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { UserMappingsService } from '../user-mappings/user-mappings.service';
import { CrmCallsService } from './crm-calls.service';
import type { LedgerService } from './ledger.service';
import { advanceLruClock } from '../../test/lru-clock';

const ORG = '11111111-0000-4000-8000-000000000001';

/** A CrmCallsService over user mappings and a CRM that only count what they are asked. */
function world() {
  const seen = { orgReads: 0, nameReads: 0, crmNameReads: 0 };
  let orgStatus = 'active';
  let fullname = 'Ann Old';
  const orgs = {
    find: async () => {
      seen.orgReads++;
      return { id: ORG, status: orgStatus, friendlyName: 'Contoso' };
    },
  } as unknown as OrgDirectory;
  const mappings = {
    fullNameOf: async () => {
      seen.nameReads++;
      return null;
    },
  } as unknown as UserMappingsService;
  const tickets = {
    run: async () => {
      seen.crmNameReads++;
      return { entity: { attributes: { fullname } } };
    },
  } as unknown as TicketsService;
  const svc = new CrmCallsService(orgs, tickets, mappings, {} as LedgerService, {} as MetricsService);
  return {
    svc,
    seen,
    setOrgStatus: (s: string) => (orgStatus = s),
    rename: (n: string) => (fullname = n),
    nameOf: async (userId: string) => (await svc.actingAs(ORG, { userId }))?.name,
    org: (id = ORG) => svc['org'](id),
  };
}

describe('CrmCallsService caches', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads a user display name once, then from memory until 15 minutes have passed', async () => {
    const w = world();
    expect(await w.nameOf('a0000000-0000-4000-8000-000000000001')).toBe('Ann Old');
    expect(await w.nameOf('A0000000-0000-4000-8000-000000000001')).toBe('Ann Old');
    expect(w.seen).toMatchObject({ nameReads: 1, crmNameReads: 1 });

    w.rename('Ann New');
    await advanceLruClock(14 * 60_000);
    expect(await w.nameOf('a0000000-0000-4000-8000-000000000001')).toBe('Ann Old');
    expect(w.seen.crmNameReads).toBe(1);

    await advanceLruClock(2 * 60_000);
    expect(await w.nameOf('a0000000-0000-4000-8000-000000000001')).toBe('Ann New');
    expect(w.seen).toMatchObject({ nameReads: 2, crmNameReads: 2 });
  });

  it('keeps at most 50,000 display names, dropping the least recently used one rather than all', async () => {
    const w = world();
    const user = (i: number) => `b${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`;
    for (let i = 0; i < 50_000; i++) await w.nameOf(user(i));
    expect(w.seen.crmNameReads).toBe(50_000);
    await w.nameOf(user(0)); // now the most recently used
    await w.nameOf(user(50_000)); // one more than fits: user 1 goes
    expect(w.seen.crmNameReads).toBe(50_001);
    await w.nameOf(user(0));
    await w.nameOf(user(49_999));
    expect(w.seen.crmNameReads).toBe(50_001);
    await w.nameOf(user(1));
    expect(w.seen.crmNameReads).toBe(50_002);
  });

  it('reads an active org once per 5 seconds and never keeps one that is not active', async () => {
    const w = world();
    await w.org();
    await w.org();
    expect(w.seen.orgReads).toBe(1);
    await advanceLruClock(5_500);
    await w.org();
    expect(w.seen.orgReads).toBe(2);

    const other = world();
    other.setOrgStatus('onboarding');
    await expect(other.org()).rejects.toMatchObject({ code: 'ORG_NOT_ACTIVE' });
    other.setOrgStatus('active');
    await other.org();
    expect(other.seen.orgReads).toBe(2);
  });
});
