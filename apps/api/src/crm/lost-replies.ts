import type { LostCreate } from './ledger.repository';

/**
 * How long after its ledger row is written a Create may still reach CRM: the CRM call's 30 s timeout
 * (tickets.service.ts), twice, since a refused ticket is refreshed and the call sent once more.
 */
export const LOST_REPLY_CALL_MS = 60_000;

/** How far CRM's clock (its createdon) may be from the database's (the row's `at`), either way. */
export const LOST_REPLY_SKEW_MS = 120_000;

/** A record CRM holds that no ledger row names, with the stamps of its creation (ids lower case). */
export interface CreatedRecord {
  entity: string;
  id: string;
  createdby: string | null;
  createdonbehalfby: string | null;
  createdon: Date | null;
}

/**
 * Whether CRM's created… stamps are the ones the row's Create asked for: createdby the user acted for and
 * createdonbehalfby the service account when it impersonated; createdby the service account and no
 * createdonbehalfby when it did not.
 */
export function createdAsRowAsked(row: LostCreate, rec: CreatedRecord): boolean {
  const by = row.on_behalf_of_id ?? row.service_account_id;
  const onBehalf = row.on_behalf_of_id ? row.service_account_id : null;
  return by !== null && rec.createdby === by && rec.createdonbehalfby === onBehalf;
}

/**
 * Whether CRM created the record while the row's call could have been running: from LOST_REPLY_SKEW_MS before
 * the row was written to LOST_REPLY_CALL_MS + LOST_REPLY_SKEW_MS after it, both ends included.
 */
export function createdDuringCall(row: LostCreate, rec: CreatedRecord): boolean {
  if (!rec.createdon) return false;
  const lag = rec.createdon.getTime() - new Date(row.at).getTime();
  return lag >= -LOST_REPLY_SKEW_MS && lag <= LOST_REPLY_CALL_MS + LOST_REPLY_SKEW_MS;
}

/** Whether the record could be what the row's Create made, for a row that names no record. */
export function couldBeLostCreate(row: LostCreate, rec: CreatedRecord): boolean {
  return (
    row.record_id === null &&
    row.entity === rec.entity &&
    createdAsRowAsked(row, rec) &&
    createdDuringCall(row, rec)
  );
}

export interface LostReplyMatches {
  /** A record and the one row it could be, which could be no other record. */
  links: { row: LostCreate; record: CreatedRecord }[];
  /** A record with two or more candidate rows, or whose one row could also be another record: not guessed. */
  ambiguous: { record: CreatedRecord; rows: LostCreate[] }[];
}

/**
 * Pairs records no row names with the unknown-outcome Creates (without a record id) that could have made
 * them. A pair is linked only when each is the other's one candidate; any other record with a candidate is
 * ambiguous; a record without one is not a lost reply.
 */
export function matchLostCreates(rows: LostCreate[], records: CreatedRecord[]): LostReplyMatches {
  const candidates = records.map((record) => ({
    record,
    rows: rows.filter((row) => couldBeLostCreate(row, record)),
  }));
  const recordsOf = (row: LostCreate) => candidates.filter((c) => c.rows.includes(row)).length;
  const out: LostReplyMatches = { links: [], ambiguous: [] };
  for (const c of candidates) {
    const [only, ...more] = c.rows;
    if (!only) continue;
    if (more.length === 0 && recordsOf(only) === 1) out.links.push({ row: only, record: c.record });
    else out.ambiguous.push(c);
  }
  return out;
}

/**
 * The verdict's note on a linked row: the reply was lost, CRM has the record, and how the link was made. An
 * inferred link is probable, not sure (a Create that never reached CRM is the one candidate for any record created
 * as it asked in its window): the note says so and names the window.
 */
export function lostReplyNote(row: LostCreate, rec: CreatedRecord, by: 'id' | 'inference'): string {
  const why = `the reply was lost (${row.error_code})`;
  const created = rec.createdon ? ` created ${rec.createdon.toISOString()}` : '';
  if (by === 'id') return `${why}; CRM has the record ${rec.id} the Create named${created}`;
  const at = new Date(row.at).getTime();
  const from = new Date(at - LOST_REPLY_SKEW_MS).toISOString();
  const to = new Date(at + LOST_REPLY_CALL_MS + LOST_REPLY_SKEW_MS).toISOString();
  return `${why}; probably the record ${rec.id}${created}, the only one of this entity created as this call asked between ${from} and ${to}`;
}
