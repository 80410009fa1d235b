import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/principal';
import { type AdminAuditFilters, AdminAuditRepository, type AdminAuditRow } from './admin-audit.repository';

export type { AdminAuditFilters, AdminAuditRow } from './admin-audit.repository';

export interface AdminAuditEntry {
  action: string;
  target?: string | null;
  orgId?: string | null;
  outcome?: 'success' | 'failure';
  /** What changed, already redacted: never keys, passwords or tickets. */
  diff?: Record<string, unknown> | null;
  actorEmail?: string | null;
}

/** The admin audit log: what administrators did, each entry stamped with who did it and from where. */
@Injectable()
export class AdminAuditService {
  constructor(private readonly repo: AdminAuditRepository) {}

  /** Appends an entry; pass the transaction's manager so the entry commits with the change. */
  async record(ctx: RequestContext, entry: AdminAuditEntry, manager?: EntityManager): Promise<void> {
    await this.repo.insert(
      {
        actorId: ctx.principal?.userId ?? null,
        actorEmail: entry.actorEmail ?? ctx.principal?.email ?? null,
        sessionId: ctx.principal?.sessionId ?? null,
        ip: ctx.ip,
        userAgent: ctx.userAgent?.slice(0, 300) ?? null,
        requestId: ctx.requestId || null,
        orgId: entry.orgId ?? null,
        action: entry.action,
        target: entry.target ?? null,
        outcome: entry.outcome ?? 'success',
        diff: entry.diff ?? null,
      },
      manager,
    );
  }

  /**
   * Up to `limit` entries matching `filters`, newest first (by id), after the entry `beforeId` when
   * given.
   */
  page(limit: number, beforeId?: string, filters: AdminAuditFilters = {}): Promise<AdminAuditRow[]> {
    return this.repo.page(limit, beforeId, filters);
  }
}
