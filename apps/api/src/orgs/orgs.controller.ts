import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { CreateOrgDto, StageCertificateDto } from './dto/create-org.dto';
import { OnboardingRunDto, OrgDto, OrgListDto, OrgWithRunDto } from './dto/org.response';
import { OrgsService } from './orgs.service';

const orgId = new UuidPipe('org id');

@ApiTags('orgs')
@Controller('orgs')
export class OrgsController {
  constructor(private readonly orgs: OrgsService) {}

  @Post()
  @ApiCreatedResponse({ type: OrgWithRunDto })
  create(@Body() dto: CreateOrgDto, @Ctx() ctx: RequestContext): Promise<OrgWithRunDto> {
    return this.orgs.create(dto, ctx);
  }

  @Get()
  @ApiOkResponse({ type: OrgListDto })
  async list(): Promise<OrgListDto> {
    return { items: await this.orgs.list() };
  }

  @Get(':id')
  @ApiOkResponse({ type: OrgDto })
  get(@Param('id', orgId) id: string): Promise<OrgDto> {
    return this.orgs.get(id);
  }

  @Post(':id/onboarding')
  @HttpCode(200)
  @ApiOkResponse({ type: OrgWithRunDto })
  rerun(@Param('id', orgId) id: string, @Ctx() ctx: RequestContext): Promise<OrgWithRunDto> {
    return this.orgs.rerun(id, ctx);
  }

  @Get(':id/onboarding/runs/latest')
  @ApiOkResponse({ type: OnboardingRunDto })
  latest(@Param('id', orgId) id: string): Promise<OnboardingRunDto> {
    return this.orgs.latestRun(id);
  }

  @Post(':id/certificate/stage')
  @ApiCreatedResponse({ type: OrgDto })
  stage(
    @Param('id', orgId) id: string,
    @Body() dto: StageCertificateDto,
    @Ctx() ctx: RequestContext,
  ): Promise<OrgDto> {
    return this.orgs.stageCertificate(id, dto.certificateId, ctx);
  }

  @Post(':id/certificate/promote')
  @ApiCreatedResponse({ type: OrgDto })
  promote(@Param('id', orgId) id: string, @Ctx() ctx: RequestContext): Promise<OrgDto> {
    return this.orgs.promoteCertificate(id, ctx);
  }

  @Delete(':id/certificate/staged')
  @ApiOkResponse({ type: OrgDto })
  unstage(@Param('id', orgId) id: string, @Ctx() ctx: RequestContext): Promise<OrgDto> {
    return this.orgs.unstageCertificate(id, ctx);
  }
}
