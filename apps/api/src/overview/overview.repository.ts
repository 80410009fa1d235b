import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** An org's CRM calls of the last 24 hours. */
export interface CallCounts {
  total: number;
  failed: number;
}

/**
 * The overview's one query of its own: each org's calls and failed calls of the last 24 hours.
 *
 * It reads `crm_calls`, the call ledger, which the crm context owns (LedgerService writes it). The overview
 * has no table of its own; every other figure it shows comes through the owning context's exported service
 * (OrgDirectory, CertificatesService, TicketHealthService, TicketsService). This aggregate has no such service
 * yet, so it lives here, the one place in the overview that holds SQL: one GROUP BY over the ledger's
 * (at) index for every org at once, where a per-org count would cost a round trip per org on each page load.
 * When the crm context exports a per-org count, this file goes.
 */
@Injectable()
export class OverviewRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** By org id; an org without a call in the last 24 hours is absent. */
  async callCounts24h(): Promise<Map<string, CallCounts>> {
    const rows = (await this.db.query(
      `SELECT org_id, count(*) FILTER (WHERE outcome = 'failed')::int AS failed, count(*)::int AS total
         FROM crm_calls WHERE at > now() - interval '24 hours' GROUP BY org_id`,
    )) as { org_id: string; failed: number; total: number }[];
    return new Map(rows.map((r) => [r.org_id, { total: r.total, failed: r.failed }]));
  }
}
