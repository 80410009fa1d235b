import { Module } from '@nestjs/common';
import { OrgDirectoryModule } from '../orgs/org-directory.module';
import { TicketsModule } from '../tickets/tickets.module';
import { UserMappingsModule } from '../user-mappings/user-mappings.module';
import { CrmCallsService } from './crm-calls.service';
import { LedgerModule } from './ledger.module';
import { RecordsController } from './records.controller';
import { ReconcileController } from './reconcile.controller';
import { AdminAuditModule } from '../admin-audit/admin-audit.module';
import { AuditModule } from '../audit/audit.module';
import { ReconcileService } from './reconcile.service';

@Module({
  imports: [
    OrgDirectoryModule,
    TicketsModule,
    UserMappingsModule,
    LedgerModule,
    AdminAuditModule,
    AuditModule,
  ],
  controllers: [RecordsController, ReconcileController],
  providers: [CrmCallsService, ReconcileService],
  exports: [CrmCallsService, ReconcileService],
})
export class CrmModule {}
