/**
 * Every `code` the API's DomainException may carry: a copy of the API's `ApiErrorCode` union
 * (apps/api/src/common/domain-exception.ts, with `CrmApiErrorCode` from apps/api/src/crm/crm-errors.ts).
 * The console reaches the API only over HTTP, so it keeps its own copy; error-messages.spec.ts reads the
 * API's source as text and fails when the two differ. Codes written by the exception filter itself
 * (INTERNAL_ERROR, NOT_FOUND, PAYLOAD_TOO_LARGE, …) are not DomainException codes and are not listed.
 */
export const API_ERROR_CODES = [
  // Common
  'INVALID_ENCODING',
  'INVALID_ID',
  'MALFORMED_JSON',
  'VALIDATION_FAILED',
  // Auth
  'API_KEY_EXPIRED',
  'API_KEY_SCOPE',
  'AUTH_INVALID_API_KEY',
  'AUTH_INVALID_CREDENTIALS',
  'AUTH_RATE_LIMITED',
  'AUTH_REQUIRED',
  'AUTH_SESSION_EXPIRED',
  'CSRF_INVALID',
  'FORBIDDEN_ROLE',
  // Admin users
  'ADMIN_USER_EXISTS',
  'ADMIN_USER_NOT_FOUND',
  'CANNOT_DELETE_SELF',
  'LAST_ADMIN',
  // API keys
  'API_KEY_EXPIRY_PAST',
  'API_KEY_NOT_FOUND',
  'API_KEY_ORGS_REQUIRED',
  'API_KEY_ORGS_WITHOUT_CALLS',
  'API_KEY_UNKNOWN_ORG',
  // Audit
  'INVALID_CURSOR',
  'INVALID_DATE',
  'INVALID_RANGE',
  // Certificates
  'CERTIFICATE_BAD_PASSWORD',
  'CERTIFICATE_EXISTS',
  'CERTIFICATE_INVALID',
  'CERTIFICATE_IN_USE',
  'CERTIFICATE_NOT_FOUND',
  'CERTIFICATE_NO_KEY',
  'CERTIFICATE_UNREADABLE',
  'SECRET_UNREADABLE',
  // Idempotency keys (keyed Create and Update)
  'IDEMPOTENCY_IN_PROGRESS',
  'IDEMPOTENCY_KEY_INVALID',
  'IDEMPOTENCY_KEY_REUSED',
  // Orgs
  'CERTIFICATE_ALREADY_ACTIVE',
  'NO_STAGED_CERTIFICATE',
  'ONBOARDING_RUNNING',
  'ORG_EXISTS',
  'ORG_NOT_ACTIVE',
  'ORG_NOT_FOUND',
  'ORG_NOT_ONBOARDED',
  'ORG_PLATFORM',
  'RUN_NOT_FOUND',
  // Impersonated calls (records, whoami)
  'INVALID_ATTRIBUTE',
  'INVALID_COLUMNS',
  'INVALID_ENTITY',
  'INVALID_ON_BEHALF_OF',
  'INVALID_QUERY',
  'TOO_MANY_ATTRIBUTES',
  // End user (RPS)
  'END_USER_REQUIRED',
  'RPS_NOT_CONFIGURED',
  // Tickets
  'CERTIFICATE_VERIFICATION_FAILED',
  'ORG_CIRCUIT_OPEN',
  'TICKET_REFRESH_FAILED',
  // User mappings
  'INVALID_PUID',
  'USER_MAPPING_NOT_FOUND',
  'USER_NOT_MAPPED',
  // Errors from CRM (docs/api.md, "Errors from CRM")
  'CRM_PRIVILEGE_DENIED',
  'CRM_PRINCIPAL_PRIVILEGE_DENIED',
  'CRM_USER_DISABLED',
  'CRM_OBJECT_NOT_FOUND',
  'CRM_ORG_DISABLED',
  'CRM_ORG_NOT_FOUND',
  'CRM_ORG_AMBIGUOUS',
  'CRM_FAULT',
  'CRM_TICKET_REFUSED',
  'WLID_REFUSED',
  'ENTRA_REFUSED',
  'CRM_TIMEOUT',
  'CRM_UNAVAILABLE',
  'CRM_BAD_REPLY',
  'ORG_CERTIFICATE_UNUSABLE',
  'RPS_TICKET_INVALID',
  'TICKET_STORE_UNAVAILABLE',
  'IMPERSONATION_NO_OP',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
