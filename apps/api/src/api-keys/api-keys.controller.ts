import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth-decorators';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { type ApiKeyView, ApiKeysService, type CreatedApiKey } from './api-keys.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';

@ApiTags('api-keys')
@AdminOnly()
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  async list(): Promise<{ items: ApiKeyView[] }> {
    return { items: await this.keys.list() };
  }

  @Post()
  create(@Body() dto: CreateApiKeyDto, @Ctx() ctx: RequestContext): Promise<CreatedApiKey> {
    return this.keys.create(dto, ctx);
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param('id', new UuidPipe('API key id')) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.keys.revoke(id, ctx);
  }
}
