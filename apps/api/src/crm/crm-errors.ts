import { isCrmAuthError } from '@onbehalf/crm-auth';
import { DomainException } from '../common/domain-exception';

/** How each protocol failure reaches the API's caller: a status and a stable code. */
const MAP: Record<string, [number, string]> = {
  ERR_CRM_PRIVILEGE_DENIED: [403, 'CRM_PRIVILEGE_DENIED'],
  ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED: [403, 'CRM_PRINCIPAL_PRIVILEGE_DENIED'],
  ERR_CRM_USER_DISABLED: [403, 'CRM_USER_DISABLED'],
  ERR_CRM_OBJECT_NOT_FOUND: [404, 'CRM_OBJECT_NOT_FOUND'],
  ERR_CRM_ORG_DISABLED: [503, 'CRM_ORG_DISABLED'],
  ERR_CRM_FAULT: [502, 'CRM_FAULT'],
  ERR_CRM_EXPIRED_TICKET: [502, 'CRM_TICKET_REFUSED'],
  ERR_CRM_BAD_TICKET: [502, 'CRM_TICKET_REFUSED'],
  ERR_RETRIES_EXHAUSTED: [502, 'CRM_TICKET_REFUSED'],
  ERR_WLID_FAULT: [502, 'WLID_REFUSED'],
  ERR_TIMEOUT: [504, 'CRM_TIMEOUT'],
  ERR_CONNECTION_RESET: [502, 'CRM_UNAVAILABLE'],
  ERR_CONNECTION_REFUSED: [502, 'CRM_UNAVAILABLE'],
  ERR_DNS: [502, 'CRM_UNAVAILABLE'],
  ERR_TLS: [502, 'CRM_UNAVAILABLE'],
  ERR_HTTP_STATUS: [502, 'CRM_UNAVAILABLE'],
  ERR_HTML_INSTEAD_OF_SOAP: [502, 'CRM_UNAVAILABLE'],
  ERR_XML_MALFORMED: [502, 'CRM_BAD_REPLY'],
  ERR_XML_FORBIDDEN: [502, 'CRM_BAD_REPLY'],
  ERR_XML_TOO_LARGE: [502, 'CRM_BAD_REPLY'],
  ERR_XML_TOO_DEEP: [502, 'CRM_BAD_REPLY'],
  ERR_UNEXPECTED_MESSAGE: [502, 'CRM_BAD_REPLY'],
  ERR_ABORTED: [504, 'CRM_TIMEOUT'],
};

/** The error's code for the ledger (the protocol code, or the API code). */
export function ledgerCode(err: unknown): string {
  if (isCrmAuthError(err)) return err.faultCode ? `${err.code}:${err.faultCode}` : err.code;
  if (err instanceof DomainException) return err.code;
  return 'INTERNAL_ERROR';
}

export function toHttpError(err: unknown): unknown {
  if (!isCrmAuthError(err)) return err;
  const [status, code] = MAP[err.code] ?? [502, 'CRM_ERROR'];
  return new DomainException(status, code, err.message, {
    ...(err.faultCode ? { faultCode: err.faultCode } : {}),
    ...(err.retryAfterMs ? { retryAfterSec: Math.ceil(err.retryAfterMs / 1000) } : {}),
    protocolCode: err.code,
    ...(err.notExecuted !== undefined ? { executed: !err.notExecuted } : {}),
  });
}
