import type { DataSource } from 'typeorm';
import { CrmStampEntity } from '../../src/crm/crm-stamp.entity';
import { CrmCallEntity } from '../../src/crm/crm-call.entity';
import { LedgerRepository } from '../../src/crm/ledger.repository';

/** The ledger's repository over a data source, as LedgerModule and CrmModule build it. */
export function ledgerRepository(ds: DataSource): LedgerRepository {
  return new LedgerRepository(ds.getRepository(CrmCallEntity), ds.getRepository(CrmStampEntity));
}
