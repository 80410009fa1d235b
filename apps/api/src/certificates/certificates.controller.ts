import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx, type RequestContext } from '../common/principal';
import { UuidPipe } from '../common/uuid.pipe';
import { CertificatesService, type CertificateView } from './certificates.service';
import { UploadCertificateDto } from './dto/upload-certificate.dto';

const uuid = new UuidPipe('certificate id');

@ApiTags('certificates')
@Controller('certificates')
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Post()
  upload(@Body() dto: UploadCertificateDto, @Ctx() ctx: RequestContext): Promise<CertificateView> {
    return this.certificates.upload(dto, ctx);
  }

  @Get()
  async list(): Promise<{ items: CertificateView[] }> {
    return { items: await this.certificates.list() };
  }

  @Get(':id')
  get(@Param('id', uuid) id: string): Promise<CertificateView> {
    return this.certificates.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', uuid) id: string, @Ctx() ctx: RequestContext): Promise<void> {
    return this.certificates.remove(id, ctx);
  }
}
