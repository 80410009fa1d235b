import { CrmAuthError } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import { requestHash } from '../idempotency/idempotency-key';
import type { Attempt, IdempotencyService, KeyClaim, KeyReply } from '../idempotency/idempotency.service';
import type { MetricsService } from '../metrics/metrics.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { UserMappingsService } from '../user-mappings/user-mappings.service';
import { CrmCallsService } from './crm-calls.service';
import type { LedgerService } from './ledger.service';

/**
 * Keyed Create and Update (createOnce, updateOnce) over fakes: the key service hands the work a first
 * attempt or a recovering one, the CRM session records what it is asked, the ledger what it writes.
 */

const ORG = '11111111-0000-4000-8000-000000000001';
const SVC = '22222222-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const GIVEN = 'ABCDEF01-0000-4000-8000-00000000000A';

const ctx: RequestContext = {
  principal: {
    kind: 'api-key',
    apiKeyId: 'key-1',
    userId: null,
    email: 'isv@example',
    name: 'isv',
    role: 'admin',
    sessionId: null,
  },
  requestId: 'req-1',
  ip: null,
  userAgent: null,
};

const notFound = () => new CrmAuthError('ERR_CRM_OBJECT_NOT_FOUND', 'no such record', { notExecuted: true });
const duplicate = () =>
  new CrmAuthError('ERR_CRM_FAULT', 'Cannot insert duplicate key', {
    faultCode: '0x80040237',
    notExecuted: true,
  });
/** Another refusal: CRM ran nothing, and says nothing about the record. */
const invalid = () =>
  new CrmAuthError('ERR_CRM_FAULT', 'invalid argument', { faultCode: '0x80040203', notExecuted: true });

interface WorldOptions {
  /** The attempt the key service hands over (a first one by default). */
  attempt?: Partial<Attempt>;
  /** What the key service answers instead of running the work. */
  replay?: { status: number; body: Record<string, unknown> };
  /** Retrieve's answers, in order (true: the record is there; an Error: thrown). */
  retrieve?: Array<boolean | Error>;
  createFails?: Error;
}

function world(o: WorldOptions = {}) {
  const crm: Array<{ op: string; args: unknown[] }> = [];
  const ledger: Array<[string, ...unknown[]]> = [];
  const claims: KeyClaim[] = [];
  const started: string[] = [];
  const recoveredRows: unknown[][] = [];
  const replies: KeyReply[] = [];
  const retrieves = [...(o.retrieve ?? [])];
  const session = {
    create: async (...args: unknown[]) => {
      crm.push({ op: 'create', args });
      if (o.createFails) throw o.createFails;
      const e = args[0] as { attributes: Record<string, string> };
      return { id: e.attributes.accountid!.toUpperCase() };
    },
    update: async (...args: unknown[]) => void crm.push({ op: 'update', args }),
    retrieve: async (...args: unknown[]) => {
      crm.push({ op: 'retrieve', args });
      const next = retrieves.shift();
      if (next instanceof Error) throw next;
      if (!next) throw notFound();
      return { entity: { logicalName: 'account', attributes: {} } };
    },
  };
  const tickets = {
    run: async (_o: string, fn: (s: unknown) => Promise<unknown>) => fn(session),
  } as unknown as TicketsService;
  const orgs = {
    find: async () => ({
      id: ORG,
      status: 'active',
      friendlyName: 'Contoso',
      serviceAccountUserId: SVC,
      serviceAccountName: 'ERP_Integration',
    }),
  } as unknown as OrgDirectory;
  const ledgerFake = {
    begin: async (row: unknown) => {
      ledger.push(['begin', row, crm.length]);
      return 'ledger-new';
    },
    complete: async (...a: unknown[]) => void ledger.push(['complete', ...a]),
    fail: async (...a: unknown[]) => void ledger.push(['fail', ...a]),
    completeRecovered: async (...a: unknown[]) => void recoveredRows.push(a),
  } as unknown as LedgerService;
  const metrics = { observeCall: () => undefined, incFault: () => undefined } as unknown as MetricsService;
  const keys = {
    run: async (c: KeyClaim, work: (a: Attempt) => Promise<KeyReply>) => {
      claims.push(c);
      if (o.replay) return { ...o.replay, replayed: true };
      const r = await work({
        recordId: c.recordId,
        ledgerId: null,
        recovering: false,
        started: async (id: string) => {
          started.push(`${id} after ${crm.length} CRM calls`);
        },
        ...o.attempt,
      });
      replies.push(r);
      return { status: r.status, body: r.body, replayed: false };
    },
  } as unknown as IdempotencyService;
  const svc = new CrmCallsService(orgs, tickets, {} as UserMappingsService, ledgerFake, metrics, keys);
  return { svc, crm, ledger, claims, started, recoveredRows, replies };
}

const recovering = (over: Partial<Attempt> = {}): Partial<Attempt> => ({
  recordId: REC,
  ledgerId: 'ledger-first',
  recovering: true,
  ...over,
});

