import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OverviewDto } from './dto/overview.response';
import { OverviewService } from './overview.service';

/** Every org at a glance, the ones that need attention first (OverviewService builds it). */
@ApiTags('overview')
@Controller('overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @ApiOkResponse({ type: OverviewDto })
  get(): Promise<OverviewDto> {
    return this.overview.overview();
  }
}
