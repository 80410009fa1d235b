import type { CallOutcome, Reconciliation } from './ledger.types';

/**
 * The ledger search as one parameterised SQL statement. User input only ever travels as bind
 * parameters; the SQL text is assembled from the constant fragments below, chosen by which
 * filters are present, so Postgres can plan each shape with the matching index:
 *   org + user (+ dates)  → crm_calls_org_user_at_idx (org_id, on_behalf_of_id, at DESC, id DESC)
 *   org (+ anything else) → crm_calls_org_at_idx      (org_id, at DESC, id DESC)
 *   no org                → crm_calls_at_idx          (at DESC, id DESC)
 *   mismatches / missing  → crm_calls_unreconciled_idx (reconciliation, at DESC, id DESC), partial
 * and walk it in (at DESC, id DESC) order, stopping after one page. LedgerRepository runs it (the audit
 * explorer's pages and CSV export, through LedgerService) as the runtime role, under row-level security:
 * there Postgres uses a condition as an index condition, or evaluates it before the org policy, only if its
 * functions are leakproof (=, <, > on uuid, text, timestamptz), so a name search is a filter on the walk.
 */
export interface LedgerFilters {
  orgId?: string;
  actor?: { id: string } | { name: string };
  onBehalfOf?: { id: string } | { puid: string } | { nameContains: string };
  entity?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  outcome?: CallOutcome[];
  reconciliation?: Reconciliation[];
}

/** A position in (at DESC, id DESC) order. `at` keeps Postgres' microseconds, which a JS Date would lose. */
export interface LedgerCursor {
  at: string;
  id: string;
}

/** The columns a ledger row is read with (page and CSV alike). */
const COLUMNS = `
  c.id, c.at, to_char(c.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key, c.completed_at,
  c.org_id, o.friendly_name AS org_name, c.operation, c.entity, c.record_id, c.outcome, c.error_code,
  c.latency_ms, c.request_id, c.service_account_id, c.service_account_name, c.on_behalf_of_id,
  c.on_behalf_of_name, c.on_behalf_of_puid, c.reconciliation, c.reconciliation_note, c.linked_record_id,
  s.org_id IS NOT NULL AND s.exists_in_crm AS has_stamps,
  s.createdby, s.createdonbehalfby, s.modifiedby, s.modifiedonbehalfby`;

export interface LedgerRow {
  id: string;
  at: Date;
  at_key: string;
  completed_at: Date | null;
  org_id: string;
  org_name: string | null;
  operation: string;
  entity: string | null;
  record_id: string | null;
  outcome: CallOutcome;
  error_code: string | null;
  latency_ms: number | null;
  request_id: string | null;
  service_account_id: string | null;
  service_account_name: string | null;
  on_behalf_of_id: string | null;
  on_behalf_of_name: string | null;
  on_behalf_of_puid: string | null;
  reconciliation: Reconciliation;
  reconciliation_note: string | null;
  linked_record_id: string | null;
  has_stamps: boolean | null;
  createdby: unknown;
  createdonbehalfby: unknown;
  modifiedby: unknown;
  modifiedonbehalfby: unknown;
}

/**
 * Builds the statement. `limit` set: one page (the caller asks for one row more than it shows, to
 * know whether there is a next page); unset: every matching row, for the CSV cursor.
 */
export function buildLedgerQuery(
  f: LedgerFilters,
  page: { cursor?: LedgerCursor; limit?: number } = {},
): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.orgId) where.push(`c.org_id = ${p(f.orgId)}::uuid`);
  if (f.actor) {
    where.push(
      'id' in f.actor
        ? `c.service_account_id = ${p(f.actor.id)}::uuid`
        : `lower(c.service_account_name) = lower(${p(f.actor.name)})`,
    );
  }
  if (f.onBehalfOf) {
    const o = f.onBehalfOf;
    where.push(
      'id' in o
        ? `c.on_behalf_of_id = ${p(o.id)}::uuid`
        : 'puid' in o
          ? `upper(c.on_behalf_of_puid) = ${p(o.puid.toUpperCase())}`
          : // A substring, case-insensitive, every character literal. Not ILIKE: Postgres estimates a
            // pattern that matches one user in 1,000 names as matching a few rows in all, and then reads
            // the org's every row and sorts them, where walking the org's rows newest first stops after a
            // page (1,000,000 rows, a name on 1 in 50 of the org's rows: 170-550 → 20-30 ms on a busy
            // machine). For this it guesses a third. No index could serve either form under row-level
            // security (neither is leakproof).
            `strpos(lower(c.on_behalf_of_name), lower(${p(o.nameContains)})) > 0`,
    );
  }
  if (f.entity) where.push(`c.entity = ${p(f.entity)}`);
  if (f.from) where.push(`c.at >= ${p(f.from)}::timestamptz`);
  if (f.to) where.push(`c.at < ${p(f.to)}::timestamptz`);
  if (f.outcome?.length)
    where.push(
      f.outcome.length === 1 ? `c.outcome = ${p(f.outcome[0])}` : `c.outcome = ANY(${p(f.outcome)}::text[])`,
    );
  if (f.reconciliation?.length) {
    where.push(
      f.reconciliation.length === 1
        ? `c.reconciliation = ${p(f.reconciliation[0])}`
        : `c.reconciliation = ANY(${p(f.reconciliation)}::text[])`,
    );
  }
  // A row comparison, so the index range starts right after the cursor instead of filtering rows.
  if (page.cursor)
    where.push(`(c.at, c.id) < (${p(page.cursor.at)}::timestamptz, ${p(page.cursor.id)}::uuid)`);

  // The page is cut in the subquery, so the joins only run for the rows that are shown.
  // A lost reply's row shows the stamps of the record reconciliation linked it to (its record_id may be null).
  const sql = `
SELECT ${COLUMNS}
FROM (
  SELECT * FROM crm_calls c
  ${where.length ? `WHERE ${where.join('\n    AND ')}` : ''}
  ORDER BY c.at DESC, c.id DESC
  ${page.limit !== undefined ? `LIMIT ${p(page.limit)}` : ''}
) c
LEFT JOIN orgs o ON o.id = c.org_id
LEFT JOIN crm_stamps s ON s.org_id = c.org_id AND s.entity = c.entity
  AND s.record_id = coalesce(c.linked_record_id, c.record_id)
ORDER BY c.at DESC, c.id DESC`;
  return { sql, params };
}
