// Shapes of the Onbehalf HTTP API, transcribed from docs/api.md (the contract).
// Shared by every feature, so they live outside the feature folders.

export type Role = 'admin' | 'auditor';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface Me {
  user: User;
  csrfToken: string;
  sessionExpiresAt?: string;
}

export interface LoginResponse {
  user: User;
  csrfToken: string;
}

export interface AdminUser extends User {
  createdAt: string;
  lastLoginAt: string | null;
}

export interface ListResponse<T> {
  items: T[];
}

// ---- Certificates ----
export type CertificateStatus = 'valid' | 'expiring' | 'invalid';
export type ProblemSeverity = 'error' | 'warning' | 'info' | (string & {});

export interface CertificateProblem {
  code: string;
  severity: ProblemSeverity;
  message: string;
}

export interface ChainEntry {
  subject: string;
  issuer: string;
  thumbprintSha1Hex: string;
  notBefore: string;
  notAfter: string;
  isRoot: boolean;
  isPinned: boolean;
}

export interface Certificate {
  id: string;
  name: string;
  serviceAccountLiveId: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  thumbprintSha1Hex: string;
  thumbprintSha1Base64: string;
  thumbprintSha256: string;
  notBefore: string;
  notAfter: string;
  status: CertificateStatus;
  problems: CertificateProblem[];
  chain: ChainEntry[];
  daysToExpiry: number;
  createdAt: string;
  orgs?: { id: string; friendlyName: string; role: 'active' | 'staged' }[];
}

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
export type TicketState = 'valid' | 'expiring' | 'expired' | 'missing' | 'failing';

export interface TicketSummary {
  state: TicketState;
  crmTicketExpiresAt: string | null;
  passportTicketExpiresAt: string | null;
  issuedAt: string | null;
  lastRefreshAt: string | null;
  lastRefreshLatencyMs: number | null;
  refreshCount: number;
  expiredFaults24h: number;
  failures24h: number;
}

export type TicketEventType = 'issued' | 'refreshed' | 'expired-fault' | 'failure';

export interface TicketEvent {
  id: string;
  type: TicketEventType;
  at: string;
  latencyMs: number | null;
  errorCode?: string | null;
}

export interface TicketSeriesBucket {
  bucketStart: string;
  issued: number;
  refreshed: number;
  expiredFaults: number;
  failures: number;
}

export interface TicketHealth {
  orgId: string;
  ticket: TicketSummary;
  events: TicketEvent[];
  series: TicketSeriesBucket[];
}

// ---- Orgs and onboarding ----
export const ONBOARDING_STEP_NAMES = [
  'policy',
  'wlid-ticket',
  'organizations',
  'crm-ticket',
  'whoami',
  'proxy-role',
  'test-write',
] as const;
export type OnboardingStepName = (typeof ONBOARDING_STEP_NAMES)[number];

export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface OnboardingStep {
  name: OnboardingStepName | (string & {});
  title: string;
  status: StepStatus;
  durationMs: number | null;
  detail: string | null;
  error?: { code: string; message: string; hint?: string | null } | null;
}

export interface OnboardingRun {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  steps: OnboardingStep[];
}

export type OrgStatus = 'onboarding' | 'active' | 'failed';
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface Org {
  id: string;
  friendlyName: string;
  organizationName: string | null;
  organizationId: string | null;
  discoveryUrl: string;
  crmServiceUrl: string | null;
  status: OrgStatus;
  certificateId: string | null;
  stagedCertificateId: string | null;
  serviceAccount: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
  lastRun: OnboardingRun | null;
  ticket: TicketSummary | null;
  breaker: BreakerState;
}

export interface OrgWithRun {
  org: Org;
  run: OnboardingRun;
}

// ---- User mappings ----
export interface UserMapping {
  puid: string;
  systemUserId: string | null;
  fullName: string | null;
  status: 'found' | 'not-found';
  verifiedAt: string | null;
  expiresAt: string | null;
  hits: number;
  misses: number;
}

export interface UserMappingList {
  items: UserMapping[];
  stats: { hits: number; misses: number; entries: number };
}

// ---- Ledger / audit ----
export interface Ref {
  id: string;
  name: string | null;
}

export type LedgerOutcome = 'pending' | 'completed' | 'failed';
export type Reconciliation = 'match' | 'mismatch' | 'missing' | 'unverified';

export interface CrmStamps {
  createdby: Ref | null;
  createdonbehalfby: Ref | null;
  modifiedby: Ref | null;
  modifiedonbehalfby: Ref | null;
}

export interface LedgerItem {
  id: string;
  at: string;
  completedAt: string | null;
  org: { id: string; friendlyName: string };
  operation: string;
  entity: string;
  recordId: string | null;
  outcome: LedgerOutcome;
  errorCode: string | null;
  latencyMs: number | null;
  requestId: string | null;
  serviceAccount: { id: string; name: string };
  onBehalfOf: { id: string; name: string | null; puid: string | null } | null;
  crm: CrmStamps | null;
  reconciliation: Reconciliation;
  /** Why reconciliation gave its verdict (e.g. "createdby is Rita Reed, expected …"); null for a plain match. */
  reconciliationNote: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// ---- End user (RPS) ----
export interface EndUser {
  puid: string;
  liveId: string;
  firstName: string | null;
  lastName: string | null;
  orgId: string;
  expiresAt: string;
}

/** A lookup stamp as CRM holds it. The contract leaves its exact shape open, so accept a name/id pair or a bare id. */
export type StampValue = Ref | string | null;

export interface EndUserCreateResponse {
  id: string;
  ledgerId: string;
  stamps: {
    createdby: StampValue;
    createdonbehalfby: StampValue;
    modifiedby: StampValue;
    modifiedonbehalfby: StampValue;
    ownerid: StampValue;
  };
}

// ---- Overview ----
export interface OverviewOrg {
  id: string;
  friendlyName: string;
  status: OrgStatus;
  ticket: TicketSummary | null;
  certificate: { id: string; notAfter: string; daysToExpiry: number; status: CertificateStatus } | null;
  failures24h: number;
  expiredFaults24h: number;
  attention: string[];
}

export interface Overview {
  orgs: OverviewOrg[];
  totals: { orgs: number; active: number; failing: number; certificatesExpiring: number };
}
