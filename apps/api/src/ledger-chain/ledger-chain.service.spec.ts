import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChainSealer, LedgerChainCursor } from '../crm/ledger.repository';
import type { LedgerService } from '../crm/ledger.service';
import type { JobsService } from '../jobs/jobs.service';
import type { OrgDirectory } from '../orgs/org-directory';
import { GENESIS_HASH, sealAfter } from './chain-hash';
import { LEDGER_SEAL_JOB, LedgerChainService, SEAL_BATCH, SEAL_EVERY_MS } from './ledger-chain.service';

/** A ledger whose orgs have `backlog[org]` final rows to seal; sealNext takes up to `limit` of them. */
function fakeLedger(backlog: Record<string, number>) {
  const sealers: ChainSealer[] = [];
  const ledger = {
    orgsWithUnsealedRows: vi.fn(async () => Object.keys(backlog).filter((o) => backlog[o]! > 0)),
    sealNext: vi.fn(async (orgId: string, limit: number, seal: ChainSealer) => {
      sealers.push(seal);
      const n = Math.min(limit, backlog[orgId] ?? 0);
      backlog[orgId] = (backlog[orgId] ?? 0) - n;
      return n;
    }),
    openChainCursor: vi.fn(async (): Promise<LedgerChainCursor> => ({
      head: { seq: '0', hash: GENESIS_HASH },
      fetch: async () => [],
      close: async () => undefined,
    })),
  };
  return { ledger, sealers };
}

function service(ledger: object, orgs: Partial<OrgDirectory> = {}) {
  const jobs = { register: vi.fn() };
  const s = new LedgerChainService(
    ledger as unknown as LedgerService,
    orgs as OrgDirectory,
    jobs as unknown as JobsService,
  );
  return { s, jobs };
}

describe('LedgerChainService', () => {
  afterEach(() => vi.restoreAllMocks());

  it('registers the sealer as a periodic job every few seconds', () => {
    const { jobs } = service(fakeLedger({}).ledger);
    expect(jobs.register).toHaveBeenCalledWith(
      expect.objectContaining({ name: LEDGER_SEAL_JOB, everyMs: SEAL_EVERY_MS }),
    );
    expect(SEAL_EVERY_MS).toBeLessThanOrEqual(10_000);
  });

  it('seals an org batch after batch with the chain hashing, until a batch comes back short', async () => {
    const { ledger, sealers } = fakeLedger({ a: 2 * SEAL_BATCH + 3 });
    const { s } = service(ledger);
    expect(await s.sealOrg('a')).toBe(2 * SEAL_BATCH + 3);
    expect(ledger.sealNext.mock.calls.map((c) => [c[0], c[1]])).toEqual([
      ['a', SEAL_BATCH],
      ['a', SEAL_BATCH],
      ['a', SEAL_BATCH],
    ]);
    expect(sealers.every((f) => f === sealAfter)).toBe(true);
  });

  it('asks once more after a full last batch, and stops at an empty one', async () => {
    const { ledger } = fakeLedger({ a: SEAL_BATCH });
    const { s } = service(ledger);
    expect(await s.sealOrg('a')).toBe(SEAL_BATCH);
    expect(ledger.sealNext).toHaveBeenCalledTimes(2);
  });

  it('stops starting batches once the deadline has passed', async () => {
    const { ledger } = fakeLedger({ a: 5 * SEAL_BATCH });
    const { s } = service(ledger);
    expect(await s.sealOrg('a', Date.now() - 1)).toBe(SEAL_BATCH);
  });

  it('the job seals every org that has final rows left, and reports how many per org', async () => {
    const { ledger } = fakeLedger({ a: 3, b: 0, c: SEAL_BATCH + 1 });
    const { jobs } = service(ledger);
    const run = jobs.register.mock.calls[0]![0].run as () => Promise<unknown>;
    expect(await run()).toEqual({ a: 3, c: SEAL_BATCH + 1 });
  });

  it('verifies a known org from its chain cursor, and refuses an unknown one with ORG_NOT_FOUND', async () => {
    const { ledger } = fakeLedger({});
    const find = vi.fn(async (id: string) => (id === 'known' ? ({ id } as never) : null));
    const { s } = service(ledger, { find });
    expect(await s.verify('known')).toEqual({
      orgId: 'known',
      rows: 0,
      verifiedThrough: null,
      headSeq: '0',
      break: null,
    });
    expect(ledger.openChainCursor).toHaveBeenCalledWith('known');
    await expect(s.verify('unknown')).rejects.toMatchObject({ code: 'ORG_NOT_FOUND' });
    expect(ledger.openChainCursor).toHaveBeenCalledTimes(1);
  });

  it('a failing org does not stop the others: it is logged with its error code and reported, the next org is sealed', async () => {
    const { ledger } = fakeLedger({ a: 2, broken: 4, c: 1 });
    const sealNext = ledger.sealNext.getMockImplementation()!;
    ledger.sealNext.mockImplementation(async (orgId, limit, seal) => {
      if (orgId === 'broken')
        throw Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
      return sealNext(orgId, limit, seal);
    });
    const error = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { s } = service(ledger);
    expect(await s.sealAll()).toEqual({
      a: 2,
      broken: { error: '23505 duplicate key value violates unique constraint' },
      c: 1,
    });
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toBe(
      'ledger chain sealing of org broken failed: 23505 duplicate key value violates unique constraint',
    );
  });

  it('reports an error without a code by its message, and a thrown non-error as text', async () => {
    const { ledger } = fakeLedger({ a: 1, b: 1 });
    ledger.sealNext.mockImplementation(async (orgId) => {
      if (orgId === 'a') throw new Error('connection terminated');
      throw 'boom';
    });
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { s } = service(ledger);
    expect(await s.sealAll()).toEqual({ a: { error: 'connection terminated' }, b: { error: 'boom' } });
  });

  it('runs one verification per org at a time: a second request while one runs gets the same verdict', async () => {
    const { ledger } = fakeLedger({});
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    ledger.openChainCursor.mockImplementation(async () => {
      await gate;
      return { head: { seq: '0', hash: GENESIS_HASH }, fetch: async () => [], close: async () => undefined };
    });
    const { s } = service(ledger, { find: vi.fn(async (id: string) => ({ id }) as never) });
    const first = s.verify('o');
    const second = s.verify('o');
    const other = s.verify('p');
    release();
    const [v1, v2, v3] = await Promise.all([first, second, other]);
    expect(v2).toBe(v1);
    expect(v3.orgId).toBe('p');
    expect(ledger.openChainCursor.mock.calls.map((c) => (c as unknown[])[0])).toEqual(['o', 'p']);
    // Once it is done, the next request verifies again.
    await s.verify('o');
    expect(ledger.openChainCursor).toHaveBeenCalledTimes(3);
  });

  it('a failed verification is not kept: the waiting request gets the same error, the next one tries again', async () => {
    const { ledger } = fakeLedger({});
    const find = vi.fn(async () => null);
    const { s } = service(ledger, { find });
    const both = [s.verify('gone'), s.verify('gone')];
    for (const p of both) await expect(p).rejects.toMatchObject({ code: 'ORG_NOT_FOUND' });
    expect(find).toHaveBeenCalledTimes(1);
    await expect(s.verify('gone')).rejects.toMatchObject({ code: 'ORG_NOT_FOUND' });
    expect(find).toHaveBeenCalledTimes(2);
  });
});
