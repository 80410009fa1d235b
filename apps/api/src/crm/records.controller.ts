import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequiresScope } from '../common/auth-decorators';
import { badRequest } from '../common/domain-exception';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { AuditQueryDto } from '../audit/dto/audit-query.dto';
import { AuditService } from '../audit/audit.service';
import { CrmCallsService } from './crm-calls.service';
import { WhoAmIDto, WriteRecordDto } from './dto/record.dto';
import {
  CreatedRecordDto,
  RecordPageDto,
  RetrievedRecordDto,
  UpdatedRecordDto,
  WhoAmIResultDto,
} from './dto/record.response';
import { LedgerListDto } from '../audit/dto/audit.response';

const orgId = new UuidPipe('org id');
const recordId = new UuidPipe('record id');
const RESERVED = new Set(['columns', 'page', 'pageSize', 'pagingCookie']);

function columnsOf(raw: string | undefined): string[] | 'all' {
  if (!raw || raw === 'all') return 'all';
  const cols = raw
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  if (cols.length > 100 || cols.some((c) => !/^[a-z][a-z0-9_]{0,99}$/.test(c))) {
    throw badRequest('INVALID_COLUMNS', 'columns is a comma-separated list of attribute names.');
  }
  return cols;
}

function intOf(raw: string | undefined, def: number, min: number, max: number, name: string): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw badRequest('INVALID_QUERY', `${name} must be a whole number from ${min} to ${max}.`);
  return Number(raw);
}

@ApiTags('records')
@Controller('orgs/:id')
export class RecordsController {
  constructor(
    private readonly crm: CrmCallsService,
    private readonly audit: AuditService,
  ) {}

  @Post('records/:entity')
  @RequiresScope('calls', { org: 'id' })
  @ApiCreatedResponse({ type: CreatedRecordDto })
  async create(
    @Param('id', orgId) id: string,
    @Param('entity') entity: string,
    @Body() dto: WriteRecordDto,
    @Ctx() ctx: RequestContext,
  ): Promise<CreatedRecordDto> {
    const r = await this.crm.create(id, entity, dto.attributes, dto.onBehalfOf, ctx);
    return { id: r.id, ledgerId: r.ledgerId };
  }

  @Patch('records/:entity/:recordId')
  @RequiresScope('calls', { org: 'id' })
  @ApiOkResponse({ type: UpdatedRecordDto })
  update(
    @Param('id', orgId) id: string,
    @Param('entity') entity: string,
    @Param('recordId', recordId) rid: string,
    @Body() dto: WriteRecordDto,
    @Ctx() ctx: RequestContext,
  ): Promise<UpdatedRecordDto> {
    return this.crm.update(id, entity, rid, dto.attributes, dto.onBehalfOf, ctx);
  }

  @Get('records/:entity/:recordId')
  @RequiresScope('calls', { org: 'id' })
  @ApiOkResponse({ type: RetrievedRecordDto })
  retrieve(
    @Param('id', orgId) id: string,
    @Param('entity') entity: string,
    @Param('recordId', recordId) rid: string,
    @Query('columns') columns: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<RetrievedRecordDto> {
    return this.crm.retrieve(id, entity, rid, columnsOf(columns), ctx);
  }

  @Get('records/:entity')
  @RequiresScope('calls', { org: 'id' })
  @ApiOkResponse({ type: RecordPageDto })
  list(
    @Param('id', orgId) id: string,
    @Param('entity') entity: string,
    @Query() query: Record<string, string>,
    @Ctx() ctx: RequestContext,
  ): Promise<RecordPageDto> {
    const filters: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) {
      if (RESERVED.has(k)) continue;
      if (!/^[a-z][a-z0-9_]{0,99}$/.test(k) || typeof v !== 'string')
        throw badRequest('INVALID_QUERY', `Unknown filter "${k.slice(0, 40)}".`);
      filters[k] = v;
    }
    return this.crm.list(
      id,
      entity,
      {
        columns: columnsOf(query.columns),
        page: intOf(query.page, 1, 1, 10_000, 'page'),
        pageSize: intOf(query.pageSize, 50, 1, 5_000, 'pageSize'),
        pagingCookie: query.pagingCookie ?? null,
        filters,
      },
      ctx,
    );
  }

  @Post('whoami')
  @RequiresScope('calls', { org: 'id' })
  @ApiCreatedResponse({ type: WhoAmIResultDto })
  whoami(
    @Param('id', orgId) id: string,
    @Body() dto: WhoAmIDto,
    @Ctx() ctx: RequestContext,
  ): Promise<WhoAmIResultDto> {
    return this.crm.whoAmI(id, dto?.onBehalfOf, ctx);
  }

  /** The org's recent calls, as the audit shows them (with CRM's stamps and the reconciliation verdict). */
  @Get('calls')
  @RequiresScope('audit:read')
  @ApiOkResponse({ type: LedgerListDto })
  async calls(
    @Param('id', orgId) id: string,
    @Query('limit') limit: string | undefined,
  ): Promise<LedgerListDto> {
    const q = Object.assign(new AuditQueryDto(), { orgId: id, limit: intOf(limit, 20, 1, 200, 'limit') });
    return { items: (await this.audit.search(q)).items };
  }
}
