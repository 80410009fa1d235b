import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsDisplayName } from '../../common/display-name';
import { ORG_KIND_VALUES } from './org.response';

const isDataverse = (o: CreateOrgDto) => o.kind === 'dataverse';

export class CreateOrgDto {
  @ApiPropertyOptional({
    enum: ORG_KIND_VALUES,
    enumName: 'OrgKind',
    default: 'crm4',
    description:
      'CRM 4.0 Online (`crm4`, the default: give `discoveryUrl`) or Dataverse (`dataverse`: give `tenant`, `environmentUrl` and `clientId`)',
  })
  @IsOptional()
  @IsIn(ORG_KIND_VALUES, { message: 'kind must be crm4 or dataverse' })
  kind?: (typeof ORG_KIND_VALUES)[number];

  @ApiPropertyOptional({
    example: 'https://localhost:8443/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
    description: 'CRM 4.0 orgs (required for them), never Dataverse ones',
  })
  @ValidateIf((o: CreateOrgDto) => !isDataverse(o) || o.discoveryUrl !== undefined)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'discoveryUrl must be an https URL' },
  )
  @MaxLength(500)
  discoveryUrl?: string;

  @ApiPropertyOptional({
    example: 'contoso.onmicrosoft.com',
    description: "Dataverse orgs: the customer's Entra tenant, its id (a GUID) or a verified domain",
  })
  @ValidateIf((o: CreateOrgDto) => isDataverse(o) || o.tenant !== undefined)
  @IsString({ message: 'tenant must be a tenant id (GUID) or domain, e.g. contoso.onmicrosoft.com' })
  @Matches(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)*[A-Za-z0-9-]{1,63}$/, {
    message: 'tenant must be a tenant id (GUID) or domain, e.g. contoso.onmicrosoft.com',
  })
  @MaxLength(253)
  tenant?: string;

  @ApiPropertyOptional({
    example: 'https://contoso.crm.dynamics.com',
    description: 'Dataverse orgs: the environment URL',
  })
  @ValidateIf((o: CreateOrgDto) => isDataverse(o) || o.environmentUrl !== undefined)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'environmentUrl must be an https URL, e.g. https://contoso.crm.dynamics.com' },
  )
  @MaxLength(500)
  environmentUrl?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "Dataverse orgs: the ISV app's application (client) id",
  })
  @ValidateIf((o: CreateOrgDto) => isDataverse(o) || o.clientId !== undefined)
  @IsUUID('all', { message: "clientId must be the app's application (client) id, a GUID" })
  clientId?: string;

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
