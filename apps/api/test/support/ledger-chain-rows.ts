import type { LedgerChainContent } from '../../src/crm/ledger.repository';

/**
 * A ledger row's chain content for specs: a completed WhoAmI with every optional column null, so a spec writes
 * only the columns its case is about.
 */
export function chainContent(
  over: Partial<LedgerChainContent> & Pick<LedgerChainContent, 'id' | 'org_id' | 'at'>,
): LedgerChainContent {
  return {
    completed_at: null,
    operation: 'WhoAmI',
    entity: null,
    record_id: null,
    service_account_id: null,
    service_account_name: null,
    on_behalf_of_id: null,
    on_behalf_of_name: null,
    on_behalf_of_puid: null,
    outcome: 'completed',
    error_code: null,
    error_message: null,
    latency_ms: null,
    request_id: null,
    caller: null,
    instance: null,
    ...over,
  };
}
