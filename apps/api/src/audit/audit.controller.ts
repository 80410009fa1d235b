import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx, type RequestContext } from '../common/principal';
import { AuditService } from './audit.service';
import { sendCsv } from './csv-response';
import { AuditQueryDto } from './dto/audit-query.dto';
import { LedgerPageDto } from './dto/audit.response';
import { RequiresScope } from '../common/auth-decorators';

// API keys need `audit:read` (or `admin`) for every route here: all of them only read.
@RequiresScope('audit:read')
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  private readonly logger = new Logger('audit');

  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOkResponse({ type: LedgerPageDto })
  search(@Query() q: AuditQueryDto): Promise<LedgerPageDto> {
    return this.audit.search(q);
  }

  /** Same filters as the search; `cursor` and `limit` are accepted and ignored: the export holds every match. */
  @Get('export.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'Every matching ledger entry as CSV, one row per call.',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  export(@Query() q: AuditQueryDto, @Ctx() ctx: RequestContext, @Res() res: Response): Promise<void> {
    const filters = this.audit.filters(q);
    const filename = `onbehalf-audit-${new Date().toISOString().slice(0, 10)}.csv`;
    return sendCsv(res, filename, this.audit.exportCsv(filters, ctx), this.logger);
  }
}
