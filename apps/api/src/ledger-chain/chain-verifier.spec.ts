import { describe, expect, it } from 'vitest';
import type { ChainHead, LedgerChainContent, LedgerChainRow } from '../crm/ledger.repository';
import { GENESIS_HASH, rowHash, sealAfter } from './chain-hash';
import { chainContent } from '../../test/support/ledger-chain-rows';
import { walkChain } from './chain-verifier';

const content = (i: number): LedgerChainContent =>
  chainContent({
    id: `row-${i}`,
    org_id: 'org',
    at: `2026-12-03T08:00:0${i}.000000Z`,
    latency_ms: String(i),
  });

/** A chain of n rows sealed in two batches (so sealed_at differs), with its head. */
function chain(n: number): { head: ChainHead; rows: LedgerChainRow[] } {
  const half = Math.floor(n / 2);
  const contents = Array.from({ length: n }, (_, i) => content(i + 1));
  const rows: LedgerChainRow[] = [];
  let head: ChainHead = { seq: '0', hash: GENESIS_HASH };
  for (const [batch, sealedAt] of [
    [contents.slice(0, half), '2026-12-03T09:00:00.000001Z'],
    [contents.slice(half), '2026-12-03T09:00:05.000002Z'],
  ] as const) {
    const sealed = sealAfter(head, [...batch], sealedAt);
    batch.forEach((c, i) => {
      const l = sealed.links[i]!;
      rows.push({ ...c, chain_seq: l.seq, prev_hash: l.prevHash, row_hash: l.rowHash, sealed_at: sealedAt });
    });
    head = sealed.head;
  }
  return { head, rows };
}

async function* stream(rows: LedgerChainRow[]) {
  yield* [...rows].sort(
    (a, b) => Number(BigInt(a.chain_seq) - BigInt(b.chain_seq)) || a.id.localeCompare(b.id),
  );
}
const walk = (head: ChainHead | null, rows: LedgerChainRow[]) => walkChain(head, stream(rows));

