import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { INSTANCE_ID } from '../jobs/jobs.service';
import { CrmCallEntity } from './crm-call.entity';

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

/**
 * The ledger of CRM calls. A row is written as `pending` BEFORE the call is sent and completed
 * after it, so a crash between the two leaves a visible pending row (resolved later by
 * reconciliation), never a silent gap.
 */
@Injectable()
export class LedgerService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async begin(s: LedgerStart): Promise<string> {
    const rows = (await this.db.query(
      `INSERT INTO crm_calls (org_id, operation, entity, record_id, service_account_id, service_account_name,
                              on_behalf_of_id, on_behalf_of_name, on_behalf_of_puid, outcome, request_id, caller, instance)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $12) RETURNING id`,
      [
        s.orgId,
        s.operation,
        s.entity ?? null,
        s.recordId ?? null,
        s.serviceAccountId ?? null,
        s.serviceAccountName ?? null,
        s.onBehalfOfId ?? null,
        s.onBehalfOfName ?? null,
        s.onBehalfOfPuid ?? null,
        s.requestId ?? null,
        s.caller ?? null,
        INSTANCE_ID,
      ],
    )) as { id: string }[];
    return rows[0]!.id;
  }

  async complete(orgId: string, id: string, r: { recordId?: string | null; latencyMs: number }): Promise<void> {
    await this.db.query(
      `UPDATE crm_calls SET outcome = 'completed', completed_at = now(), latency_ms = $3,
              record_id = COALESCE($4, record_id)
        WHERE org_id = $1 AND id = $2`,
      [orgId, id, Math.round(r.latencyMs), r.recordId ?? null],
    );
  }

  async fail(orgId: string, id: string, r: { errorCode: string; errorMessage: string; latencyMs: number }): Promise<void> {
    await this.db.query(
      `UPDATE crm_calls SET outcome = 'failed', completed_at = now(), latency_ms = $3, error_code = $4, error_message = $5,
              reconciliation = 'unverified'
        WHERE org_id = $1 AND id = $2`,
      [orgId, id, Math.round(r.latencyMs), r.errorCode, r.errorMessage.slice(0, 500)],
    );
  }

  async recent(orgId: string, limit: number): Promise<CrmCallEntity[]> {
    return this.db.getRepository(CrmCallEntity).find({ where: { orgId }, order: { at: 'DESC', id: 'DESC' }, take: limit });
  }
}
