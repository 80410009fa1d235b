import { createHash } from 'node:crypto';
import type { ChainHead, LedgerChainContent, LedgerChainLink } from '../crm/ledger.repository';

/**
 * The ledger's hash chain, format 1: what a row's hash covers and how it is serialised.
 *
 * A row's hash is SHA-256 (hex) over one JSON array: the format tag, the row's chain seq, its sealed_at, the
 * previous row's hash (GENESIS_HASH for seq 1), then the covered columns below in this order. Every value is the
 * column as Postgres text (LedgerRepository's chain projection: uuids lower case, integers in decimal, instants in
 * UTC to the microsecond as `YYYY-MM-DDTHH:MM:SS.ffffffZ`, whatever the session's TimeZone or DateStyle), or
 * null. JSON arrays of strings and nulls are unambiguous (no separator inside a value can shift a field), and a
 * later format changes the tag, so a verifier never reads one format as another.
 *
 * Not covered: reconciliation and reconciliation_note (reconciliation's verdict, set after the row is sealed and
 * set again when it runs again).
 */
export const CHAIN_FORMAT = 'onbehalf-ledger-chain/1';

/** The prev_hash of an org's first row, and the hash of a head that sealed nothing yet. */
export const GENESIS_HASH = '0'.repeat(64);

/** The covered columns, in the order they are serialised. Adding or moving one is a new format. */
export const COVERED_COLUMNS = [
  'id',
  'org_id',
  'at',
  'completed_at',
  'operation',
  'entity',
  'record_id',
  'service_account_id',
  'service_account_name',
  'on_behalf_of_id',
  'on_behalf_of_name',
  'on_behalf_of_puid',
  'outcome',
  'error_code',
  'error_message',
  'latency_ms',
  'request_id',
  'caller',
  'instance',
] as const satisfies readonly (keyof LedgerChainContent)[];

/** Where a row sits in its chain: what its hash covers beside its columns. */
export interface ChainPosition {
  seq: string;
  sealedAt: string;
  prevHash: string;
}

/** The text a row's hash is taken over (format 1). */
export function canonicalText(row: LedgerChainContent, at: ChainPosition): string {
  return JSON.stringify([
    CHAIN_FORMAT,
    at.seq,
    at.sealedAt,
    at.prevHash,
    ...COVERED_COLUMNS.map((c) => row[c]),
  ]);
}

/** The row's hash at that position: SHA-256 of canonicalText, lower-case hex. */
export function rowHash(row: LedgerChainContent, at: ChainPosition): string {
  return createHash('sha256').update(canonicalText(row, at), 'utf8').digest('hex');
}

/**
 * Seals rows after the head, in the order given: seq head+1, head+2…, each linked to the one before (the first
 * to the head's hash), all with the same sealed_at. Returns each row's chain columns and the new head.
 */
export function sealAfter(
  head: ChainHead,
  rows: readonly LedgerChainContent[],
  sealedAt: string,
): { links: LedgerChainLink[]; head: ChainHead } {
  let seq = BigInt(head.seq);
  let prevHash = head.hash;
  const links = rows.map((row) => {
    seq += 1n;
    const position = { seq: seq.toString(), sealedAt, prevHash };
    const hash = rowHash(row, position);
    prevHash = hash;
    return { id: row.id, seq: position.seq, prevHash: position.prevHash, rowHash: hash };
  });
  return { links, head: { seq: seq.toString(), hash: prevHash } };
}
