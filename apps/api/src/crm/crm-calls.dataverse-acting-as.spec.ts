import { Logger } from '@nestjs/common';
import { CrmAuthError } from '@onbehalf/crm-auth';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserMappingsService } from '../user-mappings/user-mappings.service';
import { ctx, dataverseCalls, DV, JON, JON_OID } from './testing/crm-calls-fakes';

/**
 * CrmCallsService on a Dataverse org: whom a call acts for (Entra object id or systemuserid), what is read to
 * resolve it, what is cached, and what a failed call evicts. Its OrgSession, ledger and mappings are faked.
 */

const ANN = '44444444-0000-4000-8000-00000000000e';
const ANN_OID = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';

interface Opts {
  /** What retrieveRecord of a systemuser does: answer these fields, or throw. */
  systemuser?: Record<string, unknown> | Error;
  /** What createRecord does: answer an id, or throw. */
  createFails?: Error;
  /** ledger.complete throws this. */
  completeFails?: Error;
}

function world(opts: Opts = {}) {
  const evicted: unknown[][] = [];
  const users: Record<string, { userId: string; fullName: string }> = {
    [JON_OID]: { userId: JON.toUpperCase(), fullName: 'Jon Wilson' },
    [ANN_OID]: { userId: ANN.toUpperCase(), fullName: 'Ann Beebe' },
  };
  const mappings = {
    evictUser: async (...args: unknown[]) => void evicted.push(args),
  } as unknown as UserMappingsService;
  const {
    svc,
    sent,
    begun: ledger,
  } = dataverseCalls({
    session: (op, args) => {
      if (op === 'resolveUserId') {
        const u = users[(args[0] as { entraObjectId?: string } | undefined)?.entraObjectId ?? ''];
        if (!u) throw new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', 'no such user');
        return { ...u, disabled: false };
      }
      if (op === 'retrieveRecord') {
        const s = opts.systemuser ?? { fullname: 'Jon Wilson' };
        if (s instanceof Error) throw s;
        return { entity: 'systemuser', id: JON, fields: s };
      }
      if (op === 'createRecord') {
        if (opts.createFails) throw opts.createFails;
        return { id: 'rec-1' };
      }
      return undefined;
    },
    complete: async () => {
      if (opts.completeFails) throw opts.completeFails;
    },
    mappings,
  });
  return { svc, sent, ledger, evicted, ops: (op: string) => sent.filter((x) => x.op === op) };
}

describe('CrmCallsService on Dataverse: whom a call acts for', () => {
  afterEach(() => {
    Logger.overrideLogger(new Logger()); // back to Nest's default: a console logger per context
  });

  it('resolves an Entra object id given in braces without them, sending resolveUserId that object id', async () => {
    const w = world();
    const who = await w.svc.actingAs(DV, { entraObjectId: `{${JON_OID.toUpperCase()}}` }, 'dataverse');
    expect(who).toStrictEqual({ id: JON, name: 'Jon Wilson', puid: null, entraObjectId: JON_OID });
    expect(w.ops('resolveUserId').map((x) => x.args[0])).toStrictEqual([{ entraObjectId: JON_OID }]);
  });

  it('caches each Entra object id apart: a second user of the same org is resolved, not given the first', async () => {
    const w = world();
    const jon = await w.svc.actingAs(DV, { entraObjectId: JON_OID }, 'dataverse');
    const ann = await w.svc.actingAs(DV, { entraObjectId: ANN_OID }, 'dataverse');
    expect(jon).toMatchObject({ id: JON, name: 'Jon Wilson' });
    expect(ann).toMatchObject({ id: ANN, name: 'Ann Beebe', entraObjectId: ANN_OID });
    expect(w.ops('resolveUserId')).toHaveLength(2);
  });

  it('refuses an Entra object id given with a user id, naming the three ways to name the user', async () => {
    await expect(
      world().svc.actingAs(DV, { entraObjectId: JON_OID, userId: JON }, 'dataverse'),
    ).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_ON_BEHALF_OF',
      message: 'Give one of onBehalfOf.entraObjectId, onBehalfOf.userId or onBehalfOf.puid, not several.',
    });
  });

  it('names a systemuserid by reading its fullname from the systemuser row, once per user while cached', async () => {
    const w = world();
    const first = await w.svc.actingAs(DV, { userId: JON.toUpperCase() }, 'dataverse');
    const again = await w.svc.actingAs(DV, { userId: JON }, 'dataverse');
    expect(first).toStrictEqual({ id: JON, name: 'Jon Wilson', puid: null });
    expect(again).toStrictEqual({ id: JON, name: 'Jon Wilson', puid: null });
    expect(w.ops('retrieveRecord').map((x) => x.args)).toStrictEqual([
      [{ entity: 'systemuser', id: JON, columns: ['fullname'] }],
    ]);
  });

  it('a systemuser row whose fullname is not a string names the user null', async () => {
    const w = world({ systemuser: { fullname: null } });
    expect(await w.svc.actingAs(DV, { userId: JON }, 'dataverse')).toStrictEqual({
      id: JON,
      name: null,
      puid: null,
    });
  });

  it('a systemuser read failing otherwise than not-found names the user null, and the call goes on', async () => {
    const w = world({ systemuser: new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no read on systemuser') });
    expect(await w.svc.actingAs(DV, { userId: JON }, 'dataverse')).toStrictEqual({
      id: JON,
      name: null,
      puid: null,
    });
  });

  it('a systemuserid no user has is 400 INVALID_ON_BEHALF_OF naming it and pointing to entraObjectId, before any ledger row or call', async () => {
    const w = world({ systemuser: new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', 'no such systemuser') });
    await expect(w.svc.create(DV, 'account', { name: 'a' }, { userId: JON_OID }, ctx)).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_ON_BEHALF_OF',
      message: `No user of this Dataverse environment has the systemuserid ${JON_OID}. If it is an Entra object id, give it as onBehalfOf.entraObjectId: Dataverse would ignore it as a systemuserid and run the call as the application user.`,
    });
    expect(w.ledger).toEqual([]);
    expect(w.ops('createRecord')).toEqual([]);
  });

  it('a call refused because the Entra-named user is disabled forgets that user (resolved again next time), not a CRM 4.0 mapping', async () => {
    const w = world({ createFails: new CrmAuthError('ERR_CRM_USER_DISABLED', 'disabled') });
    for (let i = 0; i < 2; i++)
      await expect(
        w.svc.create(DV, 'account', { name: 'a' }, { entraObjectId: JON_OID }, ctx),
      ).rejects.toMatchObject({ status: 403, code: 'CRM_USER_DISABLED' });
    expect(w.ops('resolveUserId')).toHaveLength(2);
    expect(w.evicted).toEqual([]);
  });

  it('a ledger row that cannot be completed is warned about under the crm-calls logger', async () => {
    const warnings: unknown[][] = [];
    Logger.overrideLogger({
      log: () => undefined,
      error: () => undefined,
      warn: (...args: unknown[]) => void warnings.push(args),
    });
    const w = world({ completeFails: new Error('db gone') });
    await expect(w.svc.create(DV, 'account', { name: 'a' }, undefined, ctx)).resolves.toMatchObject({
      id: 'rec-1',
    });
    expect(warnings).toEqual([['ledger row ledger-1 could not be completed: db gone', 'crm-calls']]);
  });
});
