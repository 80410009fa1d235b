import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsEmail, IsIn, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { IsDisplayName } from '../../common/display-name';

const MAX_PEM = 64 * 1024;

export class UploadCertificateDto {
  @ApiPropertyOptional({ description: 'A name for people; defaults to the certificate subject CN' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsDisplayName()
  name?: string;

  @ApiProperty({
    example: 'erp_integration@contoso-isv.example',
    description: "The service account's Live ID",
  })
  @IsEmail({}, { message: 'serviceAccountLiveId must be a Live ID (an email address)' })
  @MaxLength(320)
  serviceAccountLiveId: string;

  @ApiProperty({ enum: ['pem', 'pkcs12'] })
  @IsIn(['pem', 'pkcs12'])
  format: 'pem' | 'pkcs12';

  @ApiPropertyOptional({ description: 'format=pem: the certificate (may also hold the key and chain)' })
  @ValidateIf((o: UploadCertificateDto) => o.format === 'pem')
  @IsString()
  @MaxLength(MAX_PEM)
  certificatePem?: string;

  @ApiPropertyOptional({ description: 'format=pem: the private key, unless it is in certificatePem' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PEM)
  privateKeyPem?: string;

  @ApiPropertyOptional({ description: 'format=pem: intermediate and root certificates' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_PEM)
  chainPem?: string;

  @ApiPropertyOptional({ description: 'format=pkcs12: the .pfx/.p12 file, base64' })
  @ValidateIf((o: UploadCertificateDto) => o.format === 'pkcs12')
  @IsBase64()
  @MaxLength(MAX_PEM * 2)
  pkcs12Base64?: string;

  @ApiPropertyOptional({ description: 'format=pkcs12: its password (may be empty)' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;
}
