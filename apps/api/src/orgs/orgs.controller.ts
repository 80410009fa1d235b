import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { CreateOrgDto, StageCertificateDto } from './dto/create-org.dto';
import { OrgsService, type OrgView, type RunView } from './orgs.service';

const orgId = new UuidPipe('org id');

@ApiTags('orgs')
@Controller('orgs')
export class OrgsController {
  constructor(private readonly orgs: OrgsService) {}

  @Post()
  create(@Body() dto: CreateOrgDto, @Ctx() ctx: RequestContext): Promise<{ org: OrgView; run: RunView }> {
    return this.orgs.create(dto, ctx);
  }

  @Get()
  async list(): Promise<{ items: OrgView[] }> {
    return { items: await this.orgs.list() };
  }

  @Get(':id')
  get(@Param('id', orgId) id: string): Promise<OrgView> {
    return this.orgs.get(id);
  }

  @Post(':id/onboarding')
  @HttpCode(200)
  rerun(@Param('id', orgId) id: string, @Ctx() ctx: RequestContext) {
    return this.orgs.rerun(id, ctx);
  }

  @Get(':id/onboarding/runs/latest')
  latest(@Param('id', orgId) id: string): Promise<RunView> {
    return this.orgs.latestRun(id);
  }

  @Post(':id/certificate/stage')
  stage(
    @Param('id', orgId) id: string,
    @Body() dto: StageCertificateDto,
    @Ctx() ctx: RequestContext,
  ): Promise<OrgView> {
    return this.orgs.stageCertificate(id, dto.certificateId, ctx);
  }

  @Post(':id/certificate/promote')
  promote(@Param('id', orgId) id: string, @Ctx() ctx: RequestContext): Promise<OrgView> {
    return this.orgs.promoteCertificate(id, ctx);
  }

  @Delete(':id/certificate/staged')
  unstage(@Param('id', orgId) id: string, @Ctx() ctx: RequestContext): Promise<OrgView> {
    return this.orgs.unstageCertificate(id, ctx);
  }
}
