import { describe, expect, it, vi } from 'vitest';
import type { LedgerChainCursor, LedgerChainRow } from '../crm/ledger.repository';
import { GENESIS_HASH, sealAfter } from './chain-hash';
import { chainContent } from '../../test/support/ledger-chain-rows';
import { cursorRows, verifyFromCursor } from './chain-reader';

function rows(n: number): LedgerChainRow[] {
  const contents = Array.from({ length: n }, (_, i) =>
    chainContent({ id: `r${i + 1}`, org_id: 'o', at: '2026-12-03T08:00:00.000000Z' }),
  );
  const sealedAt = '2026-12-03T08:00:01.000000Z';
  const { links } = sealAfter({ seq: '0', hash: GENESIS_HASH }, contents, sealedAt);
  return contents.map((c, i) => ({
    ...c,
    chain_seq: links[i]!.seq,
    prev_hash: links[i]!.prevHash,
    row_hash: links[i]!.rowHash,
    sealed_at: sealedAt,
  }));
}

/** A cursor over `all` that records each FETCH's size and whether it was closed. */
function fakeCursor(all: LedgerChainRow[]) {
  let at = 0;
  const fetches: number[] = [];
  const cursor: LedgerChainCursor & { fetches: number[] } = {
    head: { seq: String(all.length), hash: all.at(-1)?.row_hash ?? GENESIS_HASH },
    fetches,
    fetch: vi.fn(async (n: number) => {
      fetches.push(n);
      const batch = all.slice(at, at + n);
      at += n;
      return batch;
    }),
    close: vi.fn(async () => undefined),
  };
  return cursor;
}

describe('cursorRows', () => {
  it('reads the cursor one batch at a time and stops after a short batch', async () => {
    const cursor = fakeCursor(rows(5));
    const seen: string[] = [];
    for await (const r of cursorRows(cursor, 2)) seen.push(r.id);
    expect(seen).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(cursor.fetches).toEqual([2, 2, 2]);
  });

  it('fetches once more after a full last batch, to see the end', async () => {
    const cursor = fakeCursor(rows(4));
    const seen: string[] = [];
    for await (const r of cursorRows(cursor, 2)) seen.push(r.id);
    expect(seen).toHaveLength(4);
    expect(cursor.fetches).toEqual([2, 2, 2]);
  });
});

describe('verifyFromCursor', () => {
  it('walks the whole chain in batches and closes the cursor', async () => {
    const cursor = fakeCursor(rows(7));
    const v = await verifyFromCursor(async () => cursor, 3);
    expect(v).toMatchObject({ rows: 7, headSeq: '7', break: null });
    expect(cursor.fetches).toEqual([3, 3, 3]);
    expect(cursor.close).toHaveBeenCalledTimes(1);
  });

  it('stops reading at the first break and still closes the cursor', async () => {
    const all = rows(9);
    all[1] = { ...all[1]!, latency_ms: '1' };
    const cursor = fakeCursor(all);
    const v = await verifyFromCursor(async () => cursor, 2);
    expect(v.break).toMatchObject({ kind: 'changed', rowId: 'r2' });
    expect(cursor.fetches).toEqual([2, 2]);
    expect(cursor.close).toHaveBeenCalledTimes(1);
  });

  it('closes the cursor when a FETCH fails', async () => {
    const cursor = fakeCursor(rows(3));
    cursor.fetch = vi.fn(async () => {
      throw new Error('connection lost');
    });
    await expect(verifyFromCursor(async () => cursor)).rejects.toThrow('connection lost');
    expect(cursor.close).toHaveBeenCalledTimes(1);
  });
});
