import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { CertificatesService } from './certificates.service';
import { CertificateDto, CertificateListDto } from './dto/certificate.response';
import { UploadCertificateDto } from './dto/upload-certificate.dto';

const uuid = new UuidPipe('certificate id');

@ApiTags('certificates')
@Controller('certificates')
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Post()
  @ApiCreatedResponse({ type: CertificateDto })
  upload(@Body() dto: UploadCertificateDto, @Ctx() ctx: RequestContext): Promise<CertificateDto> {
    return this.certificates.upload(dto, ctx);
  }

  @Get()
  @ApiOkResponse({ type: CertificateListDto })
  async list(): Promise<CertificateListDto> {
    return { items: await this.certificates.list() };
  }

  @Get(':id')
  @ApiOkResponse({ type: CertificateDto })
  get(@Param('id', uuid) id: string): Promise<CertificateDto> {
    return this.certificates.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  remove(@Param('id', uuid) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.certificates.remove(id, ctx);
  }
}
