import type { LedgerItem, Ref } from './ledger-item';

/** Cells that a spreadsheet would run as a formula (CSV injection, OWASP): =, +, -, @, and tab / CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * A text that a spreadsheet would evaluate gets a leading single quote, so it shows as text.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const s = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A record with its CRLF terminator, as RFC 4180 has it. */
export const csvLine = (fields: (string | number | null | undefined)[]): string =>
  `${fields.map(csvField).join(',')}\r\n`;

export const LEDGER_CSV_HEADER = [
  'id',
  'at',
  'completed_at',
  'org_id',
  'org_name',
  'operation',
  'entity',
  'record_id',
  'outcome',
  'error_code',
  'latency_ms',
  'request_id',
  'service_account_id',
  'service_account_name',
  'on_behalf_of_id',
  'on_behalf_of_name',
  'on_behalf_of_puid',
  'crm_createdby_id',
  'crm_createdby_name',
  'crm_createdonbehalfby_id',
  'crm_createdonbehalfby_name',
  'crm_modifiedby_id',
  'crm_modifiedby_name',
  'crm_modifiedonbehalfby_id',
  'crm_modifiedonbehalfby_name',
  'reconciliation',
  'reconciliation_note',
  'linked_record_id',
] as const;

const ref = (r: Ref | null | undefined) => [r?.id, r?.name];

export function ledgerCsvFields(i: LedgerItem): (string | number | null | undefined)[] {
  return [
    i.id,
    i.at,
    i.completedAt,
    i.org.id,
    i.org.friendlyName,
    i.operation,
    i.entity,
    i.recordId,
    i.outcome,
    i.errorCode,
    i.latencyMs,
    i.requestId,
    i.serviceAccount.id,
    i.serviceAccount.name,
    i.onBehalfOf?.id,
    i.onBehalfOf?.name,
    i.onBehalfOf?.puid,
    ...ref(i.crm?.createdby),
    ...ref(i.crm?.createdonbehalfby),
    ...ref(i.crm?.modifiedby),
    ...ref(i.crm?.modifiedonbehalfby),
    i.reconciliation,
    i.reconciliationNote,
    i.linkedRecordId,
  ];
}