describe('createOnce', () => {
  it('chooses the record id, claims the key with it and the request hash, sends it as the primary key and names it in the pending ledger row before CRM is called', async () => {
    const w = world();
    const r = await w.svc.createOnce(ORG, 'account', { name: 'Fourth Coffee' }, undefined, ctx, 'k-1');
    const [c] = w.claims;
    expect(c).toMatchObject({ orgId: ORG, key: 'k-1' });
    expect(c!.recordId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(c!.requestHash).toBe(
      requestHash({
        operation: 'Create',
        orgId: ORG,
        entity: 'account',
        recordId: null,
        caller: 'api-key:key-1',
        body: { attributes: { name: 'Fourth Coffee' }, onBehalfOf: null },
      }),
    );
    expect(w.crm).toEqual([
      {
        op: 'create',
        args: [
          { logicalName: 'account', attributes: { name: 'Fourth Coffee', accountid: c!.recordId } },
          { callerId: null },
        ],
      },
    ]);
    expect(w.ledger[0]).toMatchObject([
      'begin',
      { operation: 'Create', entity: 'account', recordId: c!.recordId },
      0,
    ]);
    expect(w.started).toEqual(['ledger-new after 0 CRM calls']);
    // CRM's id, lower case, is the reply's.
    expect(r).toEqual({ body: { id: c!.recordId, ledgerId: 'ledger-new' }, replayed: false });
    expect(w.replies[0]).toMatchObject({ status: 201, recordId: c!.recordId, ledgerId: 'ledger-new' });
  });

  it('each request gets its own record id', async () => {
    const w = world();
    await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-2');
    expect(w.claims[0]!.recordId).not.toBe(w.claims[1]!.recordId);
  });

  it('keeps a primary key the caller gave (a GUID, braces and case aside); another value is 400 INVALID_ATTRIBUTE before the key is claimed', async () => {
    const w = world();
    await w.svc.createOnce(ORG, 'account', { name: 'a', accountid: `{${GIVEN}}` }, undefined, ctx, 'k-1');
    expect(w.claims[0]!.recordId).toBe(GIVEN.toLowerCase());
    expect((w.crm[0]!.args[0] as { attributes: Record<string, string> }).attributes.accountid).toBe(
      GIVEN.toLowerCase(),
    );
    for (const bad of ['not-a-guid', 42, { id: GIVEN, type: 'account' }]) {
      const b = world();
      const err = await b.svc
        .createOnce(ORG, 'account', { accountid: bad }, undefined, ctx, 'k-1')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainException);
      expect((err as DomainException).code).toBe('INVALID_ATTRIBUTE');
      expect(b.claims).toEqual([]);
    }
  });

  it('passes a replay through without calling CRM', async () => {
    const w = world({ replay: { status: 201, body: { id: REC, ledgerId: 'ledger-first' } } });
    expect(await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1')).toEqual({
      body: { id: REC, ledgerId: 'ledger-first' },
      replayed: true,
    });
    expect(w.crm).toEqual([]);
  });

  it('recovering a cut-off Create that CRM has: asks CRM for the chosen id as the service account, sends no Create, completes the first ledger row and names it', async () => {
    const w = world({ attempt: recovering(), retrieve: [true] });
    const r = await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    expect(w.crm).toEqual([
      { op: 'retrieve', args: [{ entityName: 'account', id: REC, columns: ['accountid'] }] },
    ]);
    expect(w.recoveredRows).toEqual([[ORG, 'ledger-first', REC]]);
    expect(w.ledger).toEqual([]);
    expect(r.body).toEqual({ id: REC, ledgerId: 'ledger-first' });
    expect(w.replies[0]).toMatchObject({ status: 201, recordId: REC, ledgerId: 'ledger-first' });
  });

  it('recovering a Create CRM does not have: sends it again with the same id under a new ledger row', async () => {
    const w = world({ attempt: recovering(), retrieve: [false] });
    const r = await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    expect(w.crm.map((c) => c.op)).toEqual(['retrieve', 'create']);
    expect((w.crm[1]!.args[0] as { attributes: Record<string, string> }).attributes.accountid).toBe(REC);
    expect(r.body).toEqual({ id: REC, ledgerId: 'ledger-new' });
    expect(w.recoveredRows).toEqual([]);
  });

  it('recovering, when the re-sent Create is refused as a duplicate key (the cut-off one landed meanwhile under the chosen id): completes with the record and the first ledger row, without asking CRM again', async () => {
    const w = world({
      attempt: recovering(),
      retrieve: [false, new CrmAuthError('ERR_TIMEOUT', 'slow')],
      createFails: duplicate(),
    });
    const r = await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    expect(w.crm.map((c) => c.op)).toEqual(['retrieve', 'create']);
    expect(r.body).toEqual({ id: REC, ledgerId: 'ledger-first' });
    expect(w.recoveredRows).toEqual([[ORG, 'ledger-first', REC]]);
  });

  it('recovering, when the re-sent Create fails otherwise and CRM then has the record: completes with it', async () => {
    const w = world({
      attempt: recovering(),
      retrieve: [false, true],
      createFails: new CrmAuthError('ERR_TIMEOUT', 'slow'),
    });
    const r = await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    expect(w.crm.map((c) => c.op)).toEqual(['retrieve', 'create', 'retrieve']);
    expect(r.body).toEqual({ id: REC, ledgerId: 'ledger-first' });
  });

  it("recovering, when the re-sent Create meets the API's own refusal (an open circuit: no CRM details): still asks CRM for the record, completes with it if there, else fails with that refusal", async () => {
    const circuitOpen = () => new DomainException(503, 'ORG_CIRCUIT_OPEN', 'CRM for this org is failing');
    const found = world({ attempt: recovering(), retrieve: [false, true], createFails: circuitOpen() });
    const r = await found.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    expect(found.crm.map((c) => c.op)).toEqual(['retrieve', 'create', 'retrieve']);
    expect(r.body).toEqual({ id: REC, ledgerId: 'ledger-first' });
    expect(found.recoveredRows).toEqual([[ORG, 'ledger-first', REC]]);
    const absent = world({ attempt: recovering(), retrieve: [false, false], createFails: circuitOpen() });
    const err = await absent.svc
      .createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainException);
    expect((err as DomainException).code).toBe('ORG_CIRCUIT_OPEN');
  });

  it("recovering, a Create refused otherwise whose record is still absent (or unreadable) fails with CRM's error", async () => {
    for (const second of [false, new CrmAuthError('ERR_TIMEOUT', 'slow')]) {
      const w = world({ attempt: recovering(), retrieve: [false, second], createFails: invalid() });
      const err = await w.svc
        .createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1')
        .catch((e: unknown) => e);
      expect((err as DomainException).code).toBe('CRM_FAULT');
    }
  });

  it('recovering a key whose first attempt never wrote its ledger row (so never sent the Create): no Retrieve, the Create at once', async () => {
    const w = world({ attempt: recovering({ ledgerId: null }), retrieve: [true] });
    await w.svc.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1');
    expect(w.crm.map((c) => c.op)).toEqual(['create']);
  });

  it('a first attempt whose Create is refused fails with the error and never looks for the record', async () => {
    const w = world({ createFails: duplicate(), retrieve: [true] });
    const err = await w.svc
      .createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1')
      .catch((e: unknown) => e);
    expect((err as DomainException).code).toBe('CRM_FAULT');
    expect(w.crm.map((c) => c.op)).toEqual(['create']);
  });

  it('a recovery that cannot read CRM fails with the mapped error, sending nothing', async () => {
    const w = world({ attempt: recovering(), retrieve: [new CrmAuthError('ERR_TIMEOUT', 'slow')] });
    const err = await w.svc
      .createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k-1')
      .catch((e: unknown) => e);
    expect((err as DomainException).code).toBe('CRM_TIMEOUT');
    expect(w.crm.map((c) => c.op)).toEqual(['retrieve']);
  });
});

