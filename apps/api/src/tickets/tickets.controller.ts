import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UuidPipe } from '../common/uuid.pipe';
import { TicketsService } from './tickets.service';

const orgId = new UuidPipe('org id');

@ApiTags('tickets')
@Controller()
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Get('orgs/:id/ticket-health')
  health(@Param('id', orgId) id: string) {
    return this.tickets.health(id);
  }

  @Get('tickets/health')
  all() {
    return this.tickets.healthAll();
  }

  @Post('orgs/:id/tickets/refresh')
  @HttpCode(200)
  refresh(@Param('id', orgId) id: string) {
    return this.tickets.refreshNow(id);
  }
}
