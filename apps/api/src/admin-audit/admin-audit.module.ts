import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditLogEntity } from './admin-audit-log.entity';
import { AdminAuditRepository } from './admin-audit.repository';
import { AdminAuditService } from './admin-audit.service';

@Module({
  imports: [TypeOrmModule.forFeature([AdminAuditLogEntity])],
  providers: [AdminAuditRepository, AdminAuditService],
  exports: [AdminAuditService],
})
export class AdminAuditModule {}
