import { Module } from '@nestjs/common';
import { AdminAuditModule } from '../admin-audit/admin-audit.module';
import { LedgerModule } from '../crm/ledger.module';
import { LedgerChainModule } from '../ledger-chain/ledger-chain.module';
import { AdminAuditController } from './admin-audit.controller';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

@Module({
  imports: [AdminAuditModule, LedgerModule, LedgerChainModule],
  controllers: [AuditController, AdminAuditController],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
