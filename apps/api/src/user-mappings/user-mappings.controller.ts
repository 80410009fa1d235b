import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { UuidPipe } from '../common/uuid.pipe';
import { toHttpError } from '../crm/crm-errors';
import { UserMappingsService } from './user-mappings.service';

class ResolveDto {
  @ApiProperty({ example: '0003BFFD8F3A5B21' })
  @IsString()
  @MaxLength(64)
  puid: string;
}

const orgId = new UuidPipe('org id');

@ApiTags('user-mappings')
@Controller('orgs/:id/user-mappings')
export class UserMappingsController {
  constructor(private readonly mappings: UserMappingsService) {}

  @Get()
  list(@Param('id', orgId) id: string) {
    return this.mappings.list(id);
  }

  @Post('resolve')
  @HttpCode(200)
  async resolve(@Param('id', orgId) id: string, @Body() dto: ResolveDto) {
    const puid = UserMappingsService.normalizePuid(dto.puid);
    try {
      await this.mappings.resolve(id, puid);
    } catch (err) {
      // A negative answer is a result too: show the cached negative entry.
      if ((err as { code?: string }).code !== 'USER_NOT_MAPPED') throw toHttpError(err);
    }
    return this.mappings.view(id, puid);
  }

  @Delete(':puid')
  @HttpCode(204)
  evict(@Param('id', orgId) id: string, @Param('puid') puid: string): Promise<void> {
    return this.mappings.evict(id, puid);
  }
}
