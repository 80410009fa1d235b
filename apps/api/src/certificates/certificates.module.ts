import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditModule } from '../admin-audit/admin-audit.module';
import { CertificateEntity } from './certificate.entity';
import { CertificatesController } from './certificates.controller';
import { CertificatesRepository } from './certificates.repository';
import { CertificatesService } from './certificates.service';

/**
 * Service-account certificates. Other contexts read them through CertificatesService,
 * never the entity or the table.
 */
@Module({
  imports: [TypeOrmModule.forFeature([CertificateEntity]), AdminAuditModule],
  controllers: [CertificatesController],
  providers: [CertificatesRepository, CertificatesService],
  exports: [CertificatesService],
})
export class CertificatesModule {}
