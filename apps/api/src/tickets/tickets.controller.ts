import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidPipe } from '../common/uuid.pipe';
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
  health(@Param('id', orgId) id: string) {
    return this.ticketHealth.health(id);
  }

  @Get('tickets/health')
  all() {
    return this.ticketHealth.healthAll();
  }

  @Post('orgs/:id/tickets/refresh')
  @HttpCode(200)
  async refresh(@Param('id', orgId) id: string) {
    await this.tickets.refreshNow(id);
    return this.ticketHealth.summary(id);
  }
}
