import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth-decorators';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { AdminUsersService } from './admin-users.service';
import { AdminUserDto, AdminUserListDto } from './dto/admin-user.response';
import { CreateAdminUserDto } from './dto/create-admin-user.dto';
import { UpdateAdminUserDto } from './dto/update-admin-user.dto';

const uuid = new UuidPipe('admin user id');

@ApiTags('admin-users')
@AdminOnly()
@Controller('admin-users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  @ApiOkResponse({ type: AdminUserListDto })
  async list(): Promise<AdminUserListDto> {
    return { items: await this.users.list() };
  }

  @Post()
  @ApiCreatedResponse({ type: AdminUserDto })
  create(@Body() dto: CreateAdminUserDto, @Ctx() ctx: RequestContext): Promise<AdminUserDto> {
    return this.users.create(dto, ctx);
  }

  @Patch(':id')
  @ApiOkResponse({ type: AdminUserDto })
  update(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateAdminUserDto,
    @Ctx() ctx: RequestContext,
  ): Promise<AdminUserDto> {
    return this.users.update(id, dto, ctx);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  remove(@Param('id', uuid) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.users.remove(id, ctx);
  }
}
