import type { FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../audit/audit.service';
import { AuditQueryDto } from '../audit/dto/audit-query.dto';
import type { RequestContext } from '../common/principal';
import type { CrmCallsService } from './crm-calls.service';
import { RecordsController } from './records.controller';

const ORG = '11111111-0000-4000-8000-000000000001';
const REC = '44444444-0000-4000-8000-000000000001';
const ANN = '33333333-0000-4000-8000-000000000001';
const PUID = '0003BFFD8F3A5B21';
const ctx: RequestContext = { principal: null, requestId: 'req-7', ip: '10.0.0.1', userAgent: 'ua' };

/** The controller over a fake CrmCallsService and AuditService that record every argument they get. */
function controller() {
  const asked: Array<{ op: string; args: unknown[] }> = [];
  const crm = {
    create: async (...args: unknown[]) => {
      asked.push({ op: 'create', args });
      return { id: REC, ledgerId: 'ledger-1', actor: { id: ANN, name: 'Ann Lee', puid: PUID } };
    },
    update: async (...args: unknown[]) => {
      asked.push({ op: 'update', args });
      return { ledgerId: 'ledger-2' };
    },
    createOnce: async (...args: unknown[]) => {
      asked.push({ op: 'createOnce', args });
      return { body: { id: REC, ledgerId: 'ledger-1' }, replayed: args[5] === 'replayed' };
    },
    updateOnce: async (...args: unknown[]) => {
      asked.push({ op: 'updateOnce', args });
      return { body: { ledgerId: 'ledger-2' }, replayed: args[6] === 'replayed' };
    },
    retrieve: async (...args: unknown[]) => {
      asked.push({ op: 'retrieve', args });
      return { entity: { logicalName: 'account', attributes: { name: 'x' } } };
    },
    list: async (...args: unknown[]) => {
      asked.push({ op: 'list', args });
      return { items: [], moreRecords: false, pagingCookie: null };
    },
    whoAmI: async (...args: unknown[]) => {
      asked.push({ op: 'whoAmI', args });
      return { userId: ANN };
    },
  } as unknown as CrmCallsService;
  const audit = {
    search: async (q: AuditQueryDto) => {
      asked.push({ op: 'search', args: [q] });
      return { items: [{ id: 'ledger-1' }], nextCursor: 'next' };
    },
  } as unknown as AuditService;
  return { c: new RecordsController(crm, audit), asked };
}

const listQuery = (c: RecordsController, query: Record<string, string>) => c.list(ORG, 'account', query, ctx);

describe('RecordsController', () => {
  it('creates a record for onBehalfOf and answers only its id and ledger id', async () => {
    const { c, asked } = controller();
    const r = await c.create(ORG, 'account', { attributes: { name: 'x' }, onBehalfOf: { puid: PUID } }, ctx);
    expect(r).toEqual({ id: REC, ledgerId: 'ledger-1' });
    expect(asked).toEqual([{ op: 'create', args: [ORG, 'account', { name: 'x' }, { puid: PUID }, ctx] }]);
  });

  it('updates a record by id for a user id and answers the ledger id', async () => {
    const { c, asked } = controller();
    expect(
      await c.update(ORG, 'account', REC, { attributes: { name: 'y' }, onBehalfOf: { userId: ANN } }, ctx),
    ).toEqual({
      ledgerId: 'ledger-2',
    });
    expect(asked).toEqual([
      { op: 'update', args: [ORG, 'account', REC, { name: 'y' }, { userId: ANN }, ctx] },
    ]);
  });

  it('with an Idempotency-Key, creates and updates once under that key; a replay says so in Idempotent-Replayed', async () => {
    const { c, asked } = controller();
    const headers: Record<string, string> = {};
    const res = { header: (k: string, v: string) => (headers[k] = v) } as unknown as FastifyReply;
    const body = { attributes: { name: 'x' }, onBehalfOf: { puid: PUID } };
    expect(await c.create(ORG, 'account', body, ctx, 'k-1', res)).toEqual({ id: REC, ledgerId: 'ledger-1' });
    expect(headers).toEqual({});
    expect(await c.update(ORG, 'account', REC, body, ctx, 'k-2', res)).toEqual({ ledgerId: 'ledger-2' });
    expect(headers).toEqual({});
    expect(asked).toEqual([
      { op: 'createOnce', args: [ORG, 'account', { name: 'x' }, { puid: PUID }, ctx, 'k-1'] },
      { op: 'updateOnce', args: [ORG, 'account', REC, { name: 'x' }, { puid: PUID }, ctx, 'k-2'] },
    ]);
    await c.create(ORG, 'account', body, ctx, 'replayed', res);
    expect(headers).toEqual({ 'Idempotent-Replayed': 'true' });
    delete headers['Idempotent-Replayed'];
    await c.update(ORG, 'account', REC, body, ctx, 'replayed', res);
    expect(headers).toEqual({ 'Idempotent-Replayed': 'true' });
  });

  it('a bad Idempotency-Key is 400 IDEMPOTENCY_KEY_INVALID and nothing is called', async () => {
    const { c, asked } = controller();
    const body = { attributes: { name: 'x' } };
    for (const call of [
      () => c.create(ORG, 'account', body, ctx, ''),
      () => c.update(ORG, 'account', REC, body, ctx, 'x'.repeat(256)),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400, code: 'IDEMPOTENCY_KEY_INVALID' });
    }
    expect(asked).toEqual([]);
  });

  it('retrieves a record with all columns by default or the listed ones, trimmed', async () => {
    const { c, asked } = controller();
    expect(await c.retrieve(ORG, 'account', REC, undefined, ctx)).toEqual({
      entity: { logicalName: 'account', attributes: { name: 'x' } },
    });
    await c.retrieve(ORG, 'account', REC, 'all', ctx);
    await c.retrieve(ORG, 'account', REC, '', ctx);
    await c.retrieve(ORG, 'account', REC, ' name , city,, ', ctx);
    expect(asked.map((a) => a.args)).toEqual([
      [ORG, 'account', REC, 'all', ctx],
      [ORG, 'account', REC, 'all', ctx],
      [ORG, 'account', REC, 'all', ctx],
      [ORG, 'account', REC, ['name', 'city'], ctx],
    ]);
  });

  it('refuses columns that are not attribute names, or more than 100 of them', async () => {
    const { c, asked } = controller();
    const hundred = Array.from({ length: 100 }, (_, i) => `c${i}`);
    await c.retrieve(ORG, 'account', REC, hundred.join(','), ctx);
    expect(asked[0]!.args[3]).toEqual(hundred);
    for (const bad of [
      [...hundred, 'c100'].join(','),
      'Name',
      'name;drop',
      '1abc',
      `a${'b'.repeat(100)}`,
      'x name',
    ])
      expect(() => c.retrieve(ORG, 'account', REC, bad, ctx)).toThrow(
        expect.objectContaining({ status: 400, code: 'INVALID_COLUMNS' }),
      );
    expect(asked).toHaveLength(1);
  });

  it('lists with defaults: all columns, page 1 of 50, no cookie, no filters', async () => {
    const { c, asked } = controller();
    expect(await listQuery(c, {})).toEqual({ items: [], moreRecords: false, pagingCookie: null });
    expect(asked).toEqual([
      {
        op: 'list',
        args: [
          ORG,
          'account',
          { columns: 'all', page: 1, pageSize: 50, pagingCookie: null, filters: {} },
          ctx,
        ],
      },
    ]);
  });

  it('lists with the columns, page, page size, cookie and the other query keys as filters', async () => {
    const { c, asked } = controller();
    await listQuery(c, {
      columns: 'name',
      page: '3',
      pageSize: '5000',
      pagingCookie: 'ck',
      name: 'Fourth Coffee',
      city: 'Paris',
    });
    expect(asked[0]!.args[2]).toEqual({
      columns: ['name'],
      page: 3,
      pageSize: 5000,
      pagingCookie: 'ck',
      filters: { name: 'Fourth Coffee', city: 'Paris' },
    });
    await listQuery(c, { page: '10000', pageSize: '1' });
    expect(asked[1]!.args[2]).toMatchObject({ page: 10000, pageSize: 1 });
  });

  it('refuses bad filters and out-of-range or non-numeric paging, naming the key', async () => {
    const { c, asked } = controller();
    const refused = (query: Record<string, unknown>, message: string) =>
      expect(() => listQuery(c, query as Record<string, string>)).toThrow(
        expect.objectContaining({ status: 400, code: 'INVALID_QUERY', message }),
      );
    refused({ Name: 'x' }, 'Unknown filter "Name".');
    refused({ 'name-x': 'x' }, 'Unknown filter "name-x".');
    refused({ ['a'.repeat(101)]: 'x' }, `Unknown filter "${'a'.repeat(40)}".`);
    refused({ name: ['a', 'b'] }, 'Unknown filter "name".');
    refused({ ['X'.repeat(50)]: 'v' }, `Unknown filter "${'X'.repeat(40)}".`);
    refused({ page: '0' }, 'page must be a whole number from 1 to 10000.');
    refused({ page: '10001' }, 'page must be a whole number from 1 to 10000.');
    refused({ page: '1.5' }, 'page must be a whole number from 1 to 10000.');
    refused({ page: 'x1' }, 'page must be a whole number from 1 to 10000.');
    refused({ page: '1x' }, 'page must be a whole number from 1 to 10000.');
    refused({ pageSize: '5001' }, 'pageSize must be a whole number from 1 to 5000.');
    refused({ pageSize: '0' }, 'pageSize must be a whole number from 1 to 5000.');
    expect(asked).toEqual([]);
  });

  it('asks WhoAmI for onBehalfOf, or as the service account without a body', async () => {
    const { c, asked } = controller();
    expect(await c.whoami(ORG, { onBehalfOf: { puid: PUID } }, ctx)).toEqual({ userId: ANN });
    // No body: WhoAmIBodyPipe hands the controller {} (record-body.pipe.spec.ts).
    await c.whoami(ORG, {}, ctx);
    expect(asked).toEqual([
      { op: 'whoAmI', args: [ORG, { puid: PUID }, ctx] },
      { op: 'whoAmI', args: [ORG, undefined, ctx] },
    ]);
  });

  it("answers the org's recent calls from the audit (20 by default, at most 200) without its cursor", async () => {
    const { c, asked } = controller();
    expect(await c.calls(ORG, undefined)).toEqual({ items: [{ id: 'ledger-1' }] });
    await c.calls(ORG, '200');
    const q = asked.map((a) => a.args[0] as AuditQueryDto);
    expect(q[0]).toBeInstanceOf(AuditQueryDto);
    expect(q.map((x) => ({ orgId: x.orgId, limit: x.limit }))).toEqual([
      { orgId: ORG, limit: 20 },
      { orgId: ORG, limit: 200 },
    ]);
    await expect(c.calls(ORG, '201')).rejects.toMatchObject({
      code: 'INVALID_QUERY',
      message: 'limit must be a whole number from 1 to 200.',
    });
  });
});
