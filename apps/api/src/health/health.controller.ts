import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth-decorators';
import { HealthReportDto } from './dto/health.response';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get()
  @ApiOkResponse({ type: HealthReportDto, description: 'Every check is up.' })
  @ApiServiceUnavailableResponse({ type: HealthReportDto, description: 'A check is down.' })
  async get(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthReportDto> {
    const report = await this.health.report();
    void res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
