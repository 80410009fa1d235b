import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, IsUrl, MaxLength, MinLength } from 'class-validator';
import { IsDisplayName } from '../../common/display-name';

export class CreateOrgDto {
  @ApiProperty({ example: 'https://localhost:8443/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx' })
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'discoveryUrl must be an https URL' },
  )
  @MaxLength(500)
  discoveryUrl: string;

  @ApiProperty({
    example: 'Contoso Ltd',
    description:
      "The org's FriendlyName as the customer knows it, or its unique name (OrganizationName) when several orgs share it (step organizations fails with ORG_AMBIGUOUS)",
  })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @IsDisplayName()
  friendlyName: string;

  @ApiProperty()
  @IsUUID('all', { message: 'certificateId must be a UUID' })
  certificateId: string;
}

export class StageCertificateDto {
  @ApiProperty()
  @IsUUID('all', { message: 'certificateId must be a UUID' })
  certificateId: string;
}
