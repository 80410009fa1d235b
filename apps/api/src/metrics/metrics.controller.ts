import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { RequiresScope } from '../common/auth-decorators';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape target. Not public: the scraper uses an API key (Authorization: Bearer) with the
 * `metrics:read` scope (or `admin`, as before that scope existed); sessions read it by their role, as any GET.
 */
@ApiTags('metrics')
@RequiresScope('metrics:read')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  render(): Promise<string> {
    return this.metrics.render();
  }
}
