import { Injectable } from '@nestjs/common';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { badRequest } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import type { LedgerFilters } from '../crm/ledger-query';
import { LedgerService } from '../crm/ledger.service';
import type { CallOutcome, Reconciliation } from '../crm/ledger.types';
import { csvLine, LEDGER_CSV_HEADER, ledgerCsvFields } from './csv';
import type { AdminAuditQueryDto } from './dto/admin-audit-query.dto';
import { AUDIT_PAGE_DEFAULT, type AuditFilterDto, type AuditQueryDto } from './dto/audit-query.dto';
import { type LedgerItem, toLedgerItem } from './ledger-item';
import { decodeCursor, encodeCursor, isUuid } from './ledger-query';

/** Rows per FETCH of the export cursor: large enough to amortise round trips, small enough to bound memory. */
const EXPORT_BATCH = 500;

/** A calendar date, optionally with a time (minutes at least, up to microseconds) and a zone; no zone means UTC. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:(T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?)(Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?$/;
const PUID = /^[0-9a-f]{16}$/i;

export interface AdminAuditItem {
  id: string;
  at: string;
  actor: { id: string | null; email: string | null };
  action: string;
  target: string | null;
  outcome: 'success' | 'failure';
  ip: string | null;
  orgId: string | null;
  diff: Record<string, unknown> | null;
}

/** Reads of the ledger (CRM calls with their CRM stamps, through LedgerService) and of the admin audit log. */
@Injectable()
export class AuditService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly adminAudit: AdminAuditService,
  ) {}

  /** Turns validated query parameters into filters, refusing what the DTO cannot judge alone (400, with a code). */
  filters(q: AuditFilterDto): LedgerFilters {
    const f: LedgerFilters = {};
    if (q.orgId) f.orgId = q.orgId.toLowerCase();
    if (q.actor) f.actor = isUuid(q.actor) ? { id: q.actor.toLowerCase() } : { name: q.actor };
    if (q.onBehalfOf) {
      const v = q.onBehalfOf.trim();
      if (!v) throw badRequest('VALIDATION_FAILED', 'onBehalfOf must not be blank.');
      f.onBehalfOf = isUuid(v) ? { id: v.toLowerCase() } : PUID.test(v) ? { puid: v } : { nameContains: v };
    }
    if (q.entity) f.entity = q.entity.toLowerCase();
    if (q.from) f.from = instant('from', q.from, false);
    if (q.to) f.to = instant('to', q.to, true);
    if (f.from && f.to && f.from.getTime() >= f.to.getTime()) {
      throw badRequest('INVALID_RANGE', '"from" must be earlier than "to".', { from: q.from, to: q.to });
    }
    if (q.outcome) f.outcome = [...new Set(q.outcome.split(','))] as CallOutcome[];
    if (q.reconciliation) f.reconciliation = [...new Set(q.reconciliation.split(','))] as Reconciliation[];
    return f;
  }

  /** One page of the ledger, newest first, with keyset pagination on (at, id). */
  async search(q: AuditQueryDto): Promise<{ items: LedgerItem[]; nextCursor: string | null }> {
    const filters = this.filters(q);
    const limit = q.limit ?? AUDIT_PAGE_DEFAULT;
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await this.ledger.search(filters, { cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toLedgerItem),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at_key, id: last.id }) : null,
    };
  }

  /**
   * The matching ledger rows as CSV text chunks (the header first), read through a server-side
   * cursor in one read-only snapshot, so memory stays flat however many rows match. Stopping the
   * iteration (the client went away) closes the cursor and frees the connection.
   */
  async *exportCsv(filters: LedgerFilters, ctx: RequestContext): AsyncGenerator<string, void, undefined> {
    const cursor = await this.ledger.openExportCursor(filters);
    try {
      // Exports take the ledger out of the building: who took what is itself audited.
      await this.adminAudit.record(ctx, {
        action: 'audit.export',
        orgId: filters.orgId ?? null,
        diff: { filters: describe(filters) },
      });
      yield csvLine([...LEDGER_CSV_HEADER]);
      for (;;) {
        const rows = await cursor.fetch(EXPORT_BATCH);
        if (rows.length === 0) break;
        yield rows.map((r) => csvLine(ledgerCsvFields(toLedgerItem(r)))).join('');
      }
      await cursor.commit();
    } finally {
      await cursor.close();
    }
  }

  /** The admin audit log, newest first, with keyset pagination on id. */
  async listAdminAudit(
    q: AdminAuditQueryDto,
  ): Promise<{ items: AdminAuditItem[]; nextCursor: string | null }> {
    const limit = q.limit ?? AUDIT_PAGE_DEFAULT;
    const from = q.from ? instant('from', q.from, false) : undefined;
    const to = q.to ? instant('to', q.to, true) : undefined;
    if (from && to && from.getTime() >= to.getTime()) {
      throw badRequest('INVALID_RANGE', '"from" must be earlier than "to".', { from: q.from, to: q.to });
    }
    const filters = {
      action: q.action,
      actorEmail: q.actor,
      orgId: q.orgId?.toLowerCase(),
      outcome: q.outcome,
      from,
      to,
    };
    // One more than the page, to know whether another page follows.
    const cursor = q.cursor ? decodeAdminCursor(q.cursor) : undefined;
    const rows = await this.adminAudit.page(limit + 1, cursor, filters);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id,
        at: r.at.toISOString(),
        actor: { id: r.actorId, email: r.actorEmail },
        action: r.action,
        target: r.target,
        outcome: r.outcome,
        ip: r.ip,
        orgId: r.orgId,
        diff: r.diff,
      })),
      nextCursor: rows.length > limit && last ? Buffer.from(`a:${last.id}`).toString('base64url') : null,
    };
  }
}

function decodeAdminCursor(raw: string): string {
  const m = /^a:(\d{1,19})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m?.[1])
    throw badRequest('INVALID_CURSOR', 'The cursor is not one this API returned. Start again without it.');
  return m[1];
}

/**
 * A point in time from `from` / `to`. A date alone is midnight UTC; as an upper bound it means
 * "through that day", so `to=2025-01-31` includes the 31st. A time without a zone is UTC.
 */
function instant(name: 'from' | 'to', raw: string, upper: boolean): Date {
  const m = DATE_TIME.exec(raw);
  let d = new Date(Number.NaN);
  if (m && validDay(Number(m[1]), Number(m[2]), Number(m[3]))) {
    const [, y, mo, day, time, zone] = m;
    if (!time) {
      d = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(day) + (upper ? 1 : 0)));
    } else {
      const z = !zone
        ? 'Z'
        : zone.length === 3
          ? `${zone}:00`
          : zone.length === 5
            ? `${zone.slice(0, 3)}:${zone.slice(3)}`
            : zone;
      d = new Date(`${y}-${mo}-${day}${time}${z}`);
    }
  }
  if (Number.isNaN(d.getTime())) {
    throw badRequest(
      'INVALID_DATE',
      `${name} must be an ISO 8601 date (2025-01-31) or date-time (2025-01-31T12:00:00Z).`,
      { [name]: raw },
    );
  }
  return d;
}

/** Whether y-m-d is a real calendar day (no 31 April, no 29 February outside leap years). */
function validDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The filters of an export, for the admin audit log. */
function describe(f: LedgerFilters): Record<string, unknown> {
  return {
    ...f,
    from: f.from?.toISOString(),
    to: f.to?.toISOString(),
  };
}
