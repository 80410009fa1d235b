import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AdminAuditItem, AuditService } from './audit.service';
import { AdminAuditQueryDto } from './dto/admin-audit-query.dto';

/** What administrators did in Onbehalf itself; auditors may read it too. */
@ApiTags('audit')
@Controller('admin-audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(@Query() q: AdminAuditQueryDto): Promise<{ items: AdminAuditItem[]; nextCursor: string | null }> {
    return this.audit.listAdminAudit(q);
  }
}
