import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx, type RequestContext } from '../common/principal';
import { AuditService } from './audit.service';
import { sendCsv } from './csv-response';
import { AuditQueryDto } from './dto/audit-query.dto';
import type { LedgerItem } from './ledger-item';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  private readonly logger = new Logger('audit');

  constructor(private readonly audit: AuditService) {}

  @Get()
  search(@Query() q: AuditQueryDto): Promise<{ items: LedgerItem[]; nextCursor: string | null }> {
    return this.audit.search(q);
  }

  /** Same filters as the search; `cursor` and `limit` are accepted and ignored: the export holds every match. */
  @Get('export.csv')
  @ApiProduces('text/csv')
  export(@Query() q: AuditQueryDto, @Ctx() ctx: RequestContext, @Res() res: Response): Promise<void> {
    const filters = this.audit.filters(q);
    const filename = `onbehalf-audit-${new Date().toISOString().slice(0, 10)}.csv`;
    return sendCsv(res, filename, this.audit.exportCsv(filters, ctx), this.logger);
  }
}
