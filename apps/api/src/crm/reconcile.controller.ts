import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { toHttpError } from './crm-errors';
import { ReconcileReportDto } from './dto/record.response';
import { ReconcileService } from './reconcile.service';

@ApiTags('audit')
@Controller('orgs/:id/reconcile')
export class ReconcileController {
  constructor(
    private readonly reconcile: ReconcileService,
    private readonly audit: AdminAuditService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: ReconcileReportDto })
  async run(
    @Param('id', new UuidPipe('org id')) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<ReconcileReportDto> {
    try {
      const report = await this.reconcile.reconcile(id);
      await this.audit.record(ctx, {
        action: 'org.reconcile',
        orgId: id,
        diff: {
          checked: report.checked,
          mismatch: report.mismatch,
          missing: report.missing,
          notStamped: report.notStamped,
          unknownChanges: report.unknownChanges,
        },
      });
      return report;
    } catch (err) {
      throw toHttpError(err);
    }
  }
}
