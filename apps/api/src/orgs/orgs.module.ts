import { Module } from '@nestjs/common';
import { AdminAuditModule } from '../admin-audit/admin-audit.module';
import { CertificatesModule } from '../certificates/certificates.module';
import { LedgerModule } from '../crm/ledger.module';
import { TicketsModule } from '../tickets/tickets.module';
import { OnboardingService } from './onboarding.service';
import { OrgsController } from './orgs.controller';
import { OrgsService } from './orgs.service';

@Module({
  imports: [AdminAuditModule, CertificatesModule, TicketsModule, LedgerModule],
  controllers: [OrgsController],
  providers: [OrgsService, OnboardingService],
  exports: [OrgsService],
})
export class OrgsModule {}
