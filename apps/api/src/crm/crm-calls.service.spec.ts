import { CrmAuthError, type CrmAuthErrorCode } from '@onbehalf/crm-auth';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainException } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import type { MetricsService } from '../metrics/metrics.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { UserMappingsService } from '../user-mappings/user-mappings.service';
import { CrmCallsService } from './crm-calls.service';
import type { LedgerService } from './ledger.service';

/**
 * CrmCallsService's impersonated call path with every collaborator faked: the org directory, the
 * user mappings, the CRM session (records what it is asked and moves a clock), the ledger and
 * the metrics (both record every call). No Postgres, no emulator.
 */

const ORG = '11111111-0000-4000-8000-000000000001';
const SVC = '22222222-0000-4000-8000-000000000001';
const ANN = 'a3333333-0000-4000-8000-00000000000b';
const REC = '44444444-0000-4000-8000-000000000001';
const PUID = '0003BFFD8F3A5B21';
const PENDING = '11111111-0000-4000-8000-000000000002';

const ctx: RequestContext = {
  principal: { email: 'ops@isv.example' } as RequestContext['principal'],
  requestId: 'req-1',
  ip: null,
  userAgent: null,
};

interface WorldOptions {
  fail?: Error;
  completeFails?: boolean;
  mappingFails?: Error;
  /** The full name the user mappings hold for the user id; undefined: no mapping row. */
  mappedName?: string | null;
}

function world(o: WorldOptions = {}) {
  let clock = 1_000;
  vi.spyOn(performance, 'now').mockImplementation(() => clock);
  const crm: Array<{ op: string; args: unknown[] }> = [];
  const ledger: Array<{ op: string; orgId?: string; id?: string; args: unknown }> = [];
  const metrics: Array<unknown[]> = [];
  const evicted: Array<[string, string]> = [];
  const resolved: Array<[string, string]> = [];
  const nameLookups: unknown[][] = [];
  const session = new Proxy(
    {},
    {
      get:
        (_t, op: string) =>
        async (...args: unknown[]) => {
          crm.push({ op, args });
          clock += 40;
          if (o.fail) throw o.fail;
          if (op === 'create') return { id: REC };
          if (op === 'retrieve') {
            const a = args[0] as { entityName: string };
            if (a.entityName === 'systemuser')
              return { entity: { attributes: { fullname: 'Ann From Crm' } } };
            return { entity: { logicalName: a.entityName, attributes: { name: 'Fourth Coffee' } } };
          }
          if (op === 'retrieveMultiple')
            return {
              entities: [{ logicalName: 'account', attributes: {} }],
              moreRecords: true,
              pagingCookie: 'ck',
            };
          if (op === 'whoAmI') return { userId: ANN };
          return undefined;
        },
    },
  );
  const tickets = {
    run: async (orgId: string, fn: (s: unknown) => Promise<unknown>) => {
      expect(orgId).toBe(ORG);
      return fn(session);
    },
  } as unknown as TicketsService;
  const orgs = {
    find: async (id: string) =>
      id === ORG || id === PENDING
        ? {
            id: ORG,
            status: id === ORG ? 'active' : 'onboarding',
            friendlyName: 'Contoso',
            serviceAccountUserId: SVC,
            serviceAccountName: 'ERP_Integration',
          }
        : null,
  } as unknown as OrgDirectory;
  const mappings = {
    resolve: async (orgId: string, puid: string) => {
      resolved.push([orgId, puid]);
      if (o.mappingFails) throw o.mappingFails;
      return { id: ANN, name: 'Ann Lee', puid };
    },
    evictUser: async (orgId: string, id: string) => {
      evicted.push([orgId, id]);
    },
    fullNameOf: async (...a: unknown[]) => {
      nameLookups.push(a);
      return o.mappedName ?? null;
    },
  } as unknown as UserMappingsService;
  const ledgerFake = {
    begin: async (row: unknown) => {
      ledger.push({ op: 'begin', args: row, n: crm.length } as never);
      return 'ledger-1';
    },
    complete: async (orgId: string, id: string, r: unknown) => {
      ledger.push({ op: 'complete', orgId, id, args: r });
      if (o.completeFails) throw new Error('db down');
    },
    fail: async (orgId: string, id: string, r: unknown) => {
      ledger.push({ op: 'fail', orgId, id, args: r });
    },
  } as unknown as LedgerService;
  const metricsFake = {
    observeCall: (...a: unknown[]) => metrics.push(['observeCall', ...a]),
    incFault: (...a: unknown[]) => metrics.push(['incFault', ...a]),
  } as unknown as MetricsService;
  const svc = new CrmCallsService(orgs, tickets, mappings, ledgerFake, metricsFake);
  return { svc, crm, ledger, metrics, evicted, resolved, nameLookups };
}

