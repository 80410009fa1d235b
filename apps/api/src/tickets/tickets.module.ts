import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CertificatesModule } from '../certificates/certificates.module';
import { OrgDirectoryModule } from '../orgs/org-directory.module';
import { TicketEventEntity } from './ticket-event.entity';
import { TicketHealthService } from './ticket-health.service';
import { TicketRefreshJob } from './ticket-refresh.job';
import { TicketRefreshScheduler } from './ticket-refresh.scheduler';
import { TicketStoreService } from './ticket-store.service';
import { TicketEntity } from './ticket.entity';
import { TicketsController } from './tickets.controller';
import { TicketsRepository } from './tickets.repository';
import { TicketsService } from './tickets.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([TicketEntity, TicketEventEntity]),
    CertificatesModule,
    OrgDirectoryModule,
  ],
  controllers: [TicketsController],
  providers: [
    TicketsRepository,
    TicketStoreService,
    TicketsService,
    TicketHealthService,
    TicketRefreshScheduler,
    TicketRefreshJob,
  ],
  exports: [TicketsService, TicketHealthService, TicketStoreService],
})
export class TicketsModule {}
