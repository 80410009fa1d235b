import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditService } from './audit.service';
import { AdminAuditPageDto } from './dto/audit.response';
import { AdminAuditQueryDto } from './dto/admin-audit-query.dto';

/** What administrators did in Onbehalf itself; auditors may read it too. */
@ApiTags('audit')
@Controller('admin-audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOkResponse({ type: AdminAuditPageDto })
  list(@Query() q: AdminAuditQueryDto): Promise<AdminAuditPageDto> {
    return this.audit.listAdminAudit(q);
  }
}
