import { Global, Module } from '@nestjs/common';
import { LedgerModule } from '../crm/ledger.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Global, so that any module (the CRM calls, the ticket jobs) can inject MetricsService without importing this. */
@Global()
@Module({
  imports: [LedgerModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
