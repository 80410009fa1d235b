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

  /** Up to `limit` entries, newest first (by id), after the entry `beforeId` when given. */
  async page(limit: number, beforeId?: string): Promise<AdminAuditRow[]> {
    const qb = this.db
      .getRepository(AdminAuditLogEntity)
      .createQueryBuilder('a')
      .orderBy('a.id', 'DESC')
      .limit(limit);
    if (beforeId !== undefined) qb.where('a.id < :after', { after: beforeId });
    return await qb.getMany();
  }
}
