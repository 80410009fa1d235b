import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { JobsService } from '../jobs/jobs.service';
import type { LedgerChainService } from '../ledger-chain/ledger-chain.service';
import type { OrgDirectory } from '../orgs/org-directory';
import type { TicketsService } from '../tickets/tickets.service';
import type { LedgerRepository, LostCreate } from './ledger.repository';
import { ReconcileService } from './reconcile.service';

const ORG = '11111111-0000-4000-8000-000000000001';
// Hex letters in every id, so that a slip in case (CRM's ids against Postgres' lower-case uuids) shows.
const SA = 'e2222222-0000-4000-8000-00000000000a';
const ANN = 'a3333333-0000-4000-8000-00000000000b';
const REC = '55555555-0000-4000-8000-000000000001';
const REC2 = '55555555-0000-4000-8000-000000000002';
const AT = new Date('2026-12-03T08:00:00.000Z');
const CREATED = '2026-12-03T08:00:02.000Z';

const lostRow = (o: Partial<LostCreate> = {}): LostCreate => ({
  id: 'row-1',
  entity: 'account',
  record_id: null,
  service_account_id: SA,
  on_behalf_of_id: ANN,
  outcome: 'failed',
  error_code: 'ERR_XML_MALFORMED',
  at: AT,
  ...o,
});

/** An account CRM created on behalf of Ann through the service account, as retrieveMultiple answers it. */
const created = (id: string, o: Record<string, unknown> = {}) => ({
  accountid: id,
  createdby: { id: ANN, name: 'Ann Lee' },
  createdonbehalfby: { id: SA, name: 'ERP' },
  modifiedby: { id: ANN, name: 'Ann Lee' },
  modifiedonbehalfby: { id: SA, name: 'ERP' },
  createdon: CREATED,
  modifiedon: CREATED,
  ...o,
});

/**
 * reconcile() over a fake LedgerRepository (no unverified writes, no stale pending rows; `lost` as its
 * unknown-outcome Creates; `named` the records some row other than those names) and a CRM whose account page is
 * `page`. Its hasCallOn answers as the SQL does: a row of `named`, or a lost row naming the record, not left out.
 */
function world(o: {
  lost: LostCreate[];
  page: Record<string, unknown>[];
  named?: string[];
  linkSucceeds?: boolean;
  stale?: string[];
  chain?: LedgerChainService;
}) {
  const calls: unknown[][] = [];
  const answer =
    <T>(op: string, fn: (...a: unknown[]) => T) =>
    async (...args: unknown[]) => {
      calls.push([op, ...args]);
      return fn(...args);
    };
  const repo = {
    unverifiedWrites: answer('unverifiedWrites', () => []),
    stalePending: answer('stalePending', () => (o.stale ?? []).map((id) => ({ id }))),
    failPendingAsCrashed: answer('failPendingAsCrashed', () => undefined),
    lostCreates: answer('lostCreates', () => o.lost),
    hasCallOn: answer(
      'hasCallOn',
      (_org, entity, id, except) =>
        (o.named ?? []).includes(id as string) ||
        o.lost.some(
          (r) =>
            r.entity === entity &&
            r.record_id === id &&
            !((except as string[] | undefined) ?? []).includes(r.id),
        ),
    ),
    linkLostCreate: answer('linkLostCreate', () => o.linkSucceeds ?? true),
    saveStamps: answer('saveStamps', () => undefined),
    markReconciliation: answer('markReconciliation', () => undefined),
  } as unknown as LedgerRepository;
  const tickets = {
    run: async (_orgId: string, fn: (s: unknown) => Promise<unknown>) =>
      fn({
        retrieveMultiple: async (q: { entityName: string }) => ({
          entities: q.entityName === 'account' ? o.page.map((attributes) => ({ attributes })) : [],
        }),
      }),
  } as unknown as TicketsService;
  const orgs = { find: async () => ({ id: ORG, serviceAccountUserId: SA }) } as unknown as OrgDirectory;
  const jobs = { register: () => undefined } as unknown as JobsService;
  const svc = new ReconcileService(
    repo,
    { reconcilePendingAfterSec: 60 } as AppConfig,
    orgs,
    tickets,
    jobs,
    o.chain,
  );
  const of = (op: string) => calls.filter((c) => c[0] === op).map((c) => c.slice(1));
  return { svc, of };
}

