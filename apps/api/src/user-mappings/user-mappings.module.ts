import { Module } from '@nestjs/common';
import { TicketsModule } from '../tickets/tickets.module';
import { UserMappingsController } from './user-mappings.controller';
import { UserMappingsService } from './user-mappings.service';

@Module({
  imports: [TicketsModule],
  controllers: [UserMappingsController],
  providers: [UserMappingsService],
  exports: [UserMappingsService],
})
export class UserMappingsModule {}