const crmError = (code: CrmAuthErrorCode, faultCode?: string) =>
  new CrmAuthError(code, `CRM says ${code}`, faultCode ? { faultCode } : {});

const beginRow = {
  orgId: ORG,
  entity: 'account',
  serviceAccountId: SVC,
  serviceAccountName: 'ERP_Integration',
  requestId: 'req-1',
  caller: 'ops@isv.example',
};

describe('CrmCallsService calls', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('creates a record for a PUID: ledger row begun before the call with who acts, completed with the id and latency', async () => {
    const w = world();
    const r = await w.svc.create(ORG, 'account', { name: 'Fourth Coffee' }, { puid: PUID }, ctx);
    expect(r).toEqual({ id: REC, ledgerId: 'ledger-1', actor: { id: ANN, name: 'Ann Lee', puid: PUID } });
    expect(w.resolved).toEqual([[ORG, PUID]]);
    expect(w.ledger[0]).toEqual({
      op: 'begin',
      n: 0,
      args: {
        ...beginRow,
        operation: 'Create',
        recordId: null,
        onBehalfOfId: ANN,
        onBehalfOfName: 'Ann Lee',
        onBehalfOfPuid: PUID,
      },
    });
    expect(w.crm).toEqual([
      {
        op: 'create',
        args: [{ logicalName: 'account', attributes: { name: 'Fourth Coffee' } }, { callerId: ANN }],
      },
    ]);
    expect(w.ledger[1]).toEqual({
      op: 'complete',
      orgId: ORG,
      id: 'ledger-1',
      args: { recordId: REC, latencyMs: 40 },
    });
    expect(w.metrics).toEqual([['observeCall', ORG, 'Create', 'completed', 40]]);
    expect(w.evicted).toEqual([]);
  });

  it('acts as the service account (no caller id, empty on-behalf-of fields) without onBehalfOf', async () => {
    const w = world();
    const r = await w.svc.create(ORG, 'account', {}, undefined, { ...ctx, principal: null, requestId: '' });
    expect(r.actor).toBeNull();
    expect(w.ledger[0]!.args).toMatchObject({
      onBehalfOfId: null,
      onBehalfOfName: null,
      onBehalfOfPuid: null,
      requestId: null,
      caller: null,
    });
    expect(w.crm[0]!.args[1]).toEqual({ callerId: null });
    expect(await w.svc.actingAs(ORG, {})).toBeNull();
  });

  it('refuses onBehalfOf with both a PUID and a user id', async () => {
    const w = world();
    await expect(w.svc.actingAs(ORG, { puid: PUID, userId: ANN })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_ON_BEHALF_OF',
      message: 'Give onBehalfOf.puid or onBehalfOf.userId, not both.',
    });
    expect(w.resolved).toEqual([]);
  });

  it('maps a mapping failure of the PUID to its HTTP error', async () => {
    const w = world({ mappingFails: crmError('ERR_CRM_OBJECT_NOT_FOUND') });
    await expect(w.svc.actingAs(ORG, { puid: PUID })).rejects.toMatchObject({
      status: 404,
      code: 'CRM_OBJECT_NOT_FOUND',
    });
  });

  it('acts for a user id (lower-cased) named from the mapping table, else from CRM', async () => {
    const known = world({ mappedName: 'Ann Lee' });
    expect(await known.svc.actingAs(ORG, { userId: ANN.toUpperCase() })).toEqual({
      id: ANN,
      name: 'Ann Lee',
      puid: null,
    });
    expect(known.nameLookups).toEqual([[ORG, ANN]]);
    expect(known.crm).toEqual([]);

    const unknown = world();
    expect(await unknown.svc.actingAs(ORG, { userId: ANN })).toEqual({
      id: ANN,
      name: 'Ann From Crm',
      puid: null,
    });
    expect(unknown.crm).toEqual([
      { op: 'retrieve', args: [{ entityName: 'systemuser', id: ANN, columns: ['fullname'] }] },
    ]);

    const failing = world({ fail: crmError('ERR_TIMEOUT') });
    expect(await failing.svc.actingAs(ORG, { userId: ANN })).toEqual({ id: ANN, name: null, puid: null });
  });

  it('updates a record: the ledger row names the record, the update carries its primary key', async () => {
    const w = world();
    const r = await w.svc.update(ORG, 'account', REC, { name: 'New' }, { userId: ANN }, ctx);
    expect(r).toEqual({ ledgerId: 'ledger-1' });
    expect(w.ledger[0]!.args).toMatchObject({ operation: 'Update', recordId: REC, onBehalfOfId: ANN });
    const update = w.crm.find((c) => c.op === 'update')!;
    expect(update.args).toEqual([
      { logicalName: 'account', attributes: { name: 'New', accountid: REC } },
      { callerId: ANN },
    ]);
    expect(w.ledger[1]).toMatchObject({ op: 'complete', args: { recordId: null, latencyMs: 40 } });
  });

  it('retrieves a record as the acting user with the asked columns', async () => {
    const w = world();
    const r = await w.svc.retrieve(ORG, 'account', REC, ['name'], ctx, { puid: PUID });
    expect(r).toEqual({ entity: { logicalName: 'account', attributes: { name: 'Fourth Coffee' } } });
    expect(w.crm).toEqual([
      { op: 'retrieve', args: [{ entityName: 'account', id: REC, columns: ['name'] }, { callerId: ANN }] },
    ]);
    expect(w.ledger[0]!.args).toMatchObject({ operation: 'Retrieve', recordId: REC });
  });

  it('lists records with equality filters, the page and the paging cookie', async () => {
    const w = world();
    const r = await w.svc.list(
      ORG,
      'account',
      { columns: 'all', page: 2, pageSize: 10, pagingCookie: 'ck0', filters: { name: 'x', city: 'y' } },
      ctx,
    );
    expect(r).toEqual({
      items: [{ logicalName: 'account', attributes: {} }],
      moreRecords: true,
      pagingCookie: 'ck',
    });
    expect(w.crm[0]!.args).toEqual([
      {
        entityName: 'account',
        columns: 'all',
        criteria: {
          filterOperator: 'And',
          conditions: [
            { attribute: 'name', operator: 'Equal', values: ['x'] },
            { attribute: 'city', operator: 'Equal', values: ['y'] },
          ],
        },
        pageInfo: { pageNumber: 2, count: 10, pagingCookie: 'ck0' },
      },
    ]);
    expect(w.ledger[0]!.args).toMatchObject({
      operation: 'RetrieveMultiple',
      recordId: null,
      onBehalfOfId: null,
    });

    const plain = world();
    await plain.svc.list(ORG, 'account', { columns: ['name'], page: 1, pageSize: 5, filters: {} }, ctx);
    expect(plain.crm[0]!.args).toEqual([
      { entityName: 'account', columns: ['name'], pageInfo: { pageNumber: 1, count: 5 } },
    ]);
  });

  it('asks WhoAmI as the acting user, with no entity in the ledger', async () => {
    const w = world();
    expect(await w.svc.whoAmI(ORG, { puid: PUID }, ctx)).toEqual({ userId: ANN });
    expect(w.crm).toEqual([{ op: 'whoAmI', args: [{ callerId: ANN }] }]);
    expect(w.ledger[0]!.args).toMatchObject({ operation: 'WhoAmI', entity: null });
  });

  it('fails the ledger row with the code and message, counts the fault, and throws the HTTP error', async () => {
    const w = world({ fail: crmError('ERR_CRM_PRIVILEGE_DENIED', '0x80040220') });
    const err = await w.svc
      .create(ORG, 'account', { name: 'x' }, { puid: PUID }, ctx)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainException);
    expect(err).toMatchObject({ status: 403, code: 'CRM_PRIVILEGE_DENIED' });
    expect(w.ledger[1]).toEqual({
      op: 'fail',
      orgId: ORG,
      id: 'ledger-1',
      args: {
        errorCode: 'ERR_CRM_PRIVILEGE_DENIED:0x80040220',
        errorMessage: 'CRM says ERR_CRM_PRIVILEGE_DENIED',
        latencyMs: 40,
      },
    });
    expect(w.metrics).toEqual([
      ['observeCall', ORG, 'Create', 'failed', 40],
      ['incFault', ORG, '0x80040220'],
    ]);
    expect(w.evicted).toEqual([]);
  });

  it('records a non-CRM failure as INTERNAL_ERROR (or "unknown error" for a non-Error) and rethrows it unchanged', async () => {
    const boom = new Error('boom');
    const w = world({ fail: boom });
    await expect(w.svc.whoAmI(ORG, undefined, ctx)).rejects.toBe(boom);
    expect(w.ledger[1]!.args).toEqual({ errorCode: 'INTERNAL_ERROR', errorMessage: 'boom', latencyMs: 40 });
    expect(w.metrics).toEqual([['observeCall', ORG, 'WhoAmI', 'failed', 40]]);

    const odd = world({ fail: 'text' as unknown as Error });
    await expect(odd.svc.whoAmI(ORG, undefined, ctx)).rejects.toBe('text');
    expect(odd.ledger[1]!.args).toMatchObject({ errorMessage: 'unknown error' });

    // not a library error, even when it carries a code the library also uses
    const coded = Object.assign(new Error('socket'), { code: 'ERR_TIMEOUT' });
    await expect(world({ fail: coded }).svc.whoAmI(ORG, undefined, ctx)).rejects.toBe(coded);
  });

  it('gives the caller only the details CRM sent (fault code, protocol code; no "executed" when unknown)', async () => {
    const w = world({ fail: crmError('ERR_CRM_PRIVILEGE_DENIED', '0x80040220') });
    const err = await w.svc.whoAmI(ORG, undefined, ctx).catch((e: unknown) => e);
    expect((err as DomainException).details).toEqual({
      faultCode: '0x80040220',
      protocolCode: 'ERR_CRM_PRIVILEGE_DENIED',
    });
  });

  it('rethrows a misuse of the library unchanged and records an API error under its own code', async () => {
    const misuse = crmError('ERR_INVALID_OPTIONS');
    const w = world({ fail: misuse });
    await expect(w.svc.whoAmI(ORG, undefined, ctx)).rejects.toBe(misuse);
    expect(w.ledger[1]!.args).toMatchObject({ errorCode: 'ERR_INVALID_OPTIONS' });

    const api = new DomainException(503, 'TICKET_STORE_UNAVAILABLE', 'store down');
    const d = world({ fail: api });
    await expect(d.svc.whoAmI(ORG, undefined, ctx)).rejects.toBe(api);
    expect(d.ledger[1]!.args).toMatchObject({
      errorCode: 'TICKET_STORE_UNAVAILABLE',
      errorMessage: 'store down',
    });
  });

  for (const code of ['ERR_CRM_USER_DISABLED', 'ERR_CRM_OBJECT_NOT_FOUND'] as const) {
    it(`evicts the acted-for user's mapping when a write fails with ${code}`, async () => {
      const w = world({ fail: crmError(code) });
      await expect(w.svc.update(ORG, 'account', REC, {}, { puid: PUID }, ctx)).rejects.toBeInstanceOf(
        DomainException,
      );
      expect(w.evicted).toEqual([[ORG, ANN]]);
      expect(w.ledger[1]!.args).toMatchObject({ errorCode: code });
    });
  }

  it('keeps the mapping for a Retrieve that is not found, another error, or a call without a user', async () => {
    const retrieve = world({ fail: crmError('ERR_CRM_OBJECT_NOT_FOUND') });
    await expect(
      retrieve.svc.retrieve(ORG, 'account', REC, 'all', ctx, { puid: PUID }),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(retrieve.evicted).toEqual([]);

    const denied = world({ fail: crmError('ERR_CRM_PRIVILEGE_DENIED') });
    await expect(denied.svc.create(ORG, 'account', {}, { puid: PUID }, ctx)).rejects.toMatchObject({
      status: 403,
    });
    expect(denied.evicted).toEqual([]);

    const svc = world({ fail: crmError('ERR_CRM_USER_DISABLED') });
    await expect(svc.svc.create(ORG, 'account', {}, undefined, ctx)).rejects.toMatchObject({ status: 403 });
    expect(svc.evicted).toEqual([]);
  });

  it('returns the result when the ledger row cannot be completed (reconciliation settles it)', async () => {
    const w = world({ completeFails: true });
    const warn = vi.spyOn(w.svc['logger'], 'warn').mockImplementation(() => undefined);
    await expect(w.svc.create(ORG, 'account', {}, undefined, ctx)).resolves.toMatchObject({ id: REC });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('ledger-1'));
    expect(w.metrics).toEqual([['observeCall', ORG, 'Create', 'completed', 40]]);
  });

  it('refuses an unknown org and a bad entity name before any ledger row', async () => {
    const w = world();
    await expect(w.svc.whoAmI('99999999-0000-4000-8000-000000000001', undefined, ctx)).rejects.toMatchObject({
      status: 404,
      code: 'ORG_NOT_FOUND',
      message: 'No org with this id.',
    });
    await expect(w.svc.whoAmI(PENDING, undefined, ctx)).rejects.toMatchObject({
      status: 409,
      code: 'ORG_NOT_ACTIVE',
      message: '"Contoso" is not onboarded (status onboarding).',
    });
    for (const call of [
      () => w.svc.create(ORG, 'Account', {}, undefined, ctx),
      () => w.svc.update(ORG, '1x', REC, {}, undefined, ctx),
      () => w.svc.retrieve(ORG, 'a-b', REC, 'all', ctx),
      () => w.svc.list(ORG, '', { columns: 'all', page: 1, pageSize: 1, filters: {} }, ctx),
    ])
      await expect(call()).rejects.toMatchObject({
        status: 400,
        code: 'INVALID_ENTITY',
        message: 'The entity must be a CRM logical name (lower case letters, digits, _).',
      });
    expect(w.ledger).toEqual([]);
  });
});

