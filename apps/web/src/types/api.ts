// Shapes of the Onbehalf HTTP API. The replies are generated from the API's OpenAPI document
// (api.generated.ts, written by `npm run openapi`; docs/api.md): these are the console's names for
// them. Shared by every feature, so they live outside the feature folders.
import type { components } from './api.generated';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type User = Schemas['UserDto'];
export type Me = Schemas['SessionDto'];
export type LoginResponse = Schemas['SessionDto'];
export type AdminUser = Schemas['AdminUserDto'];
export type AdminUserList = Schemas['AdminUserListDto'];

// ---- API keys ----
export type ApiKey = Schemas['ApiKeyDto'];
export type ApiKeyList = Schemas['ApiKeyListDto'];
export type ApiKeyScope = ApiKey['scopes'][number];
export type CreateApiKeyBody = Schemas['CreateApiKeyDto'];
export type CreatedApiKey = Schemas['CreatedApiKeyDto'];

// ---- Certificates ----
export type CertificateStatus = Schemas['CertificateStatus'];
export type CertificateProblem = Schemas['CertificateProblemDto'];
export type ProblemSeverity = CertificateProblem['severity'];
export type ChainEntry = Schemas['ChainLinkDto'];
export type Certificate = Schemas['CertificateDto'];
export type CertificateList = Schemas['CertificateListDto'];

/** The upload's body: the API's UploadCertificateDto, split by format (which fields each format needs). */
export type UploadCertificateBody =
  | {
      name?: string;
      serviceAccountLiveId: string;
      format: 'pem';
      certificatePem: string;
      privateKeyPem: string;
      chainPem?: string;
    }
  | {
      name?: string;
      serviceAccountLiveId: string;
      format: 'pkcs12';
      pkcs12Base64: string;
      password: string;
    };

// ---- Tickets ----
export type TicketState = Schemas['TicketState'];
export type TicketSummary = Schemas['TicketSummaryDto'];
export type TicketEventType = Schemas['TicketEventType'];
export type TicketEvent = Schemas['TicketEventDto'];
export type TicketSeriesBucket = Schemas['TicketSeriesBucketDto'];
export type TicketHealth = Schemas['TicketHealthDto'];

// ---- Orgs and onboarding ----
export type OnboardingStepName = Schemas['OnboardingStepName'];
/** The steps of a CRM 4.0 org's onboarding, in the order they run. */
export const CRM4_STEP_NAMES = [
  'policy',
  'wlid-ticket',
  'organizations',
  'crm-ticket',
  'whoami',
  'proxy-role',
  'test-write',
] as const satisfies readonly OnboardingStepName[];
/** The steps of a Dataverse org's onboarding, in the order they run. */
export const DATAVERSE_STEP_NAMES = [
  'token',
  'whoami',
  'delegate',
  'test-write',
] as const satisfies readonly OnboardingStepName[];
/** Every step name of the API's OnboardingStepName, each platform's steps in their order. */
export const ONBOARDING_STEP_NAMES = [...new Set([...CRM4_STEP_NAMES, ...DATAVERSE_STEP_NAMES])];
type Nothing<T extends never> = T;
/** Fails to compile when the API has a step that neither platform's list names. */
export type UnlistedOnboardingSteps = Nothing<
  Exclude<OnboardingStepName, (typeof CRM4_STEP_NAMES)[number] | (typeof DATAVERSE_STEP_NAMES)[number]>
>;

export type StepStatus = Schemas['StepStatus'];
export type OnboardingStep = Schemas['OnboardingStepDto'];
export type OnboardingRun = Schemas['OnboardingRunDto'];
export type OrgStatus = Schemas['OrgStatus'];
export type BreakerState = Schemas['BreakerState'];
export type Org = Schemas['OrgDto'];
export type OrgList = Schemas['OrgListDto'];
export type OrgWithRun = Schemas['OrgWithRunDto'];

// ---- User mappings ----
export type UserMapping = Schemas['UserMappingDto'];
export type UserMappingList = Schemas['UserMappingListDto'];

// ---- Ledger / audit ----
export type Ref = Schemas['RefDto'];
export type LedgerOutcome = Schemas['LedgerOutcome'];
export type Reconciliation = Schemas['Reconciliation'];
export type CrmStamps = Schemas['CrmStampsDto'];
export type LedgerItem = Schemas['LedgerItemDto'];
/** GET /audit: a page of the ledger. */
export type LedgerPage = Schemas['LedgerPageDto'];
/** GET /orgs/:id/calls. */
export type LedgerList = Schemas['LedgerListDto'];
export type ReconcileReport = Schemas['ReconcileReportDto'];

// ---- Admin audit (what administrators did in Onbehalf itself) ----
export type AdminAuditItem = Schemas['AdminAuditItemDto'];
export type AdminAuditOutcome = AdminAuditItem['outcome'];
export type AdminAuditPage = Schemas['AdminAuditPageDto'];

// ---- End user (RPS) ----
export type EndUser = Schemas['EndUserDto'];
/** A stamp CRM set on the record (null when the record has none). */
export type StampValue = Schemas['StampDto'] | null;
export type EndUserCreateResponse = Schemas['EndUserRecordDto'];

// ---- Overview ----
export type OverviewOrg = Schemas['OverviewOrgDto'];
export type Overview = Schemas['OverviewDto'];
