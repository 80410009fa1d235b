import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { RequiresScope } from '../common/auth-decorators';
import { UuidPipe } from '../common/uuid.pipe';
import { toHttpError } from '../crm/crm-errors';
import { UserMappingDto, UserMappingListDto } from './dto/user-mapping.response';
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
  @ApiOkResponse({ type: UserMappingListDto })
  list(@Param('id', orgId) id: string): Promise<UserMappingListDto> {
    return this.mappings.list(id);
  }

  @Post('resolve')
  @RequiresScope('calls', { org: 'id' })
  @HttpCode(200)
  @ApiOkResponse({
    type: UserMappingDto,
    description: 'The mapping, found or not (a negative entry is cached too).',
  })
  async resolve(@Param('id', orgId) id: string, @Body() dto: ResolveDto): Promise<UserMappingDto> {
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
  @ApiNoContentResponse()
  evict(@Param('id', orgId) id: string, @Param('puid') puid: string): Promise<void> {
    return this.mappings.evict(id, puid);
  }
}