describe('ReconcileService: a Create whose reply was lost', () => {
  it('is linked by inference to the record CRM created for it (verdict match, a note naming the record and the window), not reported as an unknown change', async () => {
    const w = world({ lost: [lostRow()], page: [created(REC)] });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('lostCreates')).toEqual([[ORG, expect.any(Date)]]);
    expect(w.of('linkLostCreate')).toEqual([
      [
        ORG,
        'row-1',
        REC,
        'match',
        `the reply was lost (ERR_XML_MALFORMED); probably the record ${REC} created ${CREATED}, the only one of this entity created as this call asked between 2026-12-03T07:58:00.000Z and 2026-12-03T08:03:00.000Z`,
      ],
    ]);
    expect(report.linked).toEqual([{ entity: 'account', recordId: REC, ledgerId: 'row-1', by: 'inference' }]);
    expect(report.unknown).toEqual([]);
    expect(report.unknownChanges).toBe(0);
    expect(report.ambiguous).toEqual([]);
    // CRM's stamps are kept for the console, as for any record reconciliation reads.
    expect(w.of('saveStamps').map((c) => (c[0] as { recordId: string }).recordId)).toEqual([REC]);
  });

  it('reads the lost Creates over the same window as the unknown-change scan', async () => {
    const w = world({ lost: [], page: [] });
    const before = Date.now();
    await w.svc.reconcile(ORG, { sinceHours: 2 });
    const since = w.of('lostCreates')[0]![1] as Date;
    expect(Math.abs(since.getTime() - (before - 2 * 3_600_000))).toBeLessThan(60_000);
  });

  it('matches CRM ids whatever their case (CRM may answer upper-case GUIDs)', async () => {
    const w = world({
      lost: [lostRow()],
      page: [
        created(`{${REC.toUpperCase()}}`, {
          createdby: { id: ANN.toUpperCase() },
          createdonbehalfby: { id: SA.toUpperCase() },
        }),
      ],
    });
    const report = await w.svc.reconcile(ORG);
    expect(report.linked).toEqual([{ entity: 'account', recordId: REC, ledgerId: 'row-1', by: 'inference' }]);
  });

  it('two lost Creates that could each be the record: reported as ambiguous with both rows, still an unknown change, nothing linked', async () => {
    const w = world({
      lost: [lostRow({ id: 'row-a' }), lostRow({ id: 'row-b' })],
      page: [created(REC)],
    });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('linkLostCreate')).toEqual([]);
    expect(report.ambiguous).toEqual([{ entity: 'account', recordId: REC, ledgerIds: ['row-a', 'row-b'] }]);
    expect(report.unknown).toEqual([{ entity: 'account', recordId: REC, modifiedon: CREATED }]);
    expect(report.linked).toEqual([]);
  });

  it('one lost Create that could be either of two records: both ambiguous, both unknown changes', async () => {
    const w = world({ lost: [lostRow()], page: [created(REC), created(REC2)] });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('linkLostCreate')).toEqual([]);
    expect(report.ambiguous.map((a) => [a.recordId, a.ledgerIds])).toEqual([
      [REC, ['row-1']],
      [REC2, ['row-1']],
    ]);
    expect(report.unknown.map((u) => u.recordId)).toEqual([REC, REC2]);
  });

  it('a keyed Create links by the id it named once no other row names the record (the time CRM created it does not matter)', async () => {
    const w = world({
      lost: [lostRow({ record_id: REC, error_code: 'CRASHED_UNKNOWN_OUTCOME' })],
      page: [created(REC, { createdon: '2026-12-04T08:00:00.000Z' })], // outside any time window: the id decides
    });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('hasCallOn')).toEqual([[ORG, 'account', REC, ['row-1']]]);
    expect(w.of('linkLostCreate')).toEqual([
      [
        ORG,
        'row-1',
        REC,
        'match',
        `the reply was lost (CRASHED_UNKNOWN_OUTCOME); CRM has the record ${REC} the Create named created 2026-12-04T08:00:00.000Z`,
      ],
    ]);
    expect(report.linked).toEqual([{ entity: 'account', recordId: REC, ledgerId: 'row-1', by: 'id' }]);
    expect(report.unknown).toEqual([]);
  });

  it('a keyed Create is not linked to a record another row names (the re-sent Create that completed it): neither linked nor unknown', async () => {
    const w = world({
      lost: [lostRow({ record_id: REC, error_code: 'ERR_TIMEOUT' })],
      page: [created(REC)],
      named: [REC],
    });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('linkLostCreate')).toEqual([]);
    expect(report).toMatchObject({ linked: [], unknown: [], ambiguous: [], unknownChanges: 0 });
  });

  it('two lost keyed Creates naming one record (the first and its re-sent copy): ambiguous with both rows, neither linked', async () => {
    const lost = [
      lostRow({ id: 'row-a', record_id: REC, error_code: 'ERR_TIMEOUT' }),
      lostRow({ id: 'row-b', record_id: REC, error_code: 'ERR_TIMEOUT' }),
    ];
    const w = world({ lost, page: [created(REC)] });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('linkLostCreate')).toEqual([]);
    expect(report.ambiguous).toEqual([{ entity: 'account', recordId: REC, ledgerIds: ['row-a', 'row-b'] }]);
    expect(report.linked).toEqual([]);
    // The ledger names the record: not an unknown change.
    expect(report.unknown).toEqual([]);
  });

  it('a createdon CRM sent that is not a date counts as none: no time in the note, no match by time', async () => {
    const w = world({
      lost: [lostRow({ record_id: REC })],
      page: [created(REC, { createdon: 'yesterday-ish' })],
    });
    await w.svc.reconcile(ORG);
    expect(w.of('linkLostCreate')[0]![4]).toBe(
      `the reply was lost (ERR_XML_MALFORMED); CRM has the record ${REC} the Create named`,
    );
    const unkeyed = world({ lost: [lostRow()], page: [created(REC, { createdon: 'yesterday-ish' })] });
    const report = await unkeyed.svc.reconcile(ORG);
    expect(report.linked).toEqual([]);
    expect(report.unknown.map((u) => u.recordId)).toEqual([REC]);
  });

  it('a keyed Create whose record CRM stamped otherwise is linked as a mismatch that says so', async () => {
    const w = world({
      lost: [lostRow({ record_id: REC })],
      page: [created(REC, { createdby: { id: SA }, createdonbehalfby: null })],
    });
    await w.svc.reconcile(ORG);
    const [link] = w.of('linkLostCreate');
    expect(link!.slice(0, 4)).toEqual([ORG, 'row-1', REC, 'mismatch']);
    expect(link![4]).toMatch(/, but its created… stamps are not the ones this call asked for$/);
  });

  it('a link that did not take (another run judged the row meanwhile) is not reported as linked: the record is listed as an unknown change', async () => {
    const w = world({ lost: [lostRow()], page: [created(REC)], linkSucceeds: false });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('linkLostCreate')).toHaveLength(1);
    expect(report.linked).toEqual([]);
    expect(report.unknown).toEqual([{ entity: 'account', recordId: REC, modifiedon: CREATED }]);
    expect(report.unknownChanges).toBe(1);
    const keyed = world({ lost: [lostRow({ record_id: REC })], page: [created(REC)], linkSucceeds: false });
    const r2 = await keyed.svc.reconcile(ORG);
    expect(r2.linked).toEqual([]);
    expect(r2.unknown.map((u) => u.recordId)).toEqual([REC]);
    expect(r2.unknownChanges).toBe(1);
  });

  it('a keyed lost Create of another entity that named the same id is not linked to this record: it stays an unknown change', async () => {
    // A contact Create named REC and its reply was lost; CRM holds an account REC (ids are per entity).
    const w = world({
      lost: [lostRow({ id: 'contact-row', entity: 'contact', record_id: REC })],
      page: [created(REC)],
    });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('linkLostCreate')).toEqual([]);
    expect(w.of('hasCallOn')).toEqual([[ORG, 'account', REC]]);
    expect(report.linked).toEqual([]);
    expect(report.ambiguous).toEqual([]);
    expect(report.unknown).toEqual([{ entity: 'account', recordId: REC, modifiedon: CREATED }]);
  });

  it('a record linked by inference gets its own stamps saved, not those of another unknown record read before it', async () => {
    const other = { id: 'b4444444-0000-4000-8000-00000000000c', name: 'Bo Ek' };
    const w = world({
      lost: [lostRow()],
      page: [
        // Read first: created outside the row's window, so no lost Create explains it.
        created(REC2, {
          createdon: '2026-12-01T08:00:00.000Z',
          modifiedon: '2026-12-01T09:00:00.000Z',
          modifiedby: other,
        }),
        created(REC),
      ],
    });
    const report = await w.svc.reconcile(ORG);
    expect(report.linked).toEqual([{ entity: 'account', recordId: REC, ledgerId: 'row-1', by: 'inference' }]);
    const saved = w
      .of('saveStamps')
      .map((c) => c[0] as { recordId: string; createdon: Date; modifiedby: string });
    expect(saved.find((s) => s.recordId === REC)).toMatchObject({
      createdon: new Date(CREATED),
      modifiedon: new Date(CREATED),
      modifiedby: JSON.stringify({ id: ANN, name: 'Ann Lee' }),
    });
    expect(saved.find((s) => s.recordId === REC2)).toMatchObject({
      createdon: new Date('2026-12-01T08:00:00.000Z'),
      modifiedby: JSON.stringify(other),
    });
  });

  it('a record some row already names is neither linked nor unknown, even when a lost Create could match it', async () => {
    const w = world({ lost: [lostRow()], page: [created(REC)], named: [REC] });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('hasCallOn')).toEqual([[ORG, 'account', REC]]);
    expect(w.of('linkLostCreate')).toEqual([]);
    expect(report).toMatchObject({ linked: [], unknown: [], ambiguous: [] });
  });

  it('a lost Create that matches no record stays as it is; the unrelated change is still unknown', async () => {
    const w = world({
      lost: [lostRow()],
      page: [created(REC, { createdon: '2026-12-01T08:00:00.000Z' })],
    });
    const report = await w.svc.reconcile(ORG);
    expect(w.of('linkLostCreate')).toEqual([]);
    expect(report.unknown.map((u) => u.recordId)).toEqual([REC]);
    expect(report.ambiguous).toEqual([]);
  });
});

