import { Module } from '@nestjs/common';
import { CertificatesModule } from '../certificates/certificates.module';
import { TicketsModule } from '../tickets/tickets.module';
import { OverviewController } from './overview.controller';

@Module({ imports: [CertificatesModule, TicketsModule], controllers: [OverviewController] })
export class OverviewModule {}
