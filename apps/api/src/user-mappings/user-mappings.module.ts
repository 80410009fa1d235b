import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TicketsModule } from '../tickets/tickets.module';
import { UserMappingEntity } from './user-mapping.entity';
import { UserMappingsController } from './user-mappings.controller';
import { UserMappingsRepository } from './user-mappings.repository';
import { UserMappingsService } from './user-mappings.service';

@Module({
  imports: [TypeOrmModule.forFeature([UserMappingEntity]), TicketsModule],
  controllers: [UserMappingsController],
  providers: [UserMappingsRepository, UserMappingsService],
  exports: [UserMappingsService],
})
export class UserMappingsModule {}
