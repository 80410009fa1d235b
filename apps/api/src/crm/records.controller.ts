import {
  Body,
  Controller,
  createParamDecorator,
  type ExecutionContext,
  Get,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorDto } from '../common/api-responses';
import { RequiresScope } from '../common/auth-decorators';
import { badRequest } from '../common/domain-exception';
import { Ctx, headerOf, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { AuditQueryDto } from '../audit/dto/audit-query.dto';
import { AuditService } from '../audit/audit.service';
import { CrmCallsService } from './crm-calls.service';
import { WhoAmIDto, WriteRecordDto } from './dto/record.dto';
import {
  type WhoAmIBody,
  WhoAmIBodyPipe,
  type WriteRecordBody,
  WriteRecordBodyPipe,
} from './dto/record-body.pipe';
import {
  CreatedRecordDto,
  RecordPageDto,
  RetrievedRecordDto,
  UpdatedRecordDto,
  WhoAmIResultDto,
} from './dto/record.response';
import { LedgerListDto } from '../audit/dto/audit.response';
import { IDEMPOTENCY_HEADER, parseIdempotencyKey } from '../idempotency/idempotency-key';

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

/**
 * The raw Idempotency-Key header (undefined when absent). A param decorator of its own rather than
 * `@Headers()`, which Swagger would list as a second, required header beside the documented one.
 */
const IdempotencyKey = createParamDecorator((_data: unknown, ec: ExecutionContext): string | undefined =>
  headerOf(ec.switchToHttp().getRequest<FastifyRequest>(), IDEMPOTENCY_HEADER),
);

/** Set on a reply that repeats the kept reply of an earlier request with the same Idempotency-Key. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** The OpenAPI description of a keyed write's header and of its 400/409/422 replies (docs/api.md). */
function Idempotent(): MethodDecorator {
  const decorators = [
    ApiHeader({
      name: IDEMPOTENCY_HEADER,
      required: false,
      description:
        'Makes the write safe to retry: 1-255 printable ASCII characters, kept 24 hours per org. The same key ' +
        'and request get the first reply again (with `Idempotent-Replayed: true`) without calling CRM.',
    }),
    ApiBadRequestResponse({
      type: ErrorDto,
      description:
        '`IDEMPOTENCY_KEY_INVALID`: the key is empty, longer than 255 characters or not printable ASCII.',
    }),
    ApiConflictResponse({
      type: ErrorDto,
      description:
        '`IDEMPOTENCY_IN_PROGRESS`: the first request with this key is still running; retry later.',
    }),
    ApiUnprocessableEntityResponse({
      type: ErrorDto,
      description:
        '`IDEMPOTENCY_KEY_REUSED`: the key was used for another request (body, route, entity, record or caller).',
    }),
  ];
  return (target, property, descriptor) => {
    for (const d of decorators) d(target, property, descriptor);
  };
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
  @ApiBody({ type: WriteRecordDto })
  @Idempotent()
  async create(
    @Param('id', orgId) id: string,
    @Param('entity') entity: string,
    @Body(WriteRecordBodyPipe) dto: WriteRecordBody,
    @Ctx() ctx: RequestContext,
    @IdempotencyKey() rawKey?: string,
    @Res({ passthrough: true }) res?: FastifyReply,
  ): Promise<CreatedRecordDto> {
    const key = parseIdempotencyKey(rawKey);
    if (key !== null) {
      const r = await this.crm.createOnce(id, entity, dto.attributes, dto.onBehalfOf ?? undefined, ctx, key);
      if (r.replayed) void res?.header(REPLAYED_HEADER, 'true');
      return { id: r.body.id, ledgerId: r.body.ledgerId };
    }
    const r = await this.crm.create(id, entity, dto.attributes, dto.onBehalfOf ?? undefined, ctx);
    return { id: r.id, ledgerId: r.ledgerId };
  }

  @Patch('records/:entity/:recordId')
  @RequiresScope('calls', { org: 'id' })
  @ApiOkResponse({ type: UpdatedRecordDto })
  @ApiBody({ type: WriteRecordDto })
  @Idempotent()
  async update(
    @Param('id', orgId) id: string,
    @Param('entity') entity: string,
    @Param('recordId', recordId) rid: string,
    @Body(WriteRecordBodyPipe) dto: WriteRecordBody,
    @Ctx() ctx: RequestContext,
    @IdempotencyKey() rawKey?: string,
    @Res({ passthrough: true }) res?: FastifyReply,
  ): Promise<UpdatedRecordDto> {
    const key = parseIdempotencyKey(rawKey);
    if (key !== null) {
      const r = await this.crm.updateOnce(
        id,
        entity,
        rid,
        dto.attributes,
        dto.onBehalfOf ?? undefined,
        ctx,
        key,
      );
      if (r.replayed) void res?.header(REPLAYED_HEADER, 'true');
      return { ledgerId: r.body.ledgerId };
    }
    return this.crm.update(id, entity, rid, dto.attributes, dto.onBehalfOf ?? undefined, ctx);
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
  @ApiBody({ type: WhoAmIDto, required: false })
  whoami(
    @Param('id', orgId) id: string,
    @Body(WhoAmIBodyPipe) dto: WhoAmIBody,
    @Ctx() ctx: RequestContext,
  ): Promise<WhoAmIResultDto> {
    return this.crm.whoAmI(id, dto.onBehalfOf ?? undefined, ctx);
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