describe('walkChain', () => {
  it('verifies an untouched chain: every row counted, through the last one sealed', async () => {
    const { head, rows } = chain(6);
    expect(await walk(head, rows)).toEqual({
      rows: 6,
      verifiedThrough: '2026-12-03T09:00:05.000002Z',
      headSeq: '6',
      break: null,
    });
  });

  it('verifies an org with no chain yet (no head, no row) and one whose head sealed nothing', async () => {
    expect(await walk(null, [])).toEqual({ rows: 0, verifiedThrough: null, headSeq: null, break: null });
    expect((await walk({ seq: '0', hash: GENESIS_HASH }, [])).break).toBeNull();
  });

  it('reports a changed covered column as changed, at that row, after the rows before it', async () => {
    const { head, rows } = chain(6);
    rows[3] = { ...rows[3]!, latency_ms: '999' };
    const v = await walk(head, rows);
    expect(v.break).toMatchObject({ kind: 'changed', rowId: 'row-4', seq: '4' });
    expect(v.rows).toBe(3);
    expect(v.verifiedThrough).toBe('2026-12-03T09:00:00.000001Z');
  });

  it('reports a changed sealed_at or prev_hash of a row as changed', async () => {
    const { head, rows } = chain(4);
    const sealedAt = [...rows];
    sealedAt[1] = { ...sealedAt[1]!, sealed_at: '2026-12-03T09:00:00.000009Z' };
    expect((await walk(head, sealedAt)).break).toMatchObject({ kind: 'changed', rowId: 'row-2', seq: '2' });
    const prev = [...rows];
    prev[2] = { ...prev[2]!, prev_hash: 'a'.repeat(64) };
    expect((await walk(head, prev)).break).toMatchObject({ kind: 'changed', rowId: 'row-3', seq: '3' });
  });

  it('reports a deleted middle row as deleted, naming the row after the gap and the missing seq', async () => {
    const { head, rows } = chain(6);
    const v = await walk(
      head,
      rows.filter((r) => r.chain_seq !== '3'),
    );
    expect(v.break).toMatchObject({ kind: 'deleted', rowId: 'row-4', seq: '4' });
    expect(v.break!.detail).toContain('seq 3 is missing');
    expect(v.rows).toBe(2);
  });

  it('reports deleted last rows as deleted: the head is beyond the last row, from the first missing seq', async () => {
    const { head, rows } = chain(6);
    const v = await walk(head, rows.slice(0, 4));
    expect(v.break).toMatchObject({ kind: 'deleted', rowId: null, seq: '5' });
    expect(v.break!.detail).toContain('5 to 6');
    expect(v.rows).toBe(4);
  });

  it('reports a chain whose head is gone as deleted', async () => {
    const { rows } = chain(3);
    expect((await walk(null, rows)).break).toMatchObject({ kind: 'deleted', rowId: null, seq: '3' });
  });

  it("reports a head whose hash is not the last row's as changed at the last row", async () => {
    const { head, rows } = chain(3);
    expect((await walk({ ...head, hash: 'b'.repeat(64) }, rows)).break).toMatchObject({
      kind: 'changed',
      rowId: 'row-3',
      seq: '3',
    });
  });

  it('reports two rows whose seqs were swapped as reordered, at the first of them in the new order', async () => {
    const { head, rows } = chain(6);
    const swapped = rows.map((r) =>
      r.chain_seq === '3' ? { ...r, chain_seq: '4' } : r.chain_seq === '4' ? { ...r, chain_seq: '3' } : r,
    );
    const v = await walk(head, swapped);
    expect(v.break).toMatchObject({ kind: 'reordered', rowId: 'row-4', seq: '3' });
    expect(v.rows).toBe(2);
  });

  it('reports a forged row hashed and linked like a real one, with the later seqs shifted, as inserted', async () => {
    const { head, rows } = chain(5);
    const forgedContent = { ...content(9), id: 'forged' };
    const prev = rows[1]!;
    const pos = { seq: '3', sealedAt: prev.sealed_at, prevHash: prev.row_hash };
    const forged = {
      ...forgedContent,
      chain_seq: '3',
      prev_hash: prev.row_hash,
      row_hash: rowHash(forgedContent, pos),
      sealed_at: prev.sealed_at,
    };
    const shifted = rows.map((r) =>
      BigInt(r.chain_seq) >= 3n ? { ...r, chain_seq: String(BigInt(r.chain_seq) + 1n) } : r,
    );
    const v = await walk({ ...head, seq: '6' }, [...shifted, forged]);
    expect(v.break).toMatchObject({ kind: 'inserted', rowId: 'forged', seq: '3' });
  });

  it('reports a forged row with a made-up link as inserted when the row after it links past it', async () => {
    const { head, rows } = chain(5);
    const forged = {
      ...content(9),
      id: 'forged',
      chain_seq: '3',
      prev_hash: 'c'.repeat(64),
      row_hash: 'd'.repeat(64),
      sealed_at: rows[1]!.sealed_at,
    };
    const shifted = rows.map((r) =>
      BigInt(r.chain_seq) >= 3n ? { ...r, chain_seq: String(BigInt(r.chain_seq) + 1n) } : r,
    );
    expect((await walk({ ...head, seq: '6' }, [...shifted, forged])).break).toMatchObject({
      kind: 'inserted',
      rowId: 'forged',
      seq: '3',
    });
  });

  it('reports a row appended beyond the head as inserted, even when its hash and link are right', async () => {
    const { head, rows } = chain(4);
    const c = { ...content(8), id: 'appended' };
    const { links } = sealAfter(head, [c], '2026-12-03T09:00:09.000000Z');
    const appended = {
      ...c,
      chain_seq: links[0]!.seq,
      prev_hash: links[0]!.prevHash,
      row_hash: links[0]!.rowHash,
      sealed_at: '2026-12-03T09:00:09.000000Z',
    };
    const v = await walk(head, [...rows, appended]);
    expect(v.break).toMatchObject({ kind: 'inserted', rowId: 'appended', seq: '5' });
    expect(v.rows).toBe(4);
  });

  it('reports a second, well-forged row claiming a seq as inserted, naming the one the next row does not link to', async () => {
    const { head, rows } = chain(4);
    // 'a-forged' sorts before 'row-2' in (seq, id) order, 'z-forged' after it.
    for (const id of ['a-forged', 'z-forged']) {
      const c = { ...content(2), id, latency_ms: '0' };
      const pos = { seq: '2', sealedAt: rows[1]!.sealed_at, prevHash: rows[0]!.row_hash };
      const dup = { ...rows[1]!, ...c, row_hash: rowHash(c, pos) };
      const v = await walk(head, [...rows, dup]);
      expect(v.break, id).toMatchObject({ kind: 'inserted', rowId: id, seq: '2' });
    }
  });
});
