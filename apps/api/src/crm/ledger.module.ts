import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CrmStampEntity } from './crm-stamp.entity';
import { CrmCallEntity } from './crm-call.entity';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';

/**
 * The ledger (`crm_calls`, with CRM's stamps in `crm_stamps`), owned by the crm context. Other contexts
 * (orgs' test call, the audit explorer, the metrics) import this module and use LedgerService; the repository
 * stays inside the crm context (CrmModule provides its own for reconciliation).
 */
@Module({
  imports: [TypeOrmModule.forFeature([CrmCallEntity, CrmStampEntity])],
  providers: [LedgerRepository, LedgerService],
  exports: [LedgerService],
})
export class LedgerModule {}
