import type { ChainHead, LedgerChainRow } from '../crm/ledger.repository';
import { GENESIS_HASH, rowHash } from './chain-hash';

/**
 * How a chain breaks:
 * - `changed`: a sealed row's content (or its own chain columns) no longer hashes to its row_hash, or the head's
 *   hash is not the last row's;
 * - `deleted`: a seq is missing (a gap), or the head is beyond the last row (the newest rows are gone), or the
 *   head itself is gone;
 * - `inserted`: a row the chain does not account for (its neighbours link past it, its seq repeats one, or it is
 *   beyond the head);
 * - `reordered`: rows that exchanged places (a row links to the one after it).
 */
export type ChainBreakKind = 'changed' | 'deleted' | 'inserted' | 'reordered';

/** The first break of a chain: its kind, the row (null when the row is gone) and its seq, and what was seen. */
export interface ChainBreak {
  kind: ChainBreakKind;
  rowId: string | null;
  seq: string;
  detail: string;
}

/** What a walk found: the rows verified before the first break (all of them when none), and the break. */
export interface ChainVerdict {
  /** Rows that verified, in chain order, before the break (or all). */
  rows: number;
  /** sealed_at of the last row that verified (format-1 text, UTC), null when none did. */
  verifiedThrough: string | null;
  /** The head's seq as read, null when the org has no head. */
  headSeq: string | null;
  break: ChainBreak | null;
}

/**
 * Walks one org's sealed rows, in (chain_seq, id) order, against its head, and reports the first break. Holds
 * two rows at a time (the previous one and the next, to tell an insertion from a reordering), so the chain may
 * be any length: `rows` is read as it comes (a cursor).
 */
export async function walkChain(
  head: ChainHead | null,
  rows: AsyncIterable<LedgerChainRow>,
): Promise<ChainVerdict> {
  const it = rows[Symbol.asyncIterator]();
  const headSeq = head ? BigInt(head.seq) : null;
  let verified = 0;
  let verifiedThrough: string | null = null;
  // The last row that verified, and the hash before it.
  let prev: { id: string | null; seq: bigint; hash: string } = { id: null, seq: 0n, hash: GENESIS_HASH };
  let beforePrevHash: string | null = null;
  const verdict = (b: ChainBreak | null): ChainVerdict => ({
    rows: verified,
    verifiedThrough,
    headSeq: head?.seq ?? null,
    break: b,
  });
  const at = (kind: ChainBreakKind, row: { id: string | null; seq: bigint | string }, detail: string) =>
    verdict({ kind, rowId: row.id, seq: String(row.seq), detail });

  let cur = await it.next();
  while (!cur.done) {
    const row = cur.value;
    const next = await it.next();
    const after = next.done ? null : next.value;
    const seq = BigInt(row.chain_seq);
    const here = { id: row.id, seq };

    if (headSeq !== null && seq > headSeq)
      return at('inserted', here, `seq ${seq} is beyond the head (seq ${headSeq})`);
    if (seq <= prev.seq) {
      // Two rows claim one seq (or the order goes back): the one the next row does not link to is the intruder.
      const intruder = seq === prev.seq && after?.prev_hash === row.row_hash ? prev : here;
      return at('inserted', intruder, `seq ${seq} is taken twice (the row before is seq ${prev.seq})`);
    }
    if (seq > prev.seq + 1n) {
      const missing = seq - 1n === prev.seq + 1n ? `${prev.seq + 1n}` : `${prev.seq + 1n} to ${seq - 1n}`;
      return at('deleted', here, `seq ${missing} is missing before this row`);
    }
    if (row.prev_hash !== prev.hash) {
      if (beforePrevHash !== null && row.prev_hash === beforePrevHash)
        return at('inserted', prev, `the row after it (seq ${seq}) links past it, to seq ${prev.seq - 1n}`);
      if (after && row.prev_hash === after.row_hash)
        return at(
          'reordered',
          here,
          `it links to the row after it (seq ${after.chain_seq}): the two swapped places`,
        );
      if (after && after.prev_hash === prev.hash)
        return at(
          'inserted',
          here,
          `the row after it (seq ${after.chain_seq}) links past it, to seq ${prev.seq}`,
        );
      return at('changed', here, `its prev_hash is not the hash of seq ${prev.seq}`);
    }
    const hash = rowHash(row, { seq: row.chain_seq, sealedAt: row.sealed_at, prevHash: row.prev_hash });
    if (hash !== row.row_hash) return at('changed', here, 'its content does not hash to its row_hash');

    verified++;
    verifiedThrough = row.sealed_at;
    beforePrevHash = prev.hash;
    prev = { id: row.id, seq, hash: row.row_hash };
    cur = next;
  }

  if (headSeq === null) {
    return verified
      ? at('deleted', { id: null, seq: prev.seq }, `the chain head is gone (the rows reach seq ${prev.seq})`)
      : verdict(null);
  }
  if (headSeq > prev.seq) {
    const missing = headSeq === prev.seq + 1n ? `${headSeq}` : `${prev.seq + 1n} to ${headSeq}`;
    return at(
      'deleted',
      { id: null, seq: prev.seq + 1n },
      `seq ${missing} is missing: the head is at seq ${headSeq}`,
    );
  }
  if (head!.hash !== prev.hash)
    return at('changed', prev, `the head's hash (seq ${headSeq}) is not this row's row_hash`);
  return verdict(null);
}
