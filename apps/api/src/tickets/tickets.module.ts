import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { OrgDirectoryModule } from '../orgs/org-directory.module';
import { TicketHealthService } from './ticket-health.service';
import { TicketRefreshJob } from './ticket-refresh.job';
import { TicketRefreshScheduler } from './ticket-refresh.scheduler';
import { TicketStoreService } from './ticket-store.service';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  imports: [CertificatesModule, OrgDirectoryModule],
  controllers: [TicketsController],
  providers: [
    TicketStoreService,
    TicketsService,
    TicketHealthService,
    TicketRefreshScheduler,
    TicketRefreshJob,
  ],
  exports: [TicketsService, TicketHealthService, TicketStoreService],
})
export class TicketsModule {}
