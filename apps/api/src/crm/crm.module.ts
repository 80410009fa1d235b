import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CrmStampEntity } from './crm-stamp.entity';
import { OrgDirectoryModule } from '../orgs/org-directory.module';
import { TicketsModule } from '../tickets/tickets.module';
import { UserMappingsModule } from '../user-mappings/user-mappings.module';
import { CrmCallEntity } from './crm-call.entity';
import { CrmCallsService } from './crm-calls.service';
import { LedgerRepository } from './ledger.repository';
import { LedgerModule } from './ledger.module';
import { RecordsController } from './records.controller';
import { ReconcileController } from './reconcile.controller';
import { AdminAuditModule } from '../admin-audit/admin-audit.module';
import { AuditModule } from '../audit/audit.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { LedgerChainModule } from '../ledger-chain/ledger-chain.module';
import { ReconcileService } from './reconcile.service';

/** The crm context. Reconciliation judges the ledger's rows in place, so it reads them through the context's own LedgerRepository. */
@Module({
  imports: [
    TypeOrmModule.forFeature([CrmCallEntity, CrmStampEntity]),
    OrgDirectoryModule,
    TicketsModule,
    UserMappingsModule,
    LedgerModule,
    AdminAuditModule,
    AuditModule,
    IdempotencyModule,
    LedgerChainModule,
  ],
  controllers: [RecordsController, ReconcileController],
  providers: [LedgerRepository, CrmCallsService, ReconcileService],
  exports: [CrmCallsService, ReconcileService],
})
export class CrmModule {}
