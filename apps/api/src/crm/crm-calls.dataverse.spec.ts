import { CrmAuthError } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { APP, ctx, dataverseCalls, DV, JON, JON_OID } from './testing/crm-calls-fakes';

/** CrmCallsService on a Dataverse org, its OrgSession and ledger faked: what is sent, and what the ledger records. */

function world(opts: { kind?: 'crm4' | 'dataverse'; resolveFails?: Error } = {}) {
  const {
    svc,
    sent,
    begun: ledger,
  } = dataverseCalls({
    kind: opts.kind,
    session: (op) => {
      if (op === 'resolveUserId') {
        if (opts.resolveFails) throw opts.resolveFails;
        return { userId: JON.toUpperCase(), fullName: 'Jon Wilson', disabled: false };
      }
      if (op === 'createRecord') return { id: 'rec-1' };
      if (op === 'retrieveRecord')
        return {
          entity: 'account',
          id: 'rec-1',
          fields: {
            name: 'Fourth Coffee',
            telephone1: 555,
            donotemail: false,
            createdby: { id: JON, type: 'systemuser' },
          },
        };
      if (op === 'whoAmI') return { userId: APP, businessUnitId: 'bu', organizationId: 'o' };
      return undefined;
    },
  });
  return { svc, sent, ledger };
}

describe('CrmCallsService: Dataverse orgs', () => {
  it('sends a Create on behalf of an Entra object id as such, and records the systemuserid and name it resolves to', async () => {
    const w = world();
    const r = await w.svc.create(
      DV,
      'account',
      { name: 'Fourth Coffee', numberofemployees: 12 },
      { entraObjectId: JON_OID.toUpperCase() },
      ctx,
    );
    expect(r.id).toBe('rec-1');
    const create = w.sent.find((x) => x.op === 'createRecord')!;
    expect(create.args).toEqual([
      { entity: 'account', fields: { name: 'Fourth Coffee', numberofemployees: 12 } },
      { onBehalfOf: { entraObjectId: JON_OID } },
    ]);
    expect(w.ledger[0]).toMatchObject({
      operation: 'Create',
      serviceAccountId: APP,
      onBehalfOfId: JON,
      onBehalfOfName: 'Jon Wilson',
      onBehalfOfPuid: null,
    });
  });

  it('resolves an Entra object id once per org while cached', async () => {
    const w = world();
    await w.svc.create(DV, 'account', { name: 'a' }, { entraObjectId: JON_OID }, ctx);
    await w.svc.create(DV, 'account', { name: 'b' }, { entraObjectId: JON_OID }, ctx);
    expect(w.sent.filter((x) => x.op === 'resolveUserId')).toHaveLength(1);
  });

  it('an Entra object id no user of the environment has is 404 CRM_OBJECT_NOT_FOUND, with no ledger row', async () => {
    const w = world({ resolveFails: new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', 'no such user') });
    await expect(
      w.svc.create(DV, 'account', { name: 'a' }, { entraObjectId: JON_OID }, ctx),
    ).rejects.toMatchObject({ status: 404, code: 'CRM_OBJECT_NOT_FOUND' });
    expect(w.ledger).toEqual([]);
  });

  it('sends a call on behalf of a systemuserid by MSCRMCallerID (userId)', async () => {
    const w = world();
    await w.svc.update(DV, 'account', 'rec-1', { name: 'x' }, { userId: JON }, ctx);
    expect(w.sent.find((x) => x.op === 'updateRecord')!.args).toEqual([
      { entity: 'account', id: 'rec-1', fields: { name: 'x' } },
      { onBehalfOf: { userId: JON } },
    ]);
  });

  it('refuses a PUID on a Dataverse org, and an Entra object id on a CRM 4.0 org, with 400 INVALID_ON_BEHALF_OF naming the platform', async () => {
    await expect(
      world().svc.create(DV, 'account', { name: 'a' }, { puid: '0003BFFD8F3A5B21' }, ctx),
    ).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_ON_BEHALF_OF',
      message: expect.stringMatching(/^This org runs on Dataverse: /),
    });
    await expect(world({ kind: 'crm4' }).svc.actingAs(DV, { entraObjectId: JON_OID })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_ON_BEHALF_OF',
      message: expect.stringMatching(/^This org runs CRM 4\.0: /),
    });
  });

  it('refuses an Entra object id given with a user id', async () => {
    await expect(
      world().svc.actingAs(DV, { entraObjectId: JON_OID, userId: JON }, 'dataverse'),
    ).rejects.toMatchObject({ status: 400, code: 'INVALID_ON_BEHALF_OF' });
  });

  it('reads the columns asked for, numbers and yes/no as text as CRM 4.0 gives them; all columns is 400', async () => {
    const w = world();
    expect(
      await w.svc.retrieve(DV, 'account', 'rec-1', ['name', 'telephone1', 'donotemail', 'createdby'], ctx),
    ).toEqual({
      entity: {
        logicalName: 'account',
        attributes: {
          name: 'Fourth Coffee',
          telephone1: '555',
          donotemail: 'false',
          createdby: { id: JON, type: 'systemuser' },
        },
      },
    });
    await expect(w.svc.retrieve(DV, 'account', 'rec-1', 'all', ctx)).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_COLUMNS',
    });
  });

  it('refuses with 400, before any ledger row or call, a column name over 64 characters or a lookup id that is not a GUID (crm-auth would refuse them as its caller’s bug, a 500)', async () => {
    const w = world();
    const long = `a${'b'.repeat(64)}`;
    await expect(w.svc.create(DV, 'account', { [long]: 'x' }, undefined, ctx)).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_ATTRIBUTE',
    });
    await expect(
      w.svc.create(
        DV,
        'account',
        { parentaccountid: { id: '-'.repeat(36), type: 'account' } },
        undefined,
        ctx,
      ),
    ).rejects.toMatchObject({ status: 400, code: 'INVALID_ATTRIBUTE' });
    await expect(w.svc.retrieve(DV, 'account', 'rec-1', ['name', long], ctx)).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_COLUMNS',
    });
    expect(w.ledger).toEqual([]);
    expect(w.sent).toEqual([]);
  });

  it('refuses listing records on a Dataverse org with 409 ORG_PLATFORM, before any ledger row', async () => {
    const w = world();
    await expect(
      w.svc.list(DV, 'account', { columns: 'all', page: 1, pageSize: 10, filters: {} }, ctx),
    ).rejects.toMatchObject({ status: 409, code: 'ORG_PLATFORM' });
    expect(w.ledger).toEqual([]);
  });
});
