import { describe, expect, it } from 'vitest';
import { csvField, csvLine, LEDGER_CSV_HEADER, ledgerCsvFields } from './csv';
import type { LedgerItem } from './ledger-item';

describe('csvField', () => {
  it('writes null and undefined as an empty field, numbers as digits', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(0)).toBe('0');
    expect(csvField(-12)).toBe('-12');
  });

  it('leaves plain text as it is, the empty string included', () => {
    expect(csvField('account')).toBe('account');
    expect(csvField('')).toBe('');
    expect(csvField("it's a b=c")).toBe("it's a b=c");
  });

  it('quotes a field with a comma, a quote, CR or LF, doubling every quote', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi" and "bye"')).toBe('"say ""hi"" and ""bye"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('line\rbreak')).toBe('"line\rbreak"');
  });

  it('prefixes a single quote to a text a spreadsheet would run as a formula', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) expect(csvField(s)).toBe(`'${s}`);
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('does not prefix a formula character that is not the first one', () => {
    expect(csvField('a=1')).toBe('a=1');
    expect(csvField('a-b')).toBe('a-b');
  });
});

describe('csvLine', () => {
  it('joins fields with commas and ends with CRLF', () => {
    expect(csvLine(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
    expect(csvLine([])).toBe('\r\n');
  });
});

describe('ledgerCsvFields', () => {
  const item: LedgerItem = {
    id: 'id-1',
    at: '2025-03-10T12:00:00.000Z',
    completedAt: '2025-03-10T12:00:01.000Z',
    org: { id: 'org-1', friendlyName: 'Contoso' },
    operation: 'Create',
    entity: 'account',
    recordId: 'rec-1',
    outcome: 'completed',
    errorCode: null,
    latencyMs: 42,
    requestId: 'req-1',
    serviceAccount: { id: 'svc-1', name: 'Service' },
    onBehalfOf: { id: 'u-1', name: 'Jon', puid: 'P1' },
    crm: {
      createdby: { id: 'c1', name: 'C' },
      createdonbehalfby: { id: 'cob1', name: 'COB' },
      modifiedby: { id: 'm1', name: 'M' },
      modifiedonbehalfby: null,
    },
    reconciliation: 'mismatch',
    reconciliationNote: 'createdonbehalfby differs',
    linkedRecordId: 'linked-1',
  };

  it('lists an item in the header order, a stamp as its id and name', () => {
    const fields = ledgerCsvFields(item);
    expect(fields).toHaveLength(LEDGER_CSV_HEADER.length);
    expect(Object.fromEntries(LEDGER_CSV_HEADER.map((h, i) => [h, fields[i]]))).toEqual({
      id: 'id-1',
      at: '2025-03-10T12:00:00.000Z',
      completed_at: '2025-03-10T12:00:01.000Z',
      org_id: 'org-1',
      org_name: 'Contoso',
      operation: 'Create',
      entity: 'account',
      record_id: 'rec-1',
      outcome: 'completed',
      error_code: null,
      latency_ms: 42,
      request_id: 'req-1',
      service_account_id: 'svc-1',
      service_account_name: 'Service',
      on_behalf_of_id: 'u-1',
      on_behalf_of_name: 'Jon',
      on_behalf_of_puid: 'P1',
      crm_createdby_id: 'c1',
      crm_createdby_name: 'C',
      crm_createdonbehalfby_id: 'cob1',
      crm_createdonbehalfby_name: 'COB',
      crm_modifiedby_id: 'm1',
      crm_modifiedby_name: 'M',
      crm_modifiedonbehalfby_id: undefined,
      crm_modifiedonbehalfby_name: undefined,
      reconciliation: 'mismatch',
      reconciliation_note: 'createdonbehalfby differs',
      linked_record_id: 'linked-1',
    });
  });

  it('leaves the user and stamp columns empty when the call had no user and no stamps', () => {
    const fields = ledgerCsvFields({ ...item, onBehalfOf: null, crm: null });
    expect(fields).toHaveLength(LEDGER_CSV_HEADER.length);
    expect(fields.slice(14, 25)).toEqual(Array(11).fill(undefined));
    expect(csvLine(fields).split(',')).toHaveLength(LEDGER_CSV_HEADER.length);
  });
});
