import { describe, expect, it } from 'vitest';
import type { LostCreate } from './ledger.repository';
import {
  type CreatedRecord,
  couldBeLostCreate,
  createdAsRowAsked,
  createdDuringCall,
  LOST_REPLY_CALL_MS,
  LOST_REPLY_SKEW_MS,
  lostReplyNote,
  matchLostCreates,
} from './lost-replies';

const SA = '22222222-0000-4000-8000-000000000001';
const ANN = 'a3333333-0000-4000-8000-00000000000b';
const BOB = 'b3333333-0000-4000-8000-00000000000c';
const AT = new Date('2026-12-03T08:00:00.000Z');
const REC1 = '55555555-0000-4000-8000-000000000001';
const REC2 = '55555555-0000-4000-8000-000000000002';

const row = (o: Partial<LostCreate> = {}): LostCreate => ({
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
const rec = (o: Partial<CreatedRecord> = {}): CreatedRecord => ({
  entity: 'account',
  id: REC1,
  createdby: ANN,
  createdonbehalfby: SA,
  createdon: new Date(AT.getTime() + 1_000),
  ...o,
});
const after = (ms: number) => new Date(AT.getTime() + ms);

describe('createdAsRowAsked: CRM created the record as the row asked', () => {
  it('on behalf of a user: createdby is that user and createdonbehalfby the service account', () => {
    expect(createdAsRowAsked(row(), rec())).toBe(true);
    expect(createdAsRowAsked(row(), rec({ createdby: BOB }))).toBe(false);
    expect(createdAsRowAsked(row(), rec({ createdonbehalfby: null }))).toBe(false);
    expect(createdAsRowAsked(row(), rec({ createdonbehalfby: BOB }))).toBe(false);
  });

  it('without impersonation: createdby is the service account and createdonbehalfby empty', () => {
    const plain = row({ on_behalf_of_id: null });
    expect(createdAsRowAsked(plain, rec({ createdby: SA, createdonbehalfby: null }))).toBe(true);
    expect(createdAsRowAsked(plain, rec({ createdby: SA, createdonbehalfby: SA }))).toBe(false);
    expect(createdAsRowAsked(plain, rec({ createdby: ANN, createdonbehalfby: null }))).toBe(false);
  });

  it('a row that names neither a user nor a service account matches nothing, not even an unstamped record', () => {
    const none = row({ on_behalf_of_id: null, service_account_id: null });
    expect(createdAsRowAsked(none, rec({ createdby: null, createdonbehalfby: null }))).toBe(false);
  });
});

describe('createdDuringCall: createdon within [at - skew, at + call + skew], both ends included', () => {
  it('the bounds are the call time (twice the 30 s timeout) and two minutes of clock skew', () => {
    expect(LOST_REPLY_CALL_MS).toBe(60_000);
    expect(LOST_REPLY_SKEW_MS).toBe(120_000);
  });

  it.each([
    [-LOST_REPLY_SKEW_MS - 1, false],
    [-LOST_REPLY_SKEW_MS, true],
    [0, true],
    [LOST_REPLY_CALL_MS + LOST_REPLY_SKEW_MS, true],
    [LOST_REPLY_CALL_MS + LOST_REPLY_SKEW_MS + 1, false],
  ])('created %i ms after the row was written → %s', (ms, inside) => {
    expect(createdDuringCall(row(), rec({ createdon: after(ms) }))).toBe(inside);
  });

  it('a record without createdon is never in the window', () => {
    expect(createdDuringCall(row(), rec({ createdon: null }))).toBe(false);
  });

  it('reads the row time as Postgres hands it (a Date) or as text', () => {
    const asText = row({ at: AT.toISOString() as unknown as Date });
    expect(createdDuringCall(asText, rec({ createdon: after(LOST_REPLY_CALL_MS) }))).toBe(true);
    expect(createdDuringCall(asText, rec({ createdon: after(-LOST_REPLY_SKEW_MS - 1) }))).toBe(false);
  });
});

describe('couldBeLostCreate', () => {
  it('needs a row without a record id, of the same entity, stamps as asked, created during the call', () => {
    expect(couldBeLostCreate(row(), rec())).toBe(true);
    expect(couldBeLostCreate(row({ record_id: REC1 }), rec())).toBe(false);
    expect(couldBeLostCreate(row({ entity: 'contact' }), rec())).toBe(false);
    expect(couldBeLostCreate(row(), rec({ createdby: BOB }))).toBe(false);
    expect(couldBeLostCreate(row(), rec({ createdon: after(3_600_000) }))).toBe(false);
  });
});

describe('matchLostCreates', () => {
  it('links a record to its one candidate row when that row has no other record', () => {
    const r = row();
    const c = rec();
    expect(matchLostCreates([r], [c])).toEqual({ links: [{ row: r, record: c }], ambiguous: [] });
  });

  it('two rows could have made one record: ambiguous, naming both rows, nothing linked', () => {
    const a = row({ id: 'row-a' });
    const b = row({ id: 'row-b', at: after(5_000) });
    const c = rec();
    expect(matchLostCreates([a, b], [c])).toEqual({ links: [], ambiguous: [{ record: c, rows: [a, b] }] });
  });

  it('one row could have made two records: both ambiguous, nothing linked', () => {
    const r = row();
    const c1 = rec();
    const c2 = rec({ id: REC2 });
    expect(matchLostCreates([r], [c1, c2])).toEqual({
      links: [],
      ambiguous: [
        { record: c1, rows: [r] },
        { record: c2, rows: [r] },
      ],
    });
  });

  it('pairs told apart by user and time link each to its own; a record no row explains is neither', () => {
    const ann = row({ id: 'row-ann' });
    const bob = row({ id: 'row-bob', on_behalf_of_id: BOB });
    const annRec = rec();
    const bobRec = rec({ id: REC2, createdby: BOB });
    const stranger = rec({ id: '55555555-0000-4000-8000-000000000003', createdon: after(-3_600_000) });
    const m = matchLostCreates([ann, bob], [stranger, bobRec, annRec]);
    expect(m.links).toEqual([
      { row: bob, record: bobRec },
      { row: ann, record: annRec },
    ]);
    expect(m.ambiguous).toEqual([]);
  });
});

describe('lostReplyNote', () => {
  it('names the error code, the record and its creation time; a link by id says the Create named it', () => {
    expect(
      lostReplyNote(row({ error_code: 'CRASHED_UNKNOWN_OUTCOME' }), rec({ createdon: null }), 'id'),
    ).toBe(`the reply was lost (CRASHED_UNKNOWN_OUTCOME); CRM has the record ${REC1} the Create named`);
    expect(lostReplyNote(row(), rec(), 'id')).toBe(
      `the reply was lost (ERR_XML_MALFORMED); CRM has the record ${REC1} the Create named created 2026-12-03T08:00:01.000Z`,
    );
  });

  it('a link by inference says "probably" and names the window: from the skew before the row to the call time and skew after it', () => {
    expect(lostReplyNote(row(), rec(), 'inference')).toBe(
      `the reply was lost (ERR_XML_MALFORMED); probably the record ${REC1} created 2026-12-03T08:00:01.000Z, the only one of this entity created as this call asked between 2026-12-03T07:58:00.000Z and 2026-12-03T08:03:00.000Z`,
    );
  });
});
