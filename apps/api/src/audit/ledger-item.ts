import type { CallOutcome, Reconciliation } from '../crm/ledger.types';
import type { LedgerRow } from '../crm/ledger-query';

export interface Ref {
  id: string | null;
  name: string | null;
}

/** One ledger entry as docs/api.md defines `LedgerItem`. */
export interface LedgerItem {
  id: string;
  at: string;
  completedAt: string | null;
  org: { id: string; friendlyName: string | null };
  operation: string;
  entity: string | null;
  recordId: string | null;
  outcome: CallOutcome;
  errorCode: string | null;
  latencyMs: number | null;
  requestId: string | null;
  serviceAccount: Ref;
  onBehalfOf: { id: string | null; name: string | null; puid: string | null } | null;
  crm: {
    createdby: Ref | null;
    createdonbehalfby: Ref | null;
    modifiedby: Ref | null;
    modifiedonbehalfby: Ref | null;
  } | null;
  reconciliation: Reconciliation;
  /** Why reconciliation said so: the field that disagrees (mismatch), "the record is not in CRM" (missing); null when it matched or has not run. */
  reconciliationNote: string | null;
  /**
   * A Create whose reply was lost, linked by reconciliation to the record CRM created for it: that record's id
   * (`recordId` stays what the call path wrote). Null otherwise.
   */
  linkedRecordId: string | null;
}

/** A stamp as stored (jsonb `{id, name}`), read defensively: it comes from another system. */
function stamp(v: unknown): Ref | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  return { id: typeof o.id === 'string' ? o.id : null, name: typeof o.name === 'string' ? o.name : null };
}

export function toLedgerItem(r: LedgerRow): LedgerItem {
  const acted = r.on_behalf_of_id ?? r.on_behalf_of_name ?? r.on_behalf_of_puid;
  return {
    id: r.id,
    at: r.at.toISOString(),
    completedAt: r.completed_at?.toISOString() ?? null,
    org: { id: r.org_id, friendlyName: r.org_name },
    operation: r.operation,
    entity: r.entity,
    recordId: r.record_id,
    outcome: r.outcome,
    errorCode: r.error_code,
    latencyMs: r.latency_ms,
    requestId: r.request_id,
    serviceAccount: { id: r.service_account_id, name: r.service_account_name },
    onBehalfOf:
      acted == null ? null : { id: r.on_behalf_of_id, name: r.on_behalf_of_name, puid: r.on_behalf_of_puid },
    crm: r.has_stamps
      ? {
          createdby: stamp(r.createdby),
          createdonbehalfby: stamp(r.createdonbehalfby),
          modifiedby: stamp(r.modifiedby),
          modifiedonbehalfby: stamp(r.modifiedonbehalfby),
        }
      : null,
    reconciliation: r.reconciliation,
    reconciliationNote: r.reconciliation_note ?? null,
    linkedRecordId: r.linked_record_id ?? null,
  };
}
