import { CrmAuthError } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../common/principal';
import type { MetricsService } from '../metrics/metrics.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { UserMappingsService } from '../user-mappings/user-mappings.service';
import { CrmCallsService } from './crm-calls.service';
import type { LedgerService } from './ledger.service';

/**
 * Edges of the call path that crm-calls.service.spec leaves open: how a user id's name is settled
 * when neither the mapping table nor CRM gives a usable one, which failures count as CRM faults, and
 * the case of a lookup's GUID. Every collaborator is a fake that records what it is given.
 */

const ORG = '11111111-0000-4000-8000-000000000001';
const USER = 'abcdef12-0000-4000-8000-00000000000c';
const ctx: RequestContext = { principal: null, requestId: 'req-1', ip: null, userAgent: null };

function world(o: { mappedName?: string | null; crmUser?: Record<string, unknown>; fail?: Error }) {
  const sent: unknown[][] = [];
  const metrics: unknown[][] = [];
  const session = {
    retrieve: async (...args: unknown[]) => {
      sent.push(['retrieve', ...args]);
      if (o.fail) throw o.fail;
      return { entity: { logicalName: 'systemuser', attributes: o.crmUser ?? {} } };
    },
    create: async (...args: unknown[]) => {
      sent.push(['create', ...args]);
      if (o.fail) throw o.fail;
      return { id: USER };
    },
  };
  const tickets = {
    run: async (_org: string, fn: (s: unknown) => unknown) => fn(session),
  } as unknown as TicketsService;
  const orgs = {
    find: async () => ({
      id: ORG,
      status: 'active',
      friendlyName: 'Contoso',
      serviceAccountUserId: USER,
      serviceAccountName: 'ERP_Integration',
    }),
  } as unknown as OrgDirectory;
  const mappings = { fullNameOf: async () => o.mappedName ?? null } as unknown as UserMappingsService;
  const ledger = {
    begin: async () => 'ledger-1',
    complete: async () => undefined,
    fail: async () => undefined,
  } as unknown as LedgerService;
  const metricsFake = {
    observeCall: () => undefined,
    incFault: (...a: unknown[]) => metrics.push(a),
  } as unknown as MetricsService;
  return { svc: new CrmCallsService(orgs, tickets, mappings, ledger, metricsFake), sent, metrics };
}

describe('CrmCallsService edges', () => {
  it('names a user id null (not undefined) when CRM answers the systemuser without a text fullname', async () => {
    for (const crmUser of [{}, { fullname: 42 }]) {
      const w = world({ crmUser });
      const actor = await w.svc.actingAs(ORG, { userId: USER });
      expect(actor).toStrictEqual({ id: USER, name: null, puid: null });
    }
  });

  it('names a user id null when the mapping table holds an empty name and the CRM lookup fails', async () => {
    const w = world({ mappedName: '', fail: new CrmAuthError('ERR_TIMEOUT', 'slow') });
    const actor = await w.svc.actingAs(ORG, { userId: USER });
    expect(actor).toStrictEqual({ id: USER, name: null, puid: null });
    expect(w.sent).toHaveLength(1);
  });

  it('counts a CRM fault only when CRM sent a fault code: a connection failure is not a fault', async () => {
    const w = world({ fail: new CrmAuthError('ERR_CONNECTION_RESET', 'reset') });
    await expect(w.svc.create(ORG, 'account', { name: 'x' }, undefined, ctx)).rejects.toBeDefined();
    expect(w.metrics).toEqual([]);
  });

  it('sends a lookup GUID given in upper case, with braces, as lower case without them', async () => {
    const w = world({});
    await w.svc.create(
      ORG,
      'account',
      { primarycontactid: { id: `{${USER.toUpperCase()}}`, type: 'contact' } },
      undefined,
      ctx,
    );
    const [, entity] = w.sent[0] as [string, { attributes: Record<string, unknown> }];
    expect(entity.attributes.primarycontactid).toEqual({ id: USER, type: 'contact' });
  });
});
