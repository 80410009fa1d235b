import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { inOrgScope, scopeToOrg } from '../database/org-scope';
import { CrmStampEntity } from './crm-stamp.entity';
import { CrmCallEntity, type Reconciliation } from './crm-call.entity';
import { buildLedgerQuery, type LedgerCursor, type LedgerFilters, type LedgerRow } from './ledger-query';

/** What the call path knows of a call before it is sent: the pending row's fields. */
export interface LedgerStart {
  orgId: string;
  operation: string;
  entity?: string | null;
  recordId?: string | null;
  serviceAccountId?: string | null;
  serviceAccountName?: string | null;
  onBehalfOfId?: string | null;
  onBehalfOfName?: string | null;
  onBehalfOfPuid?: string | null;
  requestId?: string | null;
  caller?: string | null;
}

/** A pending row to insert, with the id its caller will complete it by. */
export type PendingCall = LedgerStart & { id: string };

/** How a call ended, for its pending row. */
export interface CallCompletion {
  orgId: string;
  id: string;
  outcome: 'completed' | 'failed';
  latencyMs: number;
  recordId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

/** A completed write that reconciliation has not judged yet. */
export interface UnverifiedWrite {
  id: string;
  operation: 'Create' | 'Update' | 'Delete';
  entity: string;
  record_id: string | null;
  service_account_id: string | null;
  on_behalf_of_id: string | null;
  outcome: string;
  at: Date;
}

/** An org's CRM calls over a period, and how many of them failed. */
export interface CallCounts {
  total: number;
  failed: number;
}

/**
 * A Create whose outcome is unknown and that reconciliation has not judged: failed with a code after which CRM may
 * have run it (UNKNOWN_OUTCOME_CODES). record_id is the id a keyed Create chose, else null.
 */
export interface LostCreate {
  id: string;
  entity: string;
  record_id: string | null;
  service_account_id: string | null;
  on_behalf_of_id: string | null;
  outcome: string;
  error_code: string | null;
  at: Date;
}

/**
 * The ledger codes after which a Create may have run at CRM although the API got no usable reply: reconciliation's
 * verdict on a row cut off (CRASHED_UNKNOWN_OUTCOME), the call's timeout or abort, a connection reset mid-call, and
 * a reply that came but was not CRM's SOAP answer. Not ERR_CONNECTION_REFUSED, ERR_DNS or ERR_TLS (the request never
 * reached CRM), nor CRM's own faults (CRM answered: it did not create the record).
 */
export const UNKNOWN_OUTCOME_CODES: readonly string[] = [
  'CRASHED_UNKNOWN_OUTCOME',
  'ERR_TIMEOUT',
  'ERR_ABORTED',
  'ERR_CONNECTION_RESET',
  'ERR_HTTP_STATUS',
  'ERR_HTML_INSTEAD_OF_SOAP',
  'ERR_XML_MALFORMED',
  'ERR_XML_FORBIDDEN',
  'ERR_XML_TOO_LARGE',
  'ERR_XML_TOO_DEEP',
  'ERR_UNEXPECTED_MESSAGE',
];

/** A row still pending long after its call. */
export interface StalePending {
  id: string;
  operation: string;
  entity: string | null;
  record_id: string | null;
}

/**
 * CRM's stamps on one record, as stored: each reference as jsonb text (`{"id","name"}`, or `null` for an
 * empty stamp on a record CRM has; SQL NULL when it has none), the two dates, and whether CRM has the record.
 */
export interface StampsRow {
  orgId: string;
  entity: string;
  recordId: string;
  createdby: string | null;
  createdonbehalfby: string | null;
  modifiedby: string | null;
  modifiedonbehalfby: string | null;
  ownerid: string | null;
  createdon: Date | null;
  modifiedon: Date | null;
  existsInCrm: boolean;
}

/**
 * A server-side cursor over the ledger rows matching an export's filters, on a connection of its own, in one
 * read-only REPEATABLE READ transaction (one snapshot however long the export takes).
 */
export interface LedgerExportCursor {
  /** The next rows, at most `n`; none once the cursor is exhausted. */
  fetch(n: number): Promise<LedgerRow[]>;
  /** Commits the read-only transaction: the export read everything. */
  commit(): Promise<void>;
  /** Rolls back what is still open and frees the connection. Always called, once, last. */
  close(): Promise<void>;
}

/**
 * A ledger row's columns that its chain hash covers, each as Postgres text (CHAIN_CONTENT below): uuids lower
 * case, integers in decimal, instants in UTC to the microsecond (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, whatever the
 * session's TimeZone and DateStyle). Text, not Date: a JS Date would drop the microseconds.
 */
export interface LedgerChainContent {
  id: string;
  org_id: string;
  at: string;
  completed_at: string | null;
  operation: string;
  entity: string | null;
  record_id: string | null;
  service_account_id: string | null;
  service_account_name: string | null;
  on_behalf_of_id: string | null;
  on_behalf_of_name: string | null;
  on_behalf_of_puid: string | null;
  outcome: string;
  error_code: string | null;
  error_message: string | null;
  latency_ms: string | null;
  request_id: string | null;
  caller: string | null;
  instance: string | null;
}

/** A sealed row as the verifier reads it: its covered columns and its chain columns (seq as decimal text). */
export interface LedgerChainRow extends LedgerChainContent {
  chain_seq: string;
  prev_hash: string;
  row_hash: string;
  sealed_at: string;
}

/** An org's chain head: the last sealed seq (0 before the first) and its hash. */
export interface ChainHead {
  seq: string;
  hash: string;
}

/** The chain columns the sealer gives one row. */
export interface LedgerChainLink {
  id: string;
  seq: string;
  prevHash: string;
  rowHash: string;
}

/**
 * Computes the chain columns of rows sealed after `head` (in the order given) and the new head; the sealer's
 * hashing (ledger-chain/chain-hash.ts), handed in so this file holds the SQL and nothing of the hash format.
 */
export type ChainSealer = (
  head: ChainHead,
  rows: LedgerChainContent[],
  sealedAt: string,
) => { links: LedgerChainLink[]; head: ChainHead };

/** An org's chain as the verifier reads it: its head and its sealed rows in (chain_seq, id) order, in one snapshot. */
export interface LedgerChainCursor {
  /** The head as it was in the snapshot; null when the org has none. */
  head: ChainHead | null;
  /** The next rows, at most `n`; none once the chain is read. */
  fetch(n: number): Promise<LedgerChainRow[]>;
  /** Ends the read-only transaction and frees the connection. Always called, once, last. */
  close(): Promise<void>;
}

/** An instant as format-1 chain text (UTC, microseconds): the same text when sealed and when verified. */
const chainInstant = (sql: string) => `to_char((${sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The covered columns as LedgerChainContent (column c of crm_calls). */
const CHAIN_CONTENT = `c.id::text AS id, c.org_id::text AS org_id, ${chainInstant('c.at')} AS at,
  ${chainInstant('c.completed_at')} AS completed_at, c.operation, c.entity, c.record_id::text AS record_id,
  c.service_account_id::text AS service_account_id, c.service_account_name, c.on_behalf_of_id::text AS on_behalf_of_id,
  c.on_behalf_of_name, c.on_behalf_of_puid, c.outcome, c.error_code, c.error_message, c.latency_ms::text AS latency_ms,
  c.request_id, c.caller, c.instance`;

/**
 * Every SQL statement over the ledger (`crm_calls`) and CRM's stamps (`crm_stamps`): the call path's
 * group-committed writes, reconciliation's reads and verdicts, the audit explorer's search and export cursor,
 * the row counts the metrics read, and the hash chain's sealing and verifying reads (with its heads table,
 * `crm_call_chain_heads`, read and written only here). The crm context owns these tables; other contexts read
 * them through LedgerService, never through this.
 */
@Injectable()
export class LedgerRepository {
  constructor(
    @InjectRepository(CrmCallEntity) private readonly calls: Repository<CrmCallEntity>,
    @InjectRepository(CrmStampEntity) private readonly stamps: Repository<CrmStampEntity>,
  ) {}

  // ---- the call path (one statement per group commit)

  /** Inserts the rows as `pending`, stamped with this instance. */
  async insertPending(rows: PendingCall[], instanceId: string): Promise<void> {
    const col = <K extends keyof PendingCall>(k: K) => rows.map((r) => r[k] ?? null);
    await this.calls.query(
      `INSERT INTO crm_calls (id, org_id, operation, entity, record_id, service_account_id, service_account_name,
                              on_behalf_of_id, on_behalf_of_name, on_behalf_of_puid, outcome, request_id, caller, instance)
       SELECT u.id, u.org_id, u.operation, u.entity, u.record_id, u.sa_id, u.sa_name, u.obo_id, u.obo_name, u.obo_puid, 'pending', u.request_id, u.caller, $13
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::uuid[], $9::text[], $10::text[], $11::text[], $12::text[])
           AS u(id, org_id, operation, entity, record_id, sa_id, sa_name, obo_id, obo_name, obo_puid, request_id, caller)`,
      [
        col('id'),
        col('orgId'),
        col('operation'),
        col('entity'),
        col('recordId'),
        col('serviceAccountId'),
        col('serviceAccountName'),
        col('onBehalfOfId'),
        col('onBehalfOfName'),
        col('onBehalfOfPuid'),
        col('requestId'),
        col('caller'),
        instanceId,
      ],
    );
  }

  /**
   * Completes or fails the rows; a row without a record id keeps the one it was written with. A row already sealed
   * is left alone: a reply that comes after reconciliation failed its row as crashed and the sealer sealed it
   * cannot change it (the record shows in reconciliation's unknown changes), and must not fail the batch.
   */
  async complete(rows: CallCompletion[]): Promise<void> {
    await this.calls.query(
      `UPDATE crm_calls c SET outcome = u.outcome, completed_at = now(), latency_ms = u.latency_ms,
              record_id = COALESCE(u.record_id, c.record_id), error_code = u.error_code, error_message = u.error_message
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::text[])
           AS u(org_id, id, outcome, latency_ms, record_id, error_code, error_message)
        WHERE c.org_id = u.org_id AND c.id = u.id AND c.chain_seq IS NULL`,
      [
        rows.map((r) => r.orgId),
        rows.map((r) => r.id),
        rows.map((r) => r.outcome),
        rows.map((r) => Math.round(r.latencyMs)),
        rows.map((r) => r.recordId),
        rows.map((r) => r.errorCode),
        rows.map((r) => r.errorMessage),
      ],
    );
  }

  // ---- reconciliation

  /** An org's completed writes with a record id since `since`, not yet judged, oldest first, at most `limit`. */
  unverifiedWrites(orgId: string, since: Date, limit: number): Promise<UnverifiedWrite[]> {
    return this.calls.query(
      `SELECT id, operation, entity, record_id, service_account_id, on_behalf_of_id, outcome, at
         FROM crm_calls
        WHERE org_id = $1 AND at >= $2 AND operation IN ('Create', 'Update', 'Delete') AND outcome = 'completed' AND record_id IS NOT NULL
          AND reconciliation = 'unverified'
        ORDER BY at ASC LIMIT $3`,
      [orgId, since, limit],
    ) as Promise<UnverifiedWrite[]>;
  }

  /**
   * Whether the ledger has any call, whatever its age or outcome, on this record: a row naming it, or a Create
   * whose lost reply reconciliation linked to it; rows `except` left out (a keyed lost Create asks whether any
   * other row names its record).
   */
  async hasCallOn(orgId: string, entity: string, recordId: string, except: string[] = []): Promise<boolean> {
    const rows = (await this.calls.query(
      `SELECT 1 FROM crm_calls WHERE org_id = $1 AND entity = $2 AND (record_id = $3 OR linked_record_id = $3)
          AND NOT (id = ANY($4::uuid[])) LIMIT 1`,
      [orgId, entity, recordId, except],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * Up to 500 of an org's Creates since `since` that failed with an unknown outcome (LostCreate) and that no verdict
   * judged yet, oldest first. Not a pending row: reconciliation failed the stale ones first, so one still pending is
   * a call in flight, whose record the call path will name.
   */
  lostCreates(orgId: string, since: Date): Promise<LostCreate[]> {
    return this.calls.query(
      `SELECT id, entity, record_id, service_account_id, on_behalf_of_id, outcome, error_code, at
         FROM crm_calls
        WHERE org_id = $1 AND at >= $2 AND operation = 'Create' AND entity IS NOT NULL
          AND reconciliation = 'unverified' AND linked_record_id IS NULL
          AND outcome = 'failed' AND error_code = ANY($3::text[])
        ORDER BY at ASC, id ASC LIMIT 500`,
      [orgId, since, UNKNOWN_OUTCOME_CODES],
    ) as Promise<LostCreate[]>;
  }

  /**
   * Links a Create whose reply was lost to the record CRM holds for it: linked_record_id, the verdict and its note,
   * all three outside the hash chain (the row may be sealed; its outcome, error and record_id stay as the call path
   * wrote them). Only while no verdict judged the row, so two runs at once link it once. Whether it linked it.
   */
  async linkLostCreate(
    orgId: string,
    id: string,
    recordId: string,
    verdict: Reconciliation,
    note: string,
  ): Promise<boolean> {
    const [, n] = (await this.calls.query(
      `UPDATE crm_calls SET linked_record_id = $3, reconciliation = $4, reconciliation_note = $5
        WHERE org_id = $1 AND id = $2 AND reconciliation = 'unverified' AND linked_record_id IS NULL`,
      [orgId, id, recordId, verdict, note],
    )) as [unknown, number];
    return n === 1;
  }

  /** Up to 500 of an org's rows still pending more than `afterSec` seconds after their call began. */
  stalePending(orgId: string, afterSec: number): Promise<StalePending[]> {
    return this.calls.query(
      `SELECT id, operation, entity, record_id FROM crm_calls
        WHERE org_id = $1 AND outcome = 'pending' AND at < now() - make_interval(secs => $2) LIMIT 500`,
      [orgId, afterSec],
    ) as Promise<StalePending[]>;
  }

  /** Fails a row that is still pending as CRASHED_UNKNOWN_OUTCOME (a row completed meanwhile is left alone). */
  async failPendingAsCrashed(orgId: string, id: string): Promise<void> {
    await this.calls.query(
      `UPDATE crm_calls SET outcome = 'failed', completed_at = now(), error_code = 'CRASHED_UNKNOWN_OUTCOME',
              error_message = 'The API stopped before the reply was recorded; reconciliation checks what CRM holds.'
        WHERE org_id = $1 AND id = $2 AND outcome = 'pending'`,
      [orgId, id],
    );
  }

  /**
   * Completes a Create's row cut off before its reply, once idempotent recovery found the record in CRM, naming
   * the record; only while it is still pending (a row reconciliation failed as CRASHED_UNKNOWN_OUTCOME stays so,
   * and may be sealed in the chain by then).
   */
  async completeRecovered(orgId: string, id: string, recordId: string): Promise<void> {
    await this.calls.query(
      `UPDATE crm_calls SET outcome = 'completed', completed_at = now(), record_id = $3
        WHERE org_id = $1 AND id = $2 AND outcome = 'pending'`,
      [orgId, id, recordId],
    );
  }

  /** Sets reconciliation's verdict and note on an org's rows. */
  async markReconciliation(
    orgId: string,
    ids: string[],
    verdict: Reconciliation,
    note: string | null,
  ): Promise<void> {
    await this.calls.query(
      `UPDATE crm_calls SET reconciliation = $3, reconciliation_note = $4 WHERE org_id = $1 AND id = ANY($2::uuid[])`,
      [orgId, ids, verdict, note],
    );
  }

  /** Inserts or replaces a record's stamps, stamped with the time they were pulled. */
  async saveStamps(s: StampsRow): Promise<void> {
    await this.stamps.query(
      `INSERT INTO crm_stamps (org_id, entity, record_id, createdby, createdonbehalfby, modifiedby, modifiedonbehalfby, ownerid, createdon, modifiedon, exists_in_crm, pulled_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
       ON CONFLICT (org_id, entity, record_id) DO UPDATE SET createdby = EXCLUDED.createdby, createdonbehalfby = EXCLUDED.createdonbehalfby,
         modifiedby = EXCLUDED.modifiedby, modifiedonbehalfby = EXCLUDED.modifiedonbehalfby, ownerid = EXCLUDED.ownerid,
         createdon = EXCLUDED.createdon, modifiedon = EXCLUDED.modifiedon, exists_in_crm = EXCLUDED.exists_in_crm, pulled_at = now()`,
      [
        s.orgId,
        s.entity,
        s.recordId,
        s.createdby,
        s.createdonbehalfby,
        s.modifiedby,
        s.modifiedonbehalfby,
        s.ownerid,
        s.createdon,
        s.modifiedon,
        s.existsInCrm,
      ],
    );
  }

  // ---- the audit explorer

  /** One page of the matching rows with their org name and stamps, newest first (buildLedgerQuery). */
  search(filters: LedgerFilters, page: { cursor?: LedgerCursor; limit: number }): Promise<LedgerRow[]> {
    const { sql, params } = buildLedgerQuery(filters, page);
    // One org's page runs scoped to it, so row-level security backs the query's own org filter.
    if (filters.orgId) {
      return inOrgScope(this.calls.manager, filters.orgId, (m) => m.query(sql, params)) as Promise<
        LedgerRow[]
      >;
    }
    return this.calls.query(sql, params) as Promise<LedgerRow[]>;
  }

  /** Opens the export cursor over every matching row (see LedgerExportCursor); the caller must close it. */
  async openExportCursor(filters: LedgerFilters): Promise<LedgerExportCursor> {
    const qr = this.calls.manager.dataSource.createQueryRunner();
    await qr.connect();
    const close = async () => {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      await qr.release();
    };
    try {
      await qr.startTransaction('REPEATABLE READ');
      await qr.query('SET TRANSACTION READ ONLY');
      if (filters.orgId) await scopeToOrg(qr, filters.orgId);
      const { sql, params } = buildLedgerQuery(filters);
      await qr.query(`DECLARE ledger_export NO SCROLL CURSOR FOR ${sql}`, params);
    } catch (err) {
      await close();
      throw err;
    }
    return {
      fetch: (n) => qr.query(`FETCH ${n} FROM ledger_export`) as Promise<LedgerRow[]>,
      commit: () => qr.commitTransaction(),
      close,
    };
  }

  // ---- the hash chain (ledger-chain/): sealing and verifying

  /** The orgs that have final rows not sealed yet. */
  async orgsWithUnsealedRows(): Promise<string[]> {
    const rows = (await this.calls.query(
      `SELECT DISTINCT org_id::text AS org_id FROM crm_calls WHERE chain_seq IS NULL AND outcome <> 'pending'`,
    )) as { org_id: string }[];
    return rows.map((r) => r.org_id);
  }

  /** The orgs that have a chain (a head or a sealed row), to verify them all. */
  async orgsWithChain(): Promise<string[]> {
    const rows = (await this.calls.query(
      `SELECT org_id::text AS org_id FROM crm_call_chain_heads
        UNION SELECT DISTINCT org_id::text FROM crm_calls WHERE chain_seq IS NOT NULL ORDER BY 1`,
    )) as { org_id: string }[];
    return rows.map((r) => r.org_id);
  }

  /**
   * Seals up to `limit` of the org's final, unsealed rows, oldest completion first, in one transaction that holds
   * the org's chain head FOR UPDATE (so two instances sealing at once take turns and never fork the chain) and the
   * rows FOR UPDATE (so none changes between its hash and its seal). sealed_at is the transaction's now(), hashed
   * as the same text it is stored as. Returns how many rows it sealed (0 when the org is gone).
   */
  async sealNext(orgId: string, limit: number, seal: ChainSealer): Promise<number> {
    return inOrgScope(this.calls.manager, orgId, async (m) => {
      await m.query(
        `INSERT INTO crm_call_chain_heads (org_id) SELECT id FROM orgs WHERE id = $1 ON CONFLICT (org_id) DO NOTHING`,
        [orgId],
      );
      const [head] = (await m.query(
        `SELECT seq::text AS seq, hash, ${chainInstant('now()')} AS now FROM crm_call_chain_heads WHERE org_id = $1 FOR UPDATE`,
        [orgId],
      )) as (ChainHead & { now: string })[];
      if (!head) return 0;
      const rows = (await m.query(
        `SELECT ${CHAIN_CONTENT} FROM crm_calls c
          WHERE c.org_id = $1 AND c.chain_seq IS NULL AND c.outcome <> 'pending'
          ORDER BY c.completed_at, c.id LIMIT $2 FOR UPDATE`,
        [orgId, limit],
      )) as LedgerChainContent[];
      if (!rows.length) return 0;
      const sealed = seal({ seq: head.seq, hash: head.hash }, rows, head.now);
      await m.query(
        `UPDATE crm_calls c SET chain_seq = u.seq, prev_hash = u.prev_hash, row_hash = u.row_hash, sealed_at = now()
           FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[]) AS u(id, seq, prev_hash, row_hash)
          WHERE c.org_id = $1 AND c.id = u.id`,
        [
          orgId,
          sealed.links.map((l) => l.id),
          sealed.links.map((l) => l.seq),
          sealed.links.map((l) => l.prevHash),
          sealed.links.map((l) => l.rowHash),
        ],
      );
      await m.query(
        `UPDATE crm_call_chain_heads SET seq = $2, hash = $3, sealed_through = now() WHERE org_id = $1`,
        [orgId, sealed.head.seq, sealed.head.hash],
      );
      return sealed.links.length;
    });
  }

  /**
   * Opens a cursor over the org's sealed rows in (chain_seq, id) order, with its head, in one read-only
   * REPEATABLE READ snapshot on a connection of its own (rows sealed meanwhile are not seen, nor the head they
   * moved). The caller must close it.
   */
  async openChainCursor(orgId: string): Promise<LedgerChainCursor> {
    const qr = this.calls.manager.dataSource.createQueryRunner();
    await qr.connect();
    const close = async () => {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      await qr.release();
    };
    let head: ChainHead | null;
    try {
      await qr.startTransaction('REPEATABLE READ');
      await qr.query('SET TRANSACTION READ ONLY');
      await scopeToOrg(qr, orgId);
      const [h] = (await qr.query(
        `SELECT seq::text AS seq, hash FROM crm_call_chain_heads WHERE org_id = $1`,
        [orgId],
      )) as ChainHead[];
      head = h ?? null;
      await qr.query(
        `DECLARE ledger_chain NO SCROLL CURSOR FOR
         SELECT ${CHAIN_CONTENT}, c.chain_seq::text AS chain_seq, c.prev_hash, c.row_hash, ${chainInstant('c.sealed_at')} AS sealed_at
           FROM crm_calls c WHERE c.org_id = $1 AND c.chain_seq IS NOT NULL ORDER BY c.chain_seq, c.id`,
        [orgId],
      );
    } catch (err) {
      await close();
      throw err;
    }
    return {
      head,
      fetch: (n) => qr.query(`FETCH ${Math.trunc(n)} FROM ledger_chain`) as Promise<LedgerChainRow[]>,
      close,
    };
  }

  // ---- counts (the overview, the metrics)

  /**
   * Each org's calls and failed calls of the last 24 hours, by org id; an org without a call in that time is
   * absent. One GROUP BY over the (at) index for every org at once.
   */
  async callCounts24h(): Promise<Map<string, CallCounts>> {
    const rows = (await this.calls.query(
      `SELECT org_id, count(*) FILTER (WHERE outcome = 'failed')::int AS failed, count(*)::int AS total
         FROM crm_calls WHERE at > now() - interval '24 hours' GROUP BY org_id`,
    )) as { org_id: string; failed: number; total: number }[];
    return new Map(rows.map((r) => [r.org_id, { total: r.total, failed: r.failed }]));
  }

  /** The planner's row count (what ANALYZE last saw: free to read); -1 before the first ANALYZE. */
  async estimatedRowCount(): Promise<number> {
    const [est] = (await this.calls.query(
      `SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'crm_calls'::regclass`,
    )) as { n: string }[];
    return Number(est?.n ?? -1);
  }

  /** The exact row count, reading at most `cap` rows: `cap` means "at least that many". */
  async countRowsUpTo(cap: number): Promise<number> {
    const [exact] = (await this.calls.query(
      `SELECT count(*)::bigint AS n FROM (SELECT 1 FROM crm_calls LIMIT $1) s`,
      [cap],
    )) as { n: string }[];
    return Number(exact?.n ?? 0);
  }

  /**
   * Orgs whose chain head and sealed rows disagree on whether the chain exists: sealed rows but no head (the head
   * was removed), or a head past seq 0 with no sealed row left (the rows were removed). `npm run audit:verify`
   * reports them before it walks the other chains. One pass over the chain index and the heads table.
   */
  async chainWithoutHeadOrRows(): Promise<{ orgId: string; sealedRows: number; headSeq: string | null }[]> {
    return (await this.calls.query(
      `SELECT org_id::text AS "orgId", coalesce(r.n, 0)::int AS "sealedRows", h.seq::text AS "headSeq"
         FROM (SELECT org_id, count(*) AS n FROM crm_calls WHERE chain_seq IS NOT NULL GROUP BY org_id) r
         FULL JOIN crm_call_chain_heads h USING (org_id)
        WHERE (h.org_id IS NULL) OR (r.org_id IS NULL AND h.seq > 0)
        ORDER BY 1`,
    )) as { orgId: string; sealedRows: number; headSeq: string | null }[];
  }
}

/** The repository over a data source of its own, outside Nest (`npm run audit:verify`), as LedgerModule builds it. */
export function ledgerRepositoryFor(ds: DataSource): LedgerRepository {
  return new LedgerRepository(ds.getRepository(CrmCallEntity), ds.getRepository(CrmStampEntity));
}
