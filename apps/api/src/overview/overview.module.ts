import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { OrgDirectoryModule } from '../orgs/org-directory.module';
import { TicketsModule } from '../tickets/tickets.module';
import { OverviewController } from './overview.controller';
import { OverviewRepository } from './overview.repository';
import { OverviewService } from './overview.service';

@Module({
  imports: [CertificatesModule, OrgDirectoryModule, TicketsModule],
  controllers: [OverviewController],
  providers: [OverviewRepository, OverviewService],
})
export class OverviewModule {}
