import type { EntityManager } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { Principal, RequestContext } from '../common/principal';
import type { AdminAuditFilters, AdminAuditRepository, NewAdminAuditRow } from './admin-audit.repository';
import { AdminAuditService } from './admin-audit.service';

const ADMIN: Principal = {
  kind: 'session',
  userId: '11111111-0000-4000-8000-000000000001',
  email: 'ann@contoso.example',
  name: 'Ann',
  role: 'admin',
  sessionId: '22222222-0000-4000-8000-000000000002',
  apiKeyId: null,
};

/** An AdminAuditService over a fake repository that records the rows it is given and the pages it is asked for. */
function world() {
  const inserted: { row: NewAdminAuditRow; manager: EntityManager | undefined }[] = [];
  const pages: [number, string | undefined, AdminAuditFilters][] = [];
  const repo = {
    insert: async (row: NewAdminAuditRow, manager?: EntityManager) => void inserted.push({ row, manager }),
    page: async (limit: number, beforeId: string | undefined, filters: AdminAuditFilters) => {
      pages.push([limit, beforeId, filters]);
      return [];
    },
  } as unknown as AdminAuditRepository;
  return { svc: new AdminAuditService(repo), inserted, pages };
}

const ctx = (c: Partial<RequestContext> = {}): RequestContext => ({
  principal: ADMIN,
  requestId: 'req-1',
  ip: '192.0.2.7',
  userAgent: 'Mozilla/5.0',
  ...c,
});

describe('AdminAuditService.record', () => {
  it('stamps the entry with who did it, from where, in which request; a success unless told', async () => {
    const w = world();
    await w.svc.record(ctx(), {
      action: 'org.create',
      target: 'org-1',
      orgId: 'org-1',
      diff: { name: 'Contoso' },
    });
    expect(w.inserted).toStrictEqual([
      {
        row: {
          actorId: ADMIN.userId,
          actorEmail: 'ann@contoso.example',
          sessionId: ADMIN.sessionId,
          ip: '192.0.2.7',
          userAgent: 'Mozilla/5.0',
          requestId: 'req-1',
          orgId: 'org-1',
          action: 'org.create',
          target: 'org-1',
          outcome: 'success',
          diff: { name: 'Contoso' },
        },
        manager: undefined,
      },
    ]);
  });

  it('writes nulls for what an anonymous request and a bare entry lack, and the email the entry names', async () => {
    const w = world();
    await w.svc.record(ctx({ principal: null, requestId: '', ip: null, userAgent: null }), {
      action: 'auth.login',
      outcome: 'failure',
      actorEmail: 'who@contoso.example',
    });
    expect(w.inserted.map((i) => i.row)).toStrictEqual([
      {
        actorId: null,
        actorEmail: 'who@contoso.example',
        sessionId: null,
        ip: null,
        userAgent: null,
        requestId: null,
        orgId: null,
        action: 'auth.login',
        target: null,
        outcome: 'failure',
        diff: null,
      },
    ]);
  });

  it("prefers the entry's email to the principal's, and keeps the first 300 characters of the user agent", async () => {
    const w = world();
    await w.svc.record(ctx({ userAgent: 'x'.repeat(301) }), {
      action: 'a',
      actorEmail: 'other@contoso.example',
    });
    expect(w.inserted[0]!.row).toMatchObject({
      actorEmail: 'other@contoso.example',
      userAgent: 'x'.repeat(300),
    });
  });

  it("writes through the change's transaction when given its manager", async () => {
    const w = world();
    const manager = { name: 'tx' } as unknown as EntityManager;
    await w.svc.record(ctx(), { action: 'a' }, manager);
    expect(w.inserted[0]!.manager).toBe(manager);
  });
});

describe('AdminAuditService.page', () => {
  it('asks for the page with no filters unless given', async () => {
    const w = world();
    await w.svc.page(50);
    await w.svc.page(10, '99', { action: 'org.create' });
    expect(w.pages).toStrictEqual([
      [50, undefined, {}],
      [10, '99', { action: 'org.create' }],
    ]);
  });
});
