import { type CrmAuthErrorCode, isCrmAuthError } from '@onbehalf/crm-auth';
import { DomainException } from '../common/domain-exception';

/** The API codes a protocol failure can become (docs/api.md, "Errors from CRM"). */
export type CrmApiErrorCode =
  | 'CRM_PRIVILEGE_DENIED'
  | 'CRM_PRINCIPAL_PRIVILEGE_DENIED'
  | 'CRM_USER_DISABLED'
  | 'CRM_OBJECT_NOT_FOUND'
  | 'CRM_ORG_DISABLED'
  | 'CRM_ORG_NOT_FOUND'
  | 'CRM_ORG_AMBIGUOUS'
  | 'CRM_FAULT'
  | 'CRM_TICKET_REFUSED'
  | 'WLID_REFUSED'
  | 'ENTRA_REFUSED'
  | 'CRM_TIMEOUT'
  | 'CRM_UNAVAILABLE'
  | 'CRM_BAD_REPLY'
  | 'ORG_CERTIFICATE_UNUSABLE'
  | 'RPS_TICKET_INVALID'
  | 'TICKET_STORE_UNAVAILABLE'
  | 'IMPERSONATION_NO_OP';

/**
 * How each protocol failure reaches the API's caller: a status and a stable code. Exhaustive over
 * crm-auth's codes, so a new code does not compile until it is given a place here. `null` marks a
 * programming error of this API (it misused the library): left to the exception filter, which logs
 * it and answers 500 INTERNAL_ERROR.
 */
export const CRM_ERROR_MAP = {
  // CRM's answers about the request: the caller's problem or the org's configuration.
  ERR_CRM_PRIVILEGE_DENIED: [403, 'CRM_PRIVILEGE_DENIED'],
  ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED: [403, 'CRM_PRINCIPAL_PRIVILEGE_DENIED'],
  ERR_CRM_USER_DISABLED: [403, 'CRM_USER_DISABLED'],
  ERR_CRM_OBJECT_NOT_FOUND: [404, 'CRM_OBJECT_NOT_FOUND'],
  ERR_CRM_ORG_DISABLED: [503, 'CRM_ORG_DISABLED'],
  // The org's unique or friendly name names no organization of the service account: configuration.
  ERR_ORG_NOT_FOUND: [404, 'CRM_ORG_NOT_FOUND'],
  // Several orgs share the friendly name: configuration too (name the org by its unique name).
  ERR_ORG_AMBIGUOUS: [409, 'CRM_ORG_AMBIGUOUS'],
  ERR_CRM_FAULT: [502, 'CRM_FAULT'],
  // On behalf of the application user itself: Dataverse would run it unimpersonated, unflagged. Never sent.
  ERR_IMPERSONATION_NO_OP: [400, 'IMPERSONATION_NO_OP'],
  ERR_CRM_EXPIRED_TICKET: [502, 'CRM_TICKET_REFUSED'],
  ERR_CRM_BAD_TICKET: [502, 'CRM_TICKET_REFUSED'],
  ERR_RETRIES_EXHAUSTED: [502, 'CRM_TICKET_REFUSED'],
  ERR_WLID_FAULT: [502, 'WLID_REFUSED'],
  // The identity platform refused the app's token request: the app's registration or consent (configuration).
  ERR_ENTRA_APP_NOT_FOUND: [502, 'ENTRA_REFUSED'],
  ERR_ENTRA_CERT_NOT_ON_APP: [502, 'ENTRA_REFUSED'],
  ERR_ENTRA_TENANT_NOT_FOUND: [502, 'ENTRA_REFUSED'],
  ERR_ENTRA_NO_RESOURCE: [502, 'ENTRA_REFUSED'],
  ERR_ENTRA_ASSERTION_TIME: [502, 'ENTRA_REFUSED'],
  ERR_ENTRA_BAD_SIGNATURE: [502, 'ENTRA_REFUSED'],
  ERR_ENTRA_CERT_VALIDITY: [502, 'ENTRA_REFUSED'],
  ERR_ENTRA_FAULT: [502, 'ENTRA_REFUSED'],
  // The remote services could not be reached or did not answer.
  ERR_TIMEOUT: [504, 'CRM_TIMEOUT'],
  ERR_ABORTED: [504, 'CRM_TIMEOUT'],
  ERR_CONNECTION_RESET: [502, 'CRM_UNAVAILABLE'],
  ERR_CONNECTION_REFUSED: [502, 'CRM_UNAVAILABLE'],
  ERR_DNS: [502, 'CRM_UNAVAILABLE'],
  ERR_TLS: [502, 'CRM_UNAVAILABLE'],
  ERR_HTTP_STATUS: [502, 'CRM_UNAVAILABLE'],
  ERR_HTML_INSTEAD_OF_SOAP: [502, 'CRM_UNAVAILABLE'],
  // They answered with something that is not the expected SOAP.
  ERR_XML_MALFORMED: [502, 'CRM_BAD_REPLY'],
  ERR_XML_FORBIDDEN: [502, 'CRM_BAD_REPLY'],
  ERR_XML_TOO_LARGE: [502, 'CRM_BAD_REPLY'],
  ERR_XML_TOO_DEEP: [502, 'CRM_BAD_REPLY'],
  ERR_UNEXPECTED_MESSAGE: [502, 'CRM_BAD_REPLY'],
  // The org's stored certificate cannot be used: the ISV's side, fixed by an admin (as ORG_NOT_ONBOARDED).
  ERR_CERT_UNREADABLE: [409, 'ORG_CERTIFICATE_UNUSABLE'],
  ERR_CERT_BAD_PASSWORD: [409, 'ORG_CERTIFICATE_UNUSABLE'],
  ERR_CERT_NO_KEY: [409, 'ORG_CERTIFICATE_UNUSABLE'],
  ERR_CERT_INVALID: [409, 'ORG_CERTIFICATE_UNUSABLE'],
  // An end user's RPS ticket was refused.
  ERR_RPS_TICKET_INVALID: [401, 'RPS_TICKET_INVALID'],
  // This API's own ticket store (Postgres) failed: a local fault, retryable, never a CRM outage.
  ERR_TICKET_STORE: [503, 'TICKET_STORE_UNAVAILABLE'],
  // The API called the library wrongly: a bug here, not the caller's nor CRM's.
  ERR_INVALID_OPTIONS: null,
} as const satisfies Record<CrmAuthErrorCode, readonly [number, CrmApiErrorCode] | null>;

/** The error's code for the ledger (the protocol code, or the API code). */
export function ledgerCode(err: unknown): string {
  if (isCrmAuthError(err)) return err.faultCode ? `${err.code}:${err.faultCode}` : err.code;
  if (err instanceof DomainException) return err.code;
  return 'INTERNAL_ERROR';
}

/** A CrmAuthError as the API's DomainException; anything else (and a misuse of the library) unchanged. */
export function toHttpError(err: unknown): unknown {
  if (!isCrmAuthError(err)) return err;
  const mapped: readonly [number, CrmApiErrorCode] | null = CRM_ERROR_MAP[err.code];
  if (!mapped) return err;
  const [status, code] = mapped;
  return new DomainException(status, code, err.message, {
    ...(err.faultCode ? { faultCode: err.faultCode } : {}),
    ...(err.retryAfterMs ? { retryAfterSec: Math.ceil(err.retryAfterMs / 1000) } : {}),
    protocolCode: err.code,
    ...(err.notExecuted !== undefined ? { executed: !err.notExecuted } : {}),
  });
}