describe('CrmCallsService attribute values', () => {
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  const sent = async (attributes: Record<string, unknown>) => {
    await w.svc.create(ORG, 'account', attributes, undefined, ctx);
    return (w.crm.at(-1)!.args[0] as { attributes: unknown }).attributes;
  };
  const refused = (attributes: unknown) =>
    w.svc.create(ORG, 'account', attributes as Record<string, unknown>, undefined, ctx);

  it('sends text, numbers and booleans as text and lookups as {id, type, name}', async () => {
    expect(
      await sent({
        name: 'x',
        revenue: 12.5,
        donotemail: true,
        donotfax: false,
        primarycontactid: { id: `{${REC.toUpperCase()}}`, type: 'contact', name: 'Ann' },
        parentaccountid: { id: REC, type: 'account', name: 7 },
      }),
    ).toEqual({
      name: 'x',
      revenue: '12.5',
      donotemail: 'true',
      donotfax: 'false',
      primarycontactid: { id: REC, type: 'contact', name: 'Ann' },
      parentaccountid: { id: REC, type: 'account' },
    });
    expect(await sent(null as unknown as Record<string, unknown>)).toEqual({});
  });

  it('accepts 200 attributes and refuses 201', async () => {
    const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'v']));
    expect(Object.keys((await sent(attrs(200))) as object)).toHaveLength(200);
    await expect(refused(attrs(201))).rejects.toMatchObject({
      code: 'TOO_MANY_ATTRIBUTES',
      message: 'At most 200 attributes per record.',
    });
  });

  it('refuses bad attribute names, over-long text and values of other kinds, naming the attribute', async () => {
    await expect(refused({ Name: 'x' })).rejects.toMatchObject({
      code: 'INVALID_ATTRIBUTE',
      message: '"Name" is not a CRM attribute name.',
    });
    await expect(refused({ ['X'.repeat(50)]: 'x' })).rejects.toMatchObject({
      message: `"${'X'.repeat(40)}" is not a CRM attribute name.`,
    });
    expect(await sent({ d: 'x'.repeat(100_000) })).toEqual({ d: 'x'.repeat(100_000) });
    await expect(refused({ d: 'x'.repeat(100_001) })).rejects.toMatchObject({
      code: 'INVALID_ATTRIBUTE',
      message: 'The value of d is too long.',
    });
    for (const bad of [
      Number.NaN,
      Infinity,
      null,
      undefined,
      [],
      {},
      { id: REC },
      { type: 'contact' },
      { id: 1, type: 'contact' },
      { id: REC, type: 2 },
    ])
      await expect(refused({ v: bad })).rejects.toMatchObject({
        code: 'INVALID_ATTRIBUTE',
        message: 'The value of v must be a string, number, boolean or lookup {id, type}.',
      });
    for (const bad of [
      { id: 'not-a-guid', type: 'contact' },
      { id: `x${REC}`, type: 'contact' },
      { id: `${REC}x`, type: 'contact' },
      { id: REC, type: 'Contact' },
    ])
      await expect(refused({ l: bad })).rejects.toMatchObject({
        code: 'INVALID_ATTRIBUTE',
        message: 'The lookup l needs a GUID id and an entity type.',
      });
    // only the accepted 100,000-character value reached the ledger and CRM
    expect(w.ledger.filter((l) => l.op === 'begin')).toHaveLength(1);
  });
});
