import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AdminAuditLogEntity } from './admin-audit-log.entity';

/** What a new entry's row holds; the database fills in the id and `at`. */
export type NewAdminAuditRow = Omit<AdminAuditLogEntity, 'id' | 'at'>;

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

/**
 * Every query of the admin-audit context (`admin_audit_log`). AdminAuditService builds the entries from the
 * request; this holds the SQL. An entry written for a change goes through that change's transaction: `insert`
 * takes the transaction's manager.
 */
@Injectable()
export class AdminAuditRepository {
  constructor(@InjectRepository(AdminAuditLogEntity) private readonly log: Repository<AdminAuditLogEntity>) {}

  /** Appends an entry, in the transaction of `manager` when given. */
  async insert(row: NewAdminAuditRow, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AdminAuditLogEntity) : this.log;
    await repo.insert(row as never);
  }

  /**
   * Up to `limit` entries matching `filters`, newest first (by id), after the entry `beforeId` when
   * given. Filtering by actor or org walks admin_audit_log_actor_email_idx / admin_audit_log_org_id_idx.
   */
  async page(
    limit: number,
    beforeId: string | undefined,
    filters: AdminAuditFilters,
  ): Promise<AdminAuditRow[]> {
    const qb = this.log.createQueryBuilder('a').where('TRUE').orderBy('a.id', 'DESC').limit(limit);
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
