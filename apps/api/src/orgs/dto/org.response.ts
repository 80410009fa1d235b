import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IdNameDto, type Same, type SameShape } from '../../common/api-responses';
import { BREAKER_STATE_VALUES, TicketSummaryDto } from '../../tickets/dto/ticket.response';
import type { OnboardingStep, StepName } from '../onboarding-run.entity';
import type { OrgKind, OrgStatus } from '../org.entity';
import type { OrgView, RunView } from '../orgs.service';

export const ORG_STATUS_VALUES = ['onboarding', 'active', 'failed'] as const;
export const ORG_KIND_VALUES = ['crm4', 'dataverse'] as const;
export const STEP_NAME_VALUES = [
  'policy',
  'wlid-ticket',
  'organizations',
  'crm-ticket',
  'whoami',
  'proxy-role',
  'test-write',
  'token',
  'delegate',
] as const;
export const STEP_STATUS_VALUES = ['pending', 'running', 'succeeded', 'failed', 'skipped'] as const;
export const RUN_STATUS_VALUES = ['running', 'succeeded', 'failed'] as const;

export class OnboardingStepErrorDto {
  @ApiProperty({ type: String })
  code: string;

  @ApiProperty({ type: String })
  message: string;

  @ApiProperty({ type: String, description: 'What to do about it.' })
  hint: string;
}

export class OnboardingStepDto {
  @ApiProperty({ enum: STEP_NAME_VALUES, enumName: 'OnboardingStepName' })
  name: StepName;

  @ApiProperty({ type: String })
  title: string;

  @ApiProperty({ enum: STEP_STATUS_VALUES, enumName: 'StepStatus' })
  status: OnboardingStep['status'];

  @ApiProperty({ type: Number, nullable: true })
  durationMs: number | null;

  @ApiProperty({ type: String, nullable: true })
  detail: string | null;

  @ApiPropertyOptional({ type: () => OnboardingStepErrorDto })
  error?: OnboardingStepErrorDto;
}

export class OnboardingRunDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({ enum: RUN_STATUS_VALUES, enumName: 'OnboardingRunStatus' })
  status: RunView['status'];

  @ApiProperty({ type: String, format: 'date-time' })
  startedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finishedAt: string | null;

  @ApiProperty({ type: () => OnboardingStepDto, isArray: true })
  steps: OnboardingStepDto[];
}

export class OrgDto {
  @ApiProperty({ type: String, format: 'uuid' })
  id: string;

  @ApiProperty({
    enum: ORG_KIND_VALUES,
    enumName: 'OrgKind',
    description: 'CRM 4.0 Online (`crm4`) or Dataverse (`dataverse`)',
  })
  kind: OrgKind;

  @ApiProperty({ type: String })
  friendlyName: string;

  @ApiProperty({ type: String, nullable: true })
  organizationName: string | null;

  @ApiProperty({ type: String, nullable: true })
  organizationId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'CRM 4.0 orgs only.' })
  discoveryUrl: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "Dataverse orgs only: the customer's Entra tenant.",
  })
  tenant: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Dataverse orgs only: the environment URL.' })
  environmentUrl: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "Dataverse orgs only: the ISV app's client id.",
  })
  clientId: string | null;

  @ApiProperty({ type: String, nullable: true })
  crmServiceUrl: string | null;

  @ApiProperty({ enum: ORG_STATUS_VALUES, enumName: 'OrgStatus' })
  status: OrgStatus;

  @ApiProperty({ type: String, format: 'uuid' })
  certificateId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  stagedCertificateId: string | null;

  @ApiProperty({ type: () => IdNameDto, nullable: true, description: "The service account's CRM user." })
  serviceAccount: IdNameDto | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ type: () => OnboardingRunDto, nullable: true })
  lastRun: OnboardingRunDto | null;

  @ApiProperty({ type: () => TicketSummaryDto, nullable: true })
  ticket: TicketSummaryDto | null;

  @ApiProperty({ enum: BREAKER_STATE_VALUES, enumName: 'BreakerState' })
  breaker: OrgView['breaker'];
}

export class OrgListDto {
  @ApiProperty({ type: () => OrgDto, isArray: true })
  items: OrgDto[];
}

/** POST /orgs and POST /orgs/:id/onboarding: the org and the run that was started. */
export class OrgWithRunDto {
  @ApiProperty({ type: () => OrgDto })
  org: OrgDto;

  @ApiProperty({ type: () => OnboardingRunDto })
  run: OnboardingRunDto;
}

export type OrgReplyChecks = [
  Same<SameShape<(typeof ORG_STATUS_VALUES)[number], OrgStatus>>,
  Same<SameShape<(typeof ORG_KIND_VALUES)[number], OrgKind>>,
  Same<SameShape<(typeof STEP_NAME_VALUES)[number], StepName>>,
  Same<SameShape<(typeof STEP_STATUS_VALUES)[number], OnboardingStep['status']>>,
  Same<SameShape<(typeof RUN_STATUS_VALUES)[number], RunView['status']>>,
  Same<SameShape<OnboardingStepDto, OnboardingStep>>,
  Same<SameShape<OnboardingRunDto, RunView>>,
  Same<SameShape<OrgDto, OrgView>>,
];
