import { describe, expect, it } from 'vitest';
import type { Attempt } from '../idempotency/idempotency.service';
import { ctx, dataverseCalls, DV, fakeKeys } from './testing/crm-calls-fakes';

/**
 * Keyed Create and Update (createOnce, updateOnce) and the plain Update on a Dataverse org, over fakes: the
 * OrgSession (runOrg) records what it is sent, the ledger the rows it begins; CRM 4.0's session (run) refuses.
 */

const REC = '44444444-0000-4000-8000-000000000001';

function world(attempt: Partial<Attempt> = {}) {
  const recoveredRows: unknown[][] = [];
  const {
    svc,
    sent,
    begun: ledger,
  } = dataverseCalls({
    session: (op, args) => {
      if (op === 'createRecord') {
        const { fields } = args[0] as { fields: Record<string, string> };
        return { id: fields.accountid!.toUpperCase() };
      }
      if (op === 'retrieveRecord') return { entity: 'account', id: REC, fields: {} };
      return undefined;
    },
    ledgerId: 'ledger-new',
    completeRecovered: async (...a: unknown[]) => void recoveredRows.push(a),
    keys: fakeKeys(attempt),
  });
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