describe('updateOnce', () => {
  it('claims the key for the record with the Update hash, tells the ledger row before the call, and replies 200 with the ledger id', async () => {
    const w = world();
    const r = await w.svc.updateOnce(ORG, 'account', REC, { name: 'b' }, undefined, ctx, 'k-1');
    expect(w.claims).toEqual([
      {
        orgId: ORG,
        key: 'k-1',
        recordId: REC,
        requestHash: requestHash({
          operation: 'Update',
          orgId: ORG,
          entity: 'account',
          recordId: REC,
          caller: 'api-key:key-1',
          body: { attributes: { name: 'b' }, onBehalfOf: null },
        }),
      },
    ]);
    expect(w.crm).toEqual([
      {
        op: 'update',
        args: [{ logicalName: 'account', attributes: { name: 'b', accountid: REC } }, { callerId: null }],
      },
    ]);
    expect(w.started).toEqual(['ledger-new after 0 CRM calls']);
    expect(r).toEqual({ body: { ledgerId: 'ledger-new' }, replayed: false });
    expect(w.replies[0]).toMatchObject({ status: 200, ledgerId: 'ledger-new' });
  });

  it('a recovering Update is sent again (same body, same end state)', async () => {
    const w = world({ attempt: recovering({ recordId: REC }) });
    await w.svc.updateOnce(ORG, 'account', REC, { name: 'b' }, undefined, ctx, 'k-1');
    expect(w.crm.map((c) => c.op)).toEqual(['update']);
  });
});

describe('without IdempotencyService', () => {
  it('a keyed call fails loudly (Nest always injects it)', async () => {
    const bare = new CrmCallsService(
      { find: async () => ({ id: ORG, status: 'active' }) } as unknown as OrgDirectory,
      {} as TicketsService,
      {} as UserMappingsService,
      {} as LedgerService,
      {} as MetricsService,
    );
    await expect(bare.createOnce(ORG, 'account', { name: 'a' }, undefined, ctx, 'k')).rejects.toThrow(
      'built without IdempotencyService',
    );
  });
});
