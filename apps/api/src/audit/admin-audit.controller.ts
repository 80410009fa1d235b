import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditService } from './audit.service';
import { AdminAuditPageDto } from './dto/audit.response';
import { AdminAuditQueryDto } from './dto/admin-audit-query.dto';
import { RequiresScope } from '../common/auth-decorators';

/** What administrators did in Onbehalf itself; auditors may read it too. */
// API keys need `audit:read` (or `admin`) for every route here: all of them only read.
@RequiresScope('audit:read')
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
