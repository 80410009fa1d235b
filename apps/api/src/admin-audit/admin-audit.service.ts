import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RequestContext } from '../common/principal';
import { AdminAuditLogEntity } from './admin-audit-log.entity';

export interface AdminAuditEntry {
  action: string;
  target?: string | null;
  orgId?: string | null;
  outcome?: 'success' | 'failure';
  /** What changed, already redacted: never keys, passwords or tickets. */
  diff?: Record<string, unknown> | null;
  actorEmail?: string | null;
}

/** Which entries to read; every field is optional and they combine with AND. */
export interface AdminAuditFilters {
  /** Exact action name, e.g. `admin-user.create`. */
  action?: string;
  /** The actor's email, matched case-insensitively and exactly. */
  actorEmail?: string;
  orgId?: string;
  outcome?: 'success' | 'failure';
  /** Inclusive lower bound on `at`. */
  from?: Date;
  /** Exclusive upper bound on `at`. */
  to?: Date;
}

/** One entry of the admin audit log as read back. */
export type AdminAuditRow = Pick<
  AdminAuditLogEntity,
  'id' | 'at' | 'actorId' | 'actorEmail' | 'action' | 'target' | 'outcome' | 'ip' | 'orgId' | 'diff'
>;

@Injectable()
export class AdminAuditService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Appends an entry; pass the transaction's manager so the entry commits with the change. */
  async record(ctx: RequestContext, entry: AdminAuditEntry, manager?: EntityManager): Promise<void> {
    const m = manager ?? this.db.manager;
    const row: Partial<AdminAuditLogEntity> = {
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
    };
    await m.getRepository(AdminAuditLogEntity).insert(row as never);
  }

  /**
   * Up to `limit` entries matching `filters`, newest first (by id), after the entry `beforeId` when
   * given. Filtering by actor or org walks admin_audit_log_actor_email_idx / admin_audit_log_org_id_idx.
   */
  async page(limit: number, beforeId?: string, filters: AdminAuditFilters = {}): Promise<AdminAuditRow[]> {
    const qb = this.db
      .getRepository(AdminAuditLogEntity)
      .createQueryBuilder('a')
      .where('TRUE')
      .orderBy('a.id', 'DESC')
      .limit(limit);
    if (beforeId !== undefined) qb.andWhere('a.id < :after', { after: beforeId });
    if (filters.action !== undefined) qb.andWhere('a.action = :action', { action: filters.action });
    if (filters.actorEmail !== undefined) {
      qb.andWhere('lower(a.actor_email) = lower(:actorEmail)', { actorEmail: filters.actorEmail });
    }
    if (filters.orgId !== undefined) qb.andWhere('a.org_id = :orgId', { orgId: filters.orgId });
    if (filters.outcome !== undefined) qb.andWhere('a.outcome = :outcome', { outcome: filters.outcome });
    if (filters.from !== undefined) qb.andWhere('a.at >= :from', { from: filters.from });
    if (filters.to !== undefined) qb.andWhere('a.at < :to', { to: filters.to });
    return await qb.getMany();
  }
}
