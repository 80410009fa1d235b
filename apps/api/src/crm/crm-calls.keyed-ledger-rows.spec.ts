import { CrmAuthError } from '@onbehalf/crm-auth';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DomainException } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import type { Attempt } from '../idempotency/idempotency.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { UserMappingsService } from '../user-mappings/user-mappings.service';
import { CrmCallsService } from './crm-calls.service';
import type { LedgerService } from './ledger.service';
import { fakeKeys, fakeMetrics } from './testing/crm-calls-fakes';

/**
 * Keyed Create and Update and their ledger rows: which row a recovery may complete (only one the first attempt
 * wrote), what a failed completion leaves for the operator, which operation and record the rows name, and the
 * 400 for a primary key that is not a GUID.
 */

const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const ctx: RequestContext = { principal: null, requestId: 'req-1', ip: null, userAgent: null };
const duplicate = () =>
  new CrmAuthError('ERR_CRM_FAULT', 'Cannot insert duplicate key', {
    faultCode: '0x80040237',
    notExecuted: true,
  });

function world(o: { attempt?: Partial<Attempt>; createFails?: Error; recoveredFails?: Error } = {}) {
  const ledger: unknown[][] = [];
  const recovered: unknown[][] = [];
  const crm: string[] = [];
  const session = {
    create: async (e: { attributes: Record<string, string> }) => {
      crm.push('create');
      if (o.createFails) throw o.createFails;
      return { id: e.attributes.accountid!.toUpperCase() };
    },
    update: async () => void crm.push('update'),
    retrieve: async () => {
      crm.push('retrieve');
      return { entity: { logicalName: 'account', attributes: {} } };
    },
  };
  const tickets = {
    run: async (_o: string, fn: (s: unknown) => unknown) => fn(session),
  } as unknown as TicketsService;
  const orgs = {
    find: async () => ({ id: ORG, status: 'active', serviceAccountUserId: 'svc', serviceAccountName: 'svc' }),
  } as unknown as OrgDirectory;
  const ledgerFake = {
    begin: async (row: unknown) => {
      ledger.push(['begin', row]);
      return 'ledger-new';
    },
    complete: async (...a: unknown[]) => void ledger.push(['complete', ...a]),
    fail: async (...a: unknown[]) => void ledger.push(['fail', ...a]),
    completeRecovered: async (...a: unknown[]) => {
      recovered.push(a);
      if (o.recoveredFails) throw o.recoveredFails;
    },
  } as unknown as LedgerService;
  const svc = new CrmCallsService(
    orgs,
    tickets,
    {} as UserMappingsService,
    ledgerFake,
    fakeMetrics(),
    fakeKeys(o.attempt),
  );
  return { svc, ledger, recovered, crm };
}

afterEach(() => vi.restoreAllMocks());

describe('keyed Create: recovery needs the first attempt to have written its ledger row', () => {
  it('a recovering attempt whose first attempt never wrote a ledger row, refused as a duplicate key, fails with CRM_FAULT and completes no row', async () => {
    const w = world({
      attempt: { recordId: REC, ledgerId: null, recovering: true },
      createFails: duplicate(),
    });
    const err = await w.svc
      .createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1')
      .catch((e: unknown) => e);
    expect((err as DomainException).code).toBe('CRM_FAULT');
    expect(w.recovered).toEqual([]);
    expect(w.crm).toEqual(['create']);
  });
});

describe('keyed Create: a recovered row that cannot be completed', () => {
  it('still answers the record and the first ledger row, and warns naming that row and the error', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const w = world({
      attempt: { recordId: REC, ledgerId: 'ledger-first', recovering: true },
      recoveredFails: new Error('connection reset'),
    });
    const r = await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    expect(r.body).toEqual({ id: REC, ledgerId: 'ledger-first' });
    expect(w.recovered).toEqual([[ORG, 'ledger-first', REC]]);
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ledger-first');
    expect(lines[0]).toContain('connection reset');
  });
});

describe('keyed Create and Update: the ledger rows', () => {
  it("a keyed Create's row is completed with the id CRM answered", async () => {
    const w = world();
    const r = await w.svc.createOnce(ORG, 'account', { name: 'a', accountid: REC }, undefined, ctx, 'k-1');
    expect(r.body.id).toBe(REC);
    expect(w.ledger[1]).toMatchObject(['complete', ORG, 'ledger-new', { recordId: REC.toUpperCase() }]);
  });

  it("a keyed Update's row is written as an Update of the record", async () => {
    const w = world();
    await w.svc.updateOnce(ORG, 'account', REC, { name: 'b' }, undefined, ctx, 'k-1');
    expect(w.ledger[0]).toMatchObject(['begin', { operation: 'Update', entity: 'account', recordId: REC }]);
  });

  it('a primary key that is not a GUID is 400 INVALID_ATTRIBUTE naming the attribute', async () => {
    const w = world();
    const err = await w.svc
      .createOnce(ORG, 'account', { accountid: 'not-a-guid' }, undefined, ctx, 'k-1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainException);
    expect((err as DomainException).code).toBe('INVALID_ATTRIBUTE');
    expect((err as DomainException).message).toContain('accountid');
    expect(w.crm).toEqual([]);
  });
});
