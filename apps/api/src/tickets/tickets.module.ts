import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { TicketStoreService } from './ticket-store.service';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  imports: [CertificatesModule],
  controllers: [TicketsController],
  providers: [TicketStoreService, TicketsService],
  exports: [TicketsService, TicketStoreService],
})
export class TicketsModule {}
