import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JobsService } from '../jobs/jobs.service';
import { TicketsService } from './tickets.service';

/** The background refresh: every 15 s, each active org whose CRM ticket expires within the window gets a new one. */
@Injectable()
export class TicketRefreshJob {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tickets: TicketsService,
    jobs: JobsService,
  ) {
    jobs.register({ name: 'ticket-refresh', everyMs: 15_000, run: () => this.refreshDue() });
  }

  async refreshDue(): Promise<{ refreshed: number; failed: number }> {
    const due = (await this.db.query(
      `SELECT o.id FROM orgs o LEFT JOIN tickets t ON t.org_id = o.id
        WHERE o.status = 'active' AND (t.crm_expires_at IS NULL OR t.crm_expires_at < now() + ($1 || ' seconds')::interval)`,
      [String(this.config.ticketRefreshAheadSec)],
    )) as { id: string }[];
    let refreshed = 0;
    let failed = 0;
    for (const { id } of due) {
      try {
        await this.tickets.refreshNow(id);
        refreshed++;
      } catch {
        failed++;
      }
    }
    return { refreshed, failed };
  }
}
