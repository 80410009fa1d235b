import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth-decorators';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyListDto, CreatedApiKeyDto } from './dto/api-key.response';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

@ApiTags('api-keys')
@AdminOnly()
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(): Promise<ApiKeyListDto> {
    return { items: await this.keys.list() };
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(@Body() dto: CreateApiKeyDto, @Ctx() ctx: RequestContext): Promise<CreatedApiKeyDto> {
    return this.keys.create(dto, ctx);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  revoke(@Param('id', new UuidPipe('API key id')) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.keys.revoke(id, ctx);
  }
}
