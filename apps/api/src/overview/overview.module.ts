import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { LedgerModule } from '../crm/ledger.module';
import { OrgDirectoryModule } from '../orgs/org-directory.module';
import { TicketsModule } from '../tickets/tickets.module';
import { OverviewController } from './overview.controller';
import { OverviewService } from './overview.service';

@Module({
  imports: [CertificatesModule, OrgDirectoryModule, TicketsModule, LedgerModule],
  controllers: [OverviewController],
  providers: [OverviewService],
})
export class OverviewModule {}