describe('ReconcileService: the rows a run settles are sealed at once', () => {
  const chain = (sealOrg: (orgId: string, deadline: number) => Promise<number>) =>
    ({ sealOrg: vi.fn(sealOrg) }) as unknown as LedgerChainService & { sealOrg: ReturnType<typeof vi.fn> };

  it('after failing stale pending rows, seals the org within a 5 s budget, before judging anything', async () => {
    let seen: { failed: number; judged: number } | null = null;
    // eslint-disable-next-line prefer-const
    let w: ReturnType<typeof world>;
    const c = chain(async () => {
      seen = { failed: w.of('failPendingAsCrashed').length, judged: w.of('unverifiedWrites').length };
      return 2;
    });
    w = world({ lost: [], page: [], stale: ['p-1', 'p-2'], chain: c });
    const before = Date.now();
    const report = await w.svc.reconcile(ORG);
    expect(report.pendingResolved).toBe(2);
    expect(w.of('failPendingAsCrashed')).toEqual([
      [ORG, 'p-1'],
      [ORG, 'p-2'],
    ]);
    expect(c.sealOrg).toHaveBeenCalledTimes(1);
    const [orgId, deadline] = c.sealOrg.mock.calls[0] as [string, number];
    expect(orgId).toBe(ORG);
    expect(deadline).toBeGreaterThanOrEqual(before + 5_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(seen).toEqual({ failed: 2, judged: 0 });
  });

  it('seals nothing when the run settled no row', async () => {
    const c = chain(async () => 0);
    await world({ lost: [], page: [], chain: c }).svc.reconcile(ORG);
    expect(c.sealOrg).not.toHaveBeenCalled();
  });

  it('a failed seal does not fail the run: it is logged with the org and the reason, and the run goes on', async () => {
    const c = chain(async () => {
      throw new Error('head locked too long');
    });
    const w = world({ lost: [lostRow()], page: [created(REC)], stale: ['p-1'], chain: c });
    const warn = vi.spyOn(w.svc['logger'], 'warn').mockImplementation(() => undefined);
    const report = await w.svc.reconcile(ORG);
    expect(report.linked).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(
      `reconcile ${ORG}: sealing the settled rows failed (the ledger-seal job retries): head locked too long`,
    );
  });

  it('without the chain service (a bare ReconcileService) settling still works, and nothing is logged', async () => {
    const w = world({ lost: [], page: [], stale: ['p-1'] });
    const warn = vi.spyOn(w.svc['logger'], 'warn').mockImplementation(() => undefined);
    const report = await w.svc.reconcile(ORG);
    expect(report.pendingResolved).toBe(1);
    expect(warn).not.toHaveBeenCalled();
  });
});
