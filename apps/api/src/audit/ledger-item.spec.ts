import { describe, expect, it } from 'vitest';
import { toLedgerItem } from './ledger-item';
import type { LedgerRow } from '../crm/ledger-query';

const row = (over: Partial<LedgerRow> = {}): LedgerRow => ({
  id: 'id-1',
  at: new Date('2025-03-10T12:00:00.123Z'),
  at_key: '2025-03-10T12:00:00.123456Z',
  completed_at: new Date('2025-03-10T12:00:01Z'),
  org_id: 'org-1',
  org_name: 'Contoso',
  operation: 'Update',
  entity: 'contact',
  record_id: 'rec-1',
  outcome: 'failed',
  error_code: 'CRM_FAULT',
  latency_ms: 17,
  request_id: 'req-1',
  service_account_id: 'svc-1',
  service_account_name: 'Service',
  on_behalf_of_id: 'u-1',
  on_behalf_of_name: 'Jon',
  on_behalf_of_puid: '00037FFE8AD2C1E4',
  reconciliation: 'match',
  reconciliation_note: null,
  linked_record_id: null,
  has_stamps: true,
  createdby: { id: 'c1', name: 'C' },
  createdonbehalfby: { id: 'cob1', name: 'COB' },
  modifiedby: { id: 'm1', name: 'M' },
  modifiedonbehalfby: { id: 'mob1', name: 'MOB' },
  ...over,
});

describe('toLedgerItem', () => {
  it('maps a row to the API shape, times as ISO strings', () => {
    expect(
      toLedgerItem(
        row({
          reconciliation: 'mismatch',
          reconciliation_note: 'modifiedby differs',
          linked_record_id: 'rec-9',
        }),
      ),
    ).toEqual({
      id: 'id-1',
      at: '2025-03-10T12:00:00.123Z',
      completedAt: '2025-03-10T12:00:01.000Z',
      org: { id: 'org-1', friendlyName: 'Contoso' },
      operation: 'Update',
      entity: 'contact',
      recordId: 'rec-1',
      outcome: 'failed',
      errorCode: 'CRM_FAULT',
      latencyMs: 17,
      requestId: 'req-1',
      serviceAccount: { id: 'svc-1', name: 'Service' },
      onBehalfOf: { id: 'u-1', name: 'Jon', puid: '00037FFE8AD2C1E4' },
      crm: {
        createdby: { id: 'c1', name: 'C' },
        createdonbehalfby: { id: 'cob1', name: 'COB' },
        modifiedby: { id: 'm1', name: 'M' },
        modifiedonbehalfby: { id: 'mob1', name: 'MOB' },
      },
      reconciliation: 'mismatch',
      reconciliationNote: 'modifiedby differs',
      linkedRecordId: 'rec-9',
    });
  });

  it('has no completion time, note or CRM stamps when the row has none', () => {
    const i = toLedgerItem(
      row({ completed_at: null, reconciliation_note: undefined as unknown as null, has_stamps: false }),
    );
    expect(i.completedAt).toBeNull();
    expect(i.reconciliationNote).toBeNull();
    expect(i.linkedRecordId).toBeNull();
    expect(i.crm).toBeNull();
    expect(toLedgerItem(row({ has_stamps: null })).crm).toBeNull();
  });

  it('has onBehalfOf when any one of id, name or PUID is known, null when none is', () => {
    const none = { on_behalf_of_id: null, on_behalf_of_name: null, on_behalf_of_puid: null };
    expect(toLedgerItem(row(none)).onBehalfOf).toBeNull();
    expect(toLedgerItem(row({ ...none, on_behalf_of_id: 'u-1' })).onBehalfOf).toEqual({
      id: 'u-1',
      name: null,
      puid: null,
    });
    expect(toLedgerItem(row({ ...none, on_behalf_of_name: 'Jon' })).onBehalfOf).toEqual({
      id: null,
      name: 'Jon',
      puid: null,
    });
    expect(toLedgerItem(row({ ...none, on_behalf_of_puid: 'P' })).onBehalfOf).toEqual({
      id: null,
      name: null,
      puid: 'P',
    });
    expect(toLedgerItem(row({ ...none, on_behalf_of_name: '' })).onBehalfOf).toEqual({
      id: null,
      name: '',
      puid: null,
    });
  });

  it('reads stamps defensively: a missing or non-object stamp is null, non-string fields are null', () => {
    const crm = toLedgerItem(
      row({
        createdby: null,
        createdonbehalfby: 'text',
        modifiedby: { id: 7, name: ['x'] },
        modifiedonbehalfby: { id: 'only-id' },
      }),
    ).crm;
    expect(crm).toEqual({
      createdby: null,
      createdonbehalfby: null,
      modifiedby: { id: null, name: null },
      modifiedonbehalfby: { id: 'only-id', name: null },
    });
    expect(toLedgerItem(row({ createdby: { name: 'only-name' } })).crm?.createdby).toEqual({
      id: null,
      name: 'only-name',
    });
  });
});
