import { describe, expect, it } from 'vitest';
import { ctx, dataverseCalls, DV, JON, JON_OID } from './testing/crm-calls-fakes';

/**
 * CrmCallsService on a Dataverse org, its OrgSession and ledger faked: WhoAmI and Retrieve on behalf of an Entra user
 * (what is sent, what the ledger records), the record id a Create's ledger row is completed with, typed column values
 * as sent, and the exact messages of the 400/409 refusals callers read.
 */

const PARENT = 'a1b2c3d4-0000-4000-8000-0000000000aa';

function world() {
  const completed: Array<{ ledgerId: string; result: Record<string, unknown> }> = [];
  const { svc, sent, begun } = dataverseCalls({
    session: (op) => {
      if (op === 'resolveUserId') return { userId: JON, fullName: 'Jon Wilson', disabled: false };
      if (op === 'createRecord') return { id: 'rec-1' };
      if (op === 'retrieveRecord')
        return { entity: 'account', id: 'rec-1', fields: { name: 'Fourth Coffee' } };
      if (op === 'whoAmI') return { userId: JON, businessUnitId: 'bu-1', organizationId: 'org-1' };
      return undefined;
    },
    complete: async (...a: unknown[]) => {
      const [, ledgerId, result] = a as [string, string, Record<string, unknown>];
      completed.push({ ledgerId, result });
    },
  });
  return { svc, sent, begun, completed };
}

describe('CrmCallsService on a Dataverse org: WhoAmI, Retrieve, Create ledger and refusals', () => {
  it('sends WhoAmI through the OrgSession on behalf of an Entra object id, returns its answer and records a WhoAmI ledger row', async () => {
    const w = world();
    expect(await w.svc.whoAmI(DV, { entraObjectId: JON_OID }, ctx)).toEqual({
      userId: JON,
      businessUnitId: 'bu-1',
      organizationId: 'org-1',
    });
    expect(w.sent.find((x) => x.op === 'whoAmI')!.args).toEqual([{ onBehalfOf: { entraObjectId: JON_OID } }]);
    expect(w.begun).toEqual([
      expect.objectContaining({
        operation: 'WhoAmI',
        entity: null,
        onBehalfOfId: JON,
        onBehalfOfName: 'Jon Wilson',
      }),
    ]);
  });

  it('sends a Retrieve on behalf of an Entra object id with the entity, id and columns, and records a Retrieve ledger row', async () => {
    const w = world();
    expect(await w.svc.retrieve(DV, 'account', 'rec-1', ['name'], ctx, { entraObjectId: JON_OID })).toEqual({
      entity: { logicalName: 'account', attributes: { name: 'Fourth Coffee' } },
    });
    expect(w.sent.find((x) => x.op === 'retrieveRecord')!.args).toEqual([
      { entity: 'account', id: 'rec-1', columns: ['name'] },
      { onBehalfOf: { entraObjectId: JON_OID } },
    ]);
    expect(w.begun).toEqual([
      expect.objectContaining({
        operation: 'Retrieve',
        entity: 'account',
        recordId: 'rec-1',
        onBehalfOfId: JON,
      }),
    ]);
  });

  it('completes a Create’s ledger row with the id of the record Dataverse created', async () => {
    const w = world();
    await w.svc.create(DV, 'account', { name: 'a' }, undefined, ctx);
    expect(w.completed).toEqual([
      { ledgerId: 'ledger-1', result: expect.objectContaining({ recordId: 'rec-1' }) },
    ]);
  });

  it('sends yes/no as booleans and a lookup with its id unbraced and lower-cased', async () => {
    const w = world();
    await w.svc.create(
      DV,
      'account',
      { name: 'a', donotemail: true, parentaccountid: { id: `{${PARENT.toUpperCase()}}`, type: 'account' } },
      undefined,
      ctx,
    );
    expect(w.sent.find((x) => x.op === 'createRecord')!.args[0]).toEqual({
      entity: 'account',
      fields: { name: 'a', donotemail: true, parentaccountid: { id: PARENT, type: 'account' } },
    });
  });

  it('tells the caller why: listing on Dataverse, all columns, a column or attribute name over 64 characters (its first 40 shown), a lookup id that is not a GUID', async () => {
    const w = world();
    const long = `a${'b'.repeat(64)}`;
    const shown = `a${'b'.repeat(39)}`;
    await expect(
      w.svc.list(DV, 'account', { columns: 'all', page: 1, pageSize: 10, filters: {} }, ctx),
    ).rejects.toMatchObject({
      message:
        'This org runs on Dataverse: listing records (RetrieveMultiple) exists for CRM 4.0 orgs only so far.',
    });
    await expect(w.svc.retrieve(DV, 'account', 'rec-1', 'all', ctx)).rejects.toMatchObject({
      code: 'INVALID_COLUMNS',
      message: 'This org runs on Dataverse: name the columns to read (?columns=name,createdby).',
    });
    await expect(w.svc.retrieve(DV, 'account', 'rec-1', ['name', long], ctx)).rejects.toMatchObject({
      code: 'INVALID_COLUMNS',
      message: `"${shown}…" is longer than a Dataverse column's logical name (at most 64 characters).`,
    });
    await expect(w.svc.create(DV, 'account', { [long]: 'x' }, undefined, ctx)).rejects.toMatchObject({
      code: 'INVALID_ATTRIBUTE',
      message: `"${shown}…" is longer than a Dataverse column's logical name (at most 64 characters).`,
    });
    await expect(
      w.svc.create(
        DV,
        'account',
        { parentaccountid: { id: '-'.repeat(36), type: 'account' } },
        undefined,
        ctx,
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_ATTRIBUTE',
      message: 'The lookup parentaccountid needs a GUID id and an entity type.',
    });
    expect(w.sent).toEqual([]);
  });
});
