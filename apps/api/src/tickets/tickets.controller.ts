import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { UuidPipe } from '../common/uuid.pipe';
import { TicketHealthDto, TicketHealthListDto, TicketSummaryDto } from './dto/ticket.response';
import { TicketHealthService } from './ticket-health.service';
import { TicketsService } from './tickets.service';

const orgId = new UuidPipe('org id');

@ApiTags('tickets')
@Controller()
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly ticketHealth: TicketHealthService,
  ) {}

  @Get('orgs/:id/ticket-health')
  @ApiOkResponse({ type: TicketHealthDto })
  health(@Param('id', orgId) id: string): Promise<TicketHealthDto> {
    return this.ticketHealth.health(id);
  }

  @Get('tickets/health')
  @ApiOkResponse({ type: TicketHealthListDto })
  all(): Promise<TicketHealthListDto> {
    return this.ticketHealth.healthAll();
  }

  @Post('orgs/:id/tickets/refresh')
  @HttpCode(200)
  @ApiOkResponse({
    description: "The org's ticket after the refresh.",
    schema: { allOf: [{ $ref: getSchemaPath(TicketSummaryDto) }], nullable: true },
  })
  async refresh(@Param('id', orgId) id: string): Promise<TicketSummaryDto | null> {
    await this.tickets.refreshNow(id);
    return this.ticketHealth.summary(id);
  }
}
