import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { GroupCommit } from './group-commit';

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
interface Completion {
  orgId: string;
  id: string;
  outcome: 'completed' | 'failed';
  latencyMs: number;
  recordId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

@Injectable()
export class LedgerService {
  // Concurrent calls share statements and commits (group commit); each still waits for its own row.
  private readonly starts = new GroupCommit<LedgerStart & { id: string }>((rows) => this.insert(rows));
  private readonly completions = new GroupCommit<Completion>((rows) => this.update(rows));

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'instanceId'>,
  ) {}

  /** Writes the pending row; resolves once it is committed, with its id. */
  async begin(s: LedgerStart): Promise<string> {
    const id = randomUUID();
    await this.starts.add({ ...s, id });
    return id;
  }

  async complete(
    orgId: string,
    id: string,
    r: { recordId?: string | null; latencyMs: number },
  ): Promise<void> {
    await this.completions.add({
      orgId,
      id,
      outcome: 'completed',
      latencyMs: r.latencyMs,
      recordId: r.recordId ?? null,
      errorCode: null,
      errorMessage: null,
    });
  }

  async fail(
    orgId: string,
    id: string,
    r: { errorCode: string; errorMessage: string; latencyMs: number },
  ): Promise<void> {
    await this.completions.add({
      orgId,
      id,
      outcome: 'failed',
      latencyMs: r.latencyMs,
      recordId: null,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage.slice(0, 500),
    });
  }

  private async insert(rows: Array<LedgerStart & { id: string }>): Promise<void> {
    const col = <K extends keyof (LedgerStart & { id: string })>(k: K) => rows.map((r) => r[k] ?? null);
    await this.db.query(
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
        this.config.instanceId,
      ],
    );
  }

  private async update(rows: Completion[]): Promise<void> {
    await this.db.query(
      `UPDATE crm_calls c SET outcome = u.outcome, completed_at = now(), latency_ms = u.latency_ms,
              record_id = COALESCE(u.record_id, c.record_id), error_code = u.error_code, error_message = u.error_message
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::text[])
           AS u(org_id, id, outcome, latency_ms, record_id, error_code, error_message)
        WHERE c.org_id = u.org_id AND c.id = u.id`,
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
}
