import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LedgerChainContent } from '../crm/ledger.repository';
import { CHAIN_FORMAT, COVERED_COLUMNS, GENESIS_HASH, canonicalText, rowHash, sealAfter } from './chain-hash';

const row = (over: Partial<LedgerChainContent> = {}): LedgerChainContent => ({
  id: '00000000-0000-4000-8000-000000000001',
  org_id: '00000000-0000-4000-8000-0000000000aa',
  at: '2026-12-03T08:00:00.123456Z',
  completed_at: '2026-12-03T08:00:00.200001Z',
  operation: 'Create',
  entity: 'account',
  record_id: '00000000-0000-4000-8000-0000000000bb',
  service_account_id: null,
  service_account_name: 'svc',
  on_behalf_of_id: null,
  on_behalf_of_name: 'Jon "J" Doe',
  on_behalf_of_puid: '0003BFFD8DDF9D7D',
  outcome: 'completed',
  error_code: null,
  error_message: null,
  latency_ms: '77',
  request_id: 'r-1',
  caller: 'console',
  instance: 'i-1',
  ...over,
});
const at = { seq: '1', sealedAt: '2026-12-03T08:00:05.000001Z', prevHash: GENESIS_HASH };

describe('canonicalText (format 1)', () => {
  it('is one JSON array: the format tag, seq, sealed_at, prev_hash, then every covered column in order', () => {
    const text = canonicalText(row(), at);
    expect(JSON.parse(text)).toEqual([
      CHAIN_FORMAT,
      '1',
      '2026-12-03T08:00:05.000001Z',
      GENESIS_HASH,
      ...COVERED_COLUMNS.map((c) => row()[c]),
    ]);
    expect(COVERED_COLUMNS).toEqual([
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
    ]);
  });

  it('tells null from an empty string, and text moved from one column to the next from the original', () => {
    expect(canonicalText(row({ entity: null }), at)).not.toBe(canonicalText(row({ entity: '' }), at));
    expect(canonicalText(row({ operation: 'Cre', entity: 'ateaccount' }), at)).not.toBe(
      canonicalText(row({ operation: 'Create', entity: 'account' }), at),
    );
  });
});

describe('rowHash', () => {
  it('is the lower-case hex SHA-256 of the canonical text, the same for the same row and position', () => {
    const h = rowHash(row(), at);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).toBe(createHash('sha256').update(canonicalText(row(), at), 'utf8').digest('hex'));
    expect(rowHash(row(), { ...at })).toBe(h);
  });

  it('changes with every covered column, with one microsecond, and with seq, sealed_at and prev_hash', () => {
    const base = rowHash(row(), at);
    for (const c of COVERED_COLUMNS) {
      expect(rowHash(row({ [c]: `${row()[c] ?? ''}x` }), at), c).not.toBe(base);
    }
    expect(rowHash(row({ at: '2026-12-03T08:00:00.123457Z' }), at)).not.toBe(base);
    expect(rowHash(row(), { ...at, seq: '2' })).not.toBe(base);
    expect(rowHash(row(), { ...at, sealedAt: '2026-12-03T08:00:05.000002Z' })).not.toBe(base);
    expect(rowHash(row(), { ...at, prevHash: 'f'.repeat(64) })).not.toBe(base);
  });

  it('ignores what is not covered (reconciliation verdicts are not part of the row it reads)', () => {
    const withVerdict = {
      ...row(),
      reconciliation: 'mismatch',
      reconciliation_note: 'x',
    } as LedgerChainContent;
    expect(rowHash(withVerdict, at)).toBe(rowHash(row(), at));
  });
});

describe('sealAfter', () => {
  it('numbers the rows after the head and links each to the one before, the first to the head', () => {
    const rows = [row({ id: 'a' }), row({ id: 'b' }), row({ id: 'c' })];
    const head = { seq: '41', hash: 'e'.repeat(64) };
    const { links, head: next } = sealAfter(head, rows, at.sealedAt);
    expect(links.map((l) => [l.id, l.seq])).toEqual([
      ['a', '42'],
      ['b', '43'],
      ['c', '44'],
    ]);
    expect(links[0]!.prevHash).toBe(head.hash);
    expect(links[1]!.prevHash).toBe(links[0]!.rowHash);
    expect(links[2]!.prevHash).toBe(links[1]!.rowHash);
    links.forEach((l, i) =>
      expect(l.rowHash).toBe(rowHash(rows[i]!, { seq: l.seq, sealedAt: at.sealedAt, prevHash: l.prevHash })),
    );
    expect(next).toEqual({ seq: '44', hash: links[2]!.rowHash });
  });

  it('leaves the head as it is when there is nothing to seal', () => {
    const head = { seq: '7', hash: 'e'.repeat(64) };
    expect(sealAfter(head, [], at.sealedAt)).toEqual({ links: [], head });
  });

  it('counts exactly beyond 2^53 (seq is a bigint in Postgres)', () => {
    const { links } = sealAfter({ seq: '9007199254740993', hash: GENESIS_HASH }, [row()], at.sealedAt);
    expect(links[0]!.seq).toBe('9007199254740994');
  });
});
