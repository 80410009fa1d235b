import { describe, expect, it } from 'vitest';
import type { DataSource, Repository } from 'typeorm';
import { CrmCallEntity } from './crm-call.entity';
import { CrmStampEntity } from './crm-stamp.entity';
import { LedgerRepository, ledgerRepositoryFor, type ChainSealer } from './ledger.repository';

/**
 * How LedgerRepository drives its connections (the SQL's effect on Postgres is asserted in ledger-chain.int-spec
 * and ledger.mutation.int-spec): the export and chain cursors take a connection of their own, answer FETCH
 * through it and always give it back (rolling back only a transaction that is open); sealNext writes nothing
 * when the org has no head or nothing to seal, and writes the sealer's links and head otherwise; the counts
 * read a missing row as "no estimate" (-1) and "no rows" (0).
 */

type Answer = unknown[] | Error;

/** A query runner that records every step and answers each query from `answers` by the first word matching. */
function queryRunner(answers: Record<string, Answer> = {}) {
  const steps: string[] = [];
  const queries: Array<{ sql: string; params?: unknown[] }> = [];
  const qr = {
    isTransactionActive: false,
    connect: async () => void steps.push('connect'),
    startTransaction: async (level: string) => {
      steps.push(`begin ${level}`);
      qr.isTransactionActive = true;
    },
    commitTransaction: async () => {
      steps.push('commit');
      qr.isTransactionActive = false;
    },
    rollbackTransaction: async () => {
      steps.push('rollback');
      if (!qr.isTransactionActive) throw new Error('no transaction to roll back');
      qr.isTransactionActive = false;
    },
    release: async () => void steps.push('release'),
    query: async (sql: string, params?: unknown[]) => {
      queries.push({ sql, params });
      steps.push(sql.trim().split(/\s+/).slice(0, 2).join(' '));
      const key = Object.keys(answers).find((k) => sql.includes(k));
      const a = key === undefined ? [] : answers[key]!;
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return { qr, steps, queries };
}

function repoOver(qr: unknown, calls: Record<string, unknown> = {}) {
  const repo = {
    manager: { dataSource: { createQueryRunner: () => qr } },
    ...calls,
  } as unknown as Repository<CrmCallEntity>;
  return new LedgerRepository(repo, {} as Repository<CrmStampEntity>);
}

describe('LedgerRepository.openExportCursor', () => {
  it('declares the cursor in a read-only REPEATABLE READ transaction, fetches through it, and commits and releases', async () => {
    const rows = [{ id: 'r1' }, { id: 'r2' }];
    const { qr, steps, queries } = queryRunner({ 'FETCH 2 FROM ledger_export': rows });
    const cur = await repoOver(qr).openExportCursor({});
    expect(steps).toEqual(['connect', 'begin REPEATABLE READ', 'SET TRANSACTION', 'DECLARE ledger_export']);
    expect(await cur.fetch(2)).toBe(rows);
    expect(queries.at(-1)!.sql).toBe('FETCH 2 FROM ledger_export');
    await cur.commit();
    await cur.close();
    expect(steps.slice(4)).toEqual(['FETCH 2', 'commit', 'release']);
  });

  it("one org's export is scoped to that org (row-level security) before the cursor is declared", async () => {
    const { qr, steps, queries } = queryRunner();
    await repoOver(qr).openExportCursor({ orgId: '5f0c8a0e-1d4b-4f6a-9e8e-6b1f0f9f3a11' });
    expect(steps.slice(2, 5)).toEqual([
      'SET TRANSACTION',
      "SELECT set_config('onbehalf.org_id',",
      'DECLARE ledger_export',
    ]);
    expect(queries[1]!.params).toEqual(['5f0c8a0e-1d4b-4f6a-9e8e-6b1f0f9f3a11']);
  });

  it('a failed DECLARE rolls back, releases the connection and throws the error', async () => {
    const boom = new Error('syntax error');
    const { qr, steps } = queryRunner({ 'DECLARE ledger_export': boom });
    await expect(repoOver(qr).openExportCursor({})).rejects.toBe(boom);
    expect(steps.slice(-2)).toEqual(['rollback', 'release']);
  });

  it('closing after the commit releases without a rollback', async () => {
    const { qr, steps } = queryRunner();
    const cur = await repoOver(qr).openExportCursor({});
    await cur.commit();
    await cur.close();
    expect(steps).not.toContain('rollback');
  });
});

describe('LedgerRepository.openChainCursor', () => {
  const HEAD = { seq: '3', hash: 'abc' };

  it("reads the org's head and declares the chain cursor in one read-only REPEATABLE READ snapshot; fetch asks for whole rows through it; close rolls back and releases", async () => {
    const sealed = [{ id: 'r1', chain_seq: '1' }];
    const { qr, steps, queries } = queryRunner({
      'FROM crm_call_chain_heads': [HEAD],
      'FETCH 5 FROM ledger_chain': sealed,
    });
    const cur = await repoOver(qr).openChainCursor('org-1');
    expect(cur.head).toEqual(HEAD);
    expect(steps).toEqual([
      'connect',
      'begin REPEATABLE READ',
      'SET TRANSACTION',
      "SELECT set_config('onbehalf.org_id',",
      'SELECT seq::text',
      'DECLARE ledger_chain',
    ]);
    // scoped to the org (row-level security) inside the snapshot, before anything is read
    expect(queries[1]!.sql).toBe("SELECT set_config('onbehalf.org_id', $1, true)");
    expect(queries[1]!.params).toEqual(['org-1']);
    expect(queries[2]!.params).toEqual(['org-1']);
    expect(queries[3]!.sql).toMatch(
      /c\.org_id = \$1 AND c\.chain_seq IS NOT NULL ORDER BY c\.chain_seq, c\.id/,
    );
    expect(queries[3]!.sql).toContain("to_char((c.sealed_at) AT TIME ZONE 'UTC'");
    expect(queries[3]!.params).toEqual(['org-1']);
    expect(await cur.fetch(5.7)).toBe(sealed);
    expect(queries.at(-1)!.sql).toBe('FETCH 5 FROM ledger_chain');
    await cur.close();
    expect(steps.slice(-2)).toEqual(['rollback', 'release']);
  });

  it('an org without a head has head null', async () => {
    const { qr } = queryRunner();
    const cur = await repoOver(qr).openChainCursor('org-1');
    expect(cur.head).toBeNull();
  });

  it('a failure while opening rolls back, releases and throws', async () => {
    const boom = new Error('connection lost');
    const { qr, steps } = queryRunner({ 'FROM crm_call_chain_heads': boom });
    await expect(repoOver(qr).openChainCursor('org-1')).rejects.toBe(boom);
    expect(steps.slice(-2)).toEqual(['rollback', 'release']);
  });

  it('a failure before the transaction began releases without a rollback', async () => {
    const { qr, steps } = queryRunner();
    qr.startTransaction = async () => {
      throw new Error('too many clients');
    };
    await expect(repoOver(qr).openChainCursor('org-1')).rejects.toThrow('too many clients');
    expect(steps).toEqual(['connect', 'release']);
  });
});

describe('LedgerRepository.sealNext', () => {
  const HEAD = { seq: '4', hash: 'h4', now: '2026-01-01T00:00:00.000000Z' };
  const ROWS = [{ id: 'a' }, { id: 'b' }];

  function sealing(answers: Record<string, Answer>) {
    const { qr, queries } = queryRunner(answers);
    const given: unknown[][] = [];
    const seal: ChainSealer = (head, rows, sealedAt) => {
      given.push([head, rows, sealedAt]);
      return {
        links: [
          { id: 'a', seq: '5', prevHash: 'h4', rowHash: 'h5' },
          { id: 'b', seq: '6', prevHash: 'h5', rowHash: 'h6' },
        ],
        head: { seq: '6', hash: 'h6' },
      };
    };
    const repo = repoOver(qr, {
      manager: { transaction: async (work: (m: unknown) => Promise<number>) => work(qr) },
    });
    return { repo, queries, given, seal };
  }

  it("creates the org's head if missing, seals the unsealed final rows after it, and moves the head to the sealer's", async () => {
    const w = sealing({
      'FROM crm_call_chain_heads WHERE org_id = $1 FOR UPDATE': [HEAD],
      'FROM crm_calls c': ROWS,
    });
    expect(await w.repo.sealNext('org-1', 100, w.seal)).toBe(2);
    expect(w.given).toEqual([[{ seq: '4', hash: 'h4' }, ROWS, HEAD.now]]);
    const [scope, ensure, head, rows, links, move] = w.queries;
    expect(scope).toEqual({ sql: "SELECT set_config('onbehalf.org_id', $1, true)", params: ['org-1'] });
    expect(ensure!.sql).toMatch(
      /^INSERT INTO crm_call_chain_heads \(org_id\) SELECT id FROM orgs WHERE id = \$1/,
    );
    expect(ensure!.params).toEqual(['org-1']);
    expect(head!.params).toEqual(['org-1']);
    expect(rows!.sql).toMatch(
      /c\.chain_seq IS NULL AND c\.outcome <> 'pending'\s+ORDER BY c\.completed_at, c\.id LIMIT \$2 FOR UPDATE/,
    );
    expect(rows!.params).toEqual(['org-1', 100]);
    expect(links!.sql).toMatch(
      /^UPDATE crm_calls c SET chain_seq = u\.seq, prev_hash = u\.prev_hash, row_hash = u\.row_hash/,
    );
    expect(links!.params).toEqual(['org-1', ['a', 'b'], ['5', '6'], ['h4', 'h5'], ['h5', 'h6']]);
    expect(move!.sql).toMatch(/^UPDATE crm_call_chain_heads SET seq = \$2, hash = \$3/);
    expect(move!.params).toEqual(['org-1', '6', 'h6']);
    expect(w.queries).toHaveLength(6);
  });

  it('an org with no head (the org is gone) seals nothing', async () => {
    const w = sealing({ 'FROM crm_calls c': ROWS });
    expect(await w.repo.sealNext('org-1', 100, w.seal)).toBe(0);
    expect(w.given).toEqual([]);
    expect(w.queries).toHaveLength(3);
  });

  it('nothing to seal: no seal, no write', async () => {
    const w = sealing({ 'FROM crm_call_chain_heads WHERE org_id = $1 FOR UPDATE': [HEAD] });
    expect(await w.repo.sealNext('org-1', 100, w.seal)).toBe(0);
    expect(w.given).toEqual([]);
    expect(w.queries).toHaveLength(4);
  });
});

describe('LedgerRepository org lists and counts', () => {
  const over = (rows: unknown[]) => {
    const asked: Array<{ sql: string; params?: unknown[] }> = [];
    const repo = repoOver(
      {},
      {
        query: async (sql: string, params?: unknown[]) => {
          asked.push({ sql, params });
          return rows;
        },
      },
    );
    return { repo, asked };
  };

  it('orgsWithUnsealedRows lists the org ids of final unsealed rows', async () => {
    const { repo, asked } = over([{ org_id: 'o1' }, { org_id: 'o2' }]);
    expect(await repo.orgsWithUnsealedRows()).toEqual(['o1', 'o2']);
    expect(asked[0]!.sql).toMatch(/WHERE chain_seq IS NULL AND outcome <> 'pending'/);
  });

  it('orgsWithChain lists the org ids with a head or a sealed row', async () => {
    const { repo, asked } = over([{ org_id: 'o1' }]);
    expect(await repo.orgsWithChain()).toEqual(['o1']);
    expect(asked[0]!.sql).toMatch(
      /FROM crm_call_chain_heads\s+UNION SELECT DISTINCT org_id::text FROM crm_calls WHERE chain_seq IS NOT NULL/,
    );
  });

  it("estimatedRowCount reads the planner's count, -1 when there is none", async () => {
    expect(await over([{ n: '42' }]).repo.estimatedRowCount()).toBe(42);
    expect(await over([]).repo.estimatedRowCount()).toBe(-1);
  });

  it('countRowsUpTo counts at most the cap, 0 when no row comes back', async () => {
    const { repo, asked } = over([{ n: '7' }]);
    expect(await repo.countRowsUpTo(500)).toBe(7);
    expect(asked[0]!.params).toEqual([500]);
    expect(await over([]).repo.countRowsUpTo(500)).toBe(0);
  });
});

describe('ledgerRepositoryFor', () => {
  it("builds the repository over the data source's crm_calls repository", async () => {
    const asked: unknown[] = [];
    const calls = { query: async () => [{ org_id: 'o1' }] };
    const ds = {
      getRepository: (e: unknown) => {
        asked.push(e);
        return e === CrmCallEntity ? calls : {};
      },
    };
    const repo = ledgerRepositoryFor(ds as unknown as DataSource);
    expect(asked).toEqual([CrmCallEntity, CrmStampEntity]);
    expect(await repo.orgsWithChain()).toEqual(['o1']);
  });
});

describe('LedgerRepository.search', () => {
  function searching() {
    const { qr, queries } = queryRunner({ 'FROM crm_calls c': [{ id: 'r1' }] });
    const plain: string[] = [];
    const repo = repoOver(qr, {
      manager: { transaction: async (work: (m: unknown) => Promise<unknown>) => work(qr) },
      query: async (sql: string) => {
        plain.push(sql);
        return [{ id: 'r0' }];
      },
    });
    return { repo, queries, plain };
  }

  it("one org's page runs in a transaction scoped to that org, the scope set before the query", async () => {
    const w = searching();
    const org = '5f0c8a0e-1d4b-4f6a-9e8e-6b1f0f9f3a11';
    expect(await w.repo.search({ orgId: org }, { limit: 10 })).toEqual([{ id: 'r1' }]);
    expect(w.queries[0]).toEqual({ sql: "SELECT set_config('onbehalf.org_id', $1, true)", params: [org] });
    expect(w.queries[1]!.sql).toContain('FROM crm_calls c');
    expect(w.plain).toEqual([]);
  });

  it('the all-orgs page is one plain query, without a transaction or a scope', async () => {
    const w = searching();
    expect(await w.repo.search({}, { limit: 10 })).toEqual([{ id: 'r0' }]);
    expect(w.queries).toEqual([]);
    expect(w.plain).toHaveLength(1);
  });
});
