import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Ctx, type RequestContext } from '../common/principal';
import { AuditService } from './audit.service';
import { sendCsv } from './csv-response';
import { AuditQueryDto } from './dto/audit-query.dto';
import { LedgerPageDto } from './dto/audit.response';
import { ChainVerdictDto, ChainVerifyQueryDto } from './dto/chain-verify.dto';
import { LedgerChainService } from '../ledger-chain/ledger-chain.service';
import { RequiresScope } from '../common/auth-decorators';

// API keys need `audit:read` (or `admin`) for every route here: all of them only read.
@RequiresScope('audit:read')
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  private readonly logger = new Logger('audit');

  constructor(
    private readonly audit: AuditService,
    private readonly chain: LedgerChainService,
  ) {}

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
  export(@Query() q: AuditQueryDto, @Ctx() ctx: RequestContext, @Res() res: FastifyReply): Promise<void> {
    const filters = this.audit.filters(q);
    const filename = `onbehalf-audit-${new Date().toISOString().slice(0, 10)}.csv`;
    return sendCsv(res, filename, this.audit.exportCsv(filters, ctx), this.logger);
  }

  /**
   * Recomputes the org's ledger hash chain (streamed: one batch of rows in memory at a time) and reports the
   * first break, naming the row and its seq, or that every sealed row verifies.
   */
  @Get('verify')
  @ApiOkResponse({ type: ChainVerdictDto })
  verify(@Query() q: ChainVerifyQueryDto): Promise<ChainVerdictDto> {
    return this.chain.verify(q.orgId.toLowerCase());
  }
}
