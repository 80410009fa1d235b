import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../common/principal';
import type { Attempt, IdempotencyService, KeyClaim, KeyReply } from '../idempotency/idempotency.service';
import type { MetricsService } from '../metrics/metrics.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { UserMappingsService } from '../user-mappings/user-mappings.service';
import { CrmCallsService } from './crm-calls.service';
import type { LedgerService } from './ledger.service';

/**
 * Keyed Create and Update (createOnce, updateOnce) and the plain Update on a Dataverse org, over fakes: the
 * OrgSession (runOrg) records what it is sent, the ledger the rows it begins; CRM 4.0's session (run) refuses.
 */

const DV = '11111111-0000-4000-8000-00000000000d';
const APP = '22222222-0000-4000-8000-00000000000a';
const REC = '44444444-0000-4000-8000-000000000001';
const ctx = { principal: null, requestId: 'req-1', ip: null, userAgent: null } as unknown as RequestContext;

function world(attempt: Partial<Attempt> = {}) {
  const sent: Array<{ op: string; args: unknown[] }> = [];
  const ledger: Array<Record<string, unknown>> = [];
  const recoveredRows: unknown[][] = [];
  const session = new Proxy(
    {},
    {
      get:
        (_t, op: string) =>
        async (...args: unknown[]) => {
          sent.push({ op, args });
          if (op === 'createRecord') {
            const { fields } = args[0] as { fields: Record<string, string> };
            return { id: fields.accountid!.toUpperCase() };
          }
          if (op === 'retrieveRecord') return { entity: 'account', id: REC, fields: {} };
          return undefined;
        },
    },
  );
  const tickets = {
    run: async () => {
      throw new Error('run() is CRM 4.0 only');
    },
    runOrg: async (_orgId: string, fn: (s: unknown) => Promise<unknown>) => fn(session),
  } as unknown as TicketsService;
  const orgs = {
    find: async () => ({
      id: DV,
      kind: 'dataverse',
      status: 'active',
      friendlyName: 'Contoso DV',
      serviceAccountUserId: APP,
      serviceAccountName: 'ISV app',
    }),
  } as unknown as OrgDirectory;
  const ledgerFake = {
    begin: async (row: Record<string, unknown>) => {
      ledger.push(row);
      return 'ledger-new';
    },
    complete: async () => undefined,
    fail: async () => undefined,
    completeRecovered: async (...a: unknown[]) => void recoveredRows.push(a),
  } as unknown as LedgerService;
  const metrics = { observeCall: () => undefined, incFault: () => undefined } as unknown as MetricsService;
  const keys = {
    run: async (c: KeyClaim, work: (a: Attempt) => Promise<KeyReply>) => {
      const r = await work({
        recordId: c.recordId,
        ledgerId: null,
        recovering: false,
        started: async () => undefined,
        ...attempt,
      });
      return { status: r.status, body: r.body, replayed: false };
    },
  } as unknown as IdempotencyService;
  const svc = new CrmCallsService(orgs, tickets, {} as UserMappingsService, ledgerFake, metrics, keys);
  return { svc, sent, ledger, recoveredRows };
}

describe('CrmCallsService: keyed writes and Update on a Dataverse org', () => {
  it('createOnce sends createRecord through the OrgSession with the typed fields and the chosen primary key', async () => {
    const w = world();
    const r = await w.svc.createOnce(
      DV,
      'account',
      { name: 'Fourth Coffee', numberofemployees: 12, accountid: REC },
      undefined,
      ctx,
      'k-1',
    );
    expect(w.sent).toEqual([
      {
        op: 'createRecord',
        args: [
          { entity: 'account', fields: { name: 'Fourth Coffee', numberofemployees: 12, accountid: REC } },
          {},
        ],
      },
    ]);
    expect(r).toEqual({ body: { id: REC, ledgerId: 'ledger-new' }, replayed: false });
  });

  it('a recovering createOnce asks the OrgSession for the record by its primary key column and, found, completes the first row without a Create', async () => {
    const w = world({ recordId: REC, ledgerId: 'ledger-first', recovering: true });
    const r = await w.svc.createOnce(DV, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    expect(w.sent).toEqual([
      { op: 'retrieveRecord', args: [{ entity: 'account', id: REC, columns: ['accountid'] }] },
    ]);
    expect(w.recoveredRows).toEqual([[DV, 'ledger-first', REC]]);
    expect(r).toEqual({ body: { id: REC, ledgerId: 'ledger-first' }, replayed: false });
  });

  it('updateOnce sends updateRecord through the OrgSession with the typed fields', async () => {
    const w = world();
    const r = await w.svc.updateOnce(
      DV,
      'account',
      REC,
      { name: 'x', numberofemployees: 12 },
      undefined,
      ctx,
      'k-1',
    );
    expect(w.sent).toEqual([
      {
        op: 'updateRecord',
        args: [{ entity: 'account', id: REC, fields: { name: 'x', numberofemployees: 12 } }, {}],
      },
    ]);
    expect(w.ledger[0]).toMatchObject({ operation: 'Update', entity: 'account', recordId: REC });
    expect(r).toEqual({ body: { ledgerId: 'ledger-new' }, replayed: false });
  });

  it('update records an Update ledger row and answers with its id', async () => {
    const w = world();
    expect(await w.svc.update(DV, 'account', REC, { name: 'x' }, undefined, ctx)).toEqual({
      ledgerId: 'ledger-new',
    });
    expect(w.ledger).toHaveLength(1);
    expect(w.ledger[0]).toMatchObject({ operation: 'Update', entity: 'account', recordId: REC });
  });
});
