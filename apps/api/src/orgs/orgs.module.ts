import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditModule } from '../admin-audit/admin-audit.module';
import { CertificatesModule } from '../certificates/certificates.module';
import { LedgerModule } from '../crm/ledger.module';
import { TicketsModule } from '../tickets/tickets.module';
import { OnboardingRunEntity } from './onboarding-run.entity';
import { OnboardingService } from './onboarding.service';
import { OrgEntity } from './org.entity';
import { OrgsController } from './orgs.controller';
import { OrgsRepository } from './orgs.repository';
import { OrgsService } from './orgs.service';

/**
 * The orgs context: onboarding and certificate rotation (the write side). OrgsRepository holds its queries;
 * OrgDirectoryModule provides its own (stateless) instance for the read side that other contexts use.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([OrgEntity, OnboardingRunEntity]),
    AdminAuditModule,
    CertificatesModule,
    TicketsModule,
    LedgerModule,
  ],
  controllers: [OrgsController],
  providers: [OrgsRepository, OrgsService, OnboardingService],
  exports: [OrgsService],
})
export class OrgsModule {}
