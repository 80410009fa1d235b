import { describe, expect, it } from 'vitest';
import type { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';

/**
 * The chain and count reads LedgerService hands to its repository (ledger-chain/, the overview and the metrics
 * read them through the service): each passes its arguments on unchanged and answers the repository's answer.
 */
describe('LedgerService chain and count reads', () => {
  const seal = () => ({ links: [], head: { seq: '0', hash: 'h' } });
  const cursor = { head: null, fetch: async () => [], close: async () => undefined };
  const counts = new Map([['org-1', { total: 3, failed: 1 }]]);

  function service() {
    const asked: unknown[][] = [];
    const answer =
      (op: string, value: unknown) =>
      async (...args: unknown[]) => {
        asked.push([op, ...args]);
        return value;
      };
    const repo = {
      orgsWithUnsealedRows: answer('orgsWithUnsealedRows', ['org-1']),
      orgsWithChain: answer('orgsWithChain', ['org-1', 'org-2']),
      sealNext: answer('sealNext', 7),
      openChainCursor: answer('openChainCursor', cursor),
      callCounts24h: answer('callCounts24h', counts),
      estimatedRowCount: answer('estimatedRowCount', 1234),
      countRowsUpTo: answer('countRowsUpTo', 99),
    } as unknown as LedgerRepository;
    return { svc: new LedgerService(repo, { instanceId: 'i-1' }), asked };
  }

  it('each answers what the repository answers, asked with the same arguments', async () => {
    const { svc, asked } = service();
    expect(await svc.orgsWithUnsealedRows()).toEqual(['org-1']);
    expect(await svc.orgsWithChain()).toEqual(['org-1', 'org-2']);
    expect(await svc.sealNext('org-1', 50, seal)).toBe(7);
    expect(await svc.openChainCursor('org-1')).toBe(cursor);
    expect(await svc.callCounts24h()).toBe(counts);
    expect(await svc.estimatedRowCount()).toBe(1234);
    expect(await svc.countRowsUpTo(10_000)).toBe(99);
    expect(asked).toEqual([
      ['orgsWithUnsealedRows'],
      ['orgsWithChain'],
      ['sealNext', 'org-1', 50, seal],
      ['openChainCursor', 'org-1'],
      ['callCounts24h'],
      ['estimatedRowCount'],
      ['countRowsUpTo', 10_000],
    ]);
  });
});
