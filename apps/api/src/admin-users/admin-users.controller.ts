import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth-decorators';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { type AdminUserView, AdminUsersService } from './admin-users.service';
import { CreateAdminUserDto } from './dto/create-admin-user.dto';
import { UpdateAdminUserDto } from './dto/update-admin-user.dto';

const uuid = new UuidPipe('admin user id');

@ApiTags('admin-users')
@AdminOnly()
@Controller('admin-users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  async list(): Promise<{ items: AdminUserView[] }> {
    return { items: await this.users.list() };
  }

  @Post()
  create(@Body() dto: CreateAdminUserDto, @Ctx() ctx: RequestContext): Promise<AdminUserView> {
    return this.users.create(dto, ctx);
  }

  @Patch(':id')
  update(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateAdminUserDto,
    @Ctx() ctx: RequestContext,
  ): Promise<AdminUserView> {
    return this.users.update(id, dto, ctx);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', uuid) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.users.remove(id, ctx);
  }
}
