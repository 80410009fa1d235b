import type { CrmApiErrorCode } from '../crm/crm-errors';

/*
 * The API's error codes, closed per context: a code that is not listed here does not compile. Clients
 * (the console's error-messages.ts) branch on them; docs/api.md documents them.
 */
/** Request shapes refused before any work (the body parser, pipes, validation). */
export type CommonErrorCode = 'INVALID_ENCODING' | 'INVALID_ID' | 'MALFORMED_JSON' | 'VALIDATION_FAILED';
export type AuthErrorCode =
  | 'API_KEY_EXPIRED'
  | 'API_KEY_SCOPE'
  | 'AUTH_INVALID_API_KEY'
  | 'AUTH_INVALID_CREDENTIALS'
  | 'AUTH_RATE_LIMITED'
  | 'AUTH_REQUIRED'
  | 'AUTH_SESSION_EXPIRED'
  | 'CSRF_INVALID'
  | 'FORBIDDEN_ROLE';
export type AdminUsersErrorCode =
  'ADMIN_USER_EXISTS' | 'ADMIN_USER_NOT_FOUND' | 'CANNOT_DELETE_SELF' | 'LAST_ADMIN';
export type ApiKeysErrorCode =
  | 'API_KEY_EXPIRY_PAST'
  | 'API_KEY_NOT_FOUND'
  | 'API_KEY_ORGS_REQUIRED'
  | 'API_KEY_ORGS_WITHOUT_CALLS'
  | 'API_KEY_UNKNOWN_ORG';
export type AuditErrorCode = 'INVALID_CURSOR' | 'INVALID_DATE' | 'INVALID_RANGE';
/** Keyed Create and Update (`Idempotency-Key`): a bad key, a key reused for another request, one still running. */
export type IdempotencyErrorCode =
  'IDEMPOTENCY_IN_PROGRESS' | 'IDEMPOTENCY_KEY_INVALID' | 'IDEMPOTENCY_KEY_REUSED';
export type CertificatesErrorCode =
  | 'CERTIFICATE_BAD_PASSWORD'
  | 'CERTIFICATE_EXISTS'
  | 'CERTIFICATE_INVALID'
  | 'CERTIFICATE_IN_USE'
  | 'CERTIFICATE_NOT_FOUND'
  | 'CERTIFICATE_NO_KEY'
  | 'CERTIFICATE_UNREADABLE'
  | 'SECRET_UNREADABLE';
export type OrgsErrorCode =
  | 'CERTIFICATE_ALREADY_ACTIVE'
  | 'NO_STAGED_CERTIFICATE'
  | 'ONBOARDING_RUNNING'
  | 'ORG_EXISTS'
  | 'ORG_NOT_ACTIVE'
  | 'ORG_NOT_FOUND'
  | 'ORG_NOT_ONBOARDED'
  | 'RUN_NOT_FOUND';
/** Impersonated calls (records, whoami): the request's own checks; CRM's answers are CrmApiErrorCode. */
export type RecordsErrorCode =
  | 'INVALID_ATTRIBUTE'
  | 'INVALID_COLUMNS'
  | 'INVALID_ENTITY'
  | 'INVALID_ON_BEHALF_OF'
  | 'INVALID_QUERY'
  | 'TOO_MANY_ATTRIBUTES';
export type RpsErrorCode = 'END_USER_REQUIRED' | 'RPS_NOT_CONFIGURED';
export type TicketsErrorCode =
  'CERTIFICATE_VERIFICATION_FAILED' | 'ORG_CIRCUIT_OPEN' | 'ORG_PLATFORM' | 'TICKET_REFRESH_FAILED';
export type UserMappingsErrorCode = 'INVALID_PUID' | 'USER_MAPPING_NOT_FOUND' | 'USER_NOT_MAPPED';

/** Every code a DomainException may carry. */
export type ApiErrorCode =
  | CommonErrorCode
  | AuthErrorCode
  | AdminUsersErrorCode
  | ApiKeysErrorCode
  | AuditErrorCode
  | CertificatesErrorCode
  | IdempotencyErrorCode
  | OrgsErrorCode
  | RecordsErrorCode
  | RpsErrorCode
  | TicketsErrorCode
  | UserMappingsErrorCode
  | CrmApiErrorCode;

/**
 * A failure the API reports to its caller. `code` is the contract (clients branch on it);
 * `message` is for people. One exhaustive filter turns these into `{ code, message, details }`.
 */
export class DomainException extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainException';
  }
}

export const badRequest = (code: ApiErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainException(400, code, message, details);
export const notFound = (code: ApiErrorCode, message: string) => new DomainException(404, code, message);
export const conflict = (code: ApiErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainException(409, code, message, details);
export const unprocessable = (code: ApiErrorCode, message: string, details?: Record<string, unknown>) =>
  new DomainException(422, code, message, details);
