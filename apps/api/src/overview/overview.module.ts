import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module';
import { OverviewController } from './overview.controller';

@Module({ imports: [TicketsModule], controllers: [OverviewController] })
export class OverviewModule {}
