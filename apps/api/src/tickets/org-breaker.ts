import { type CrmAuthErrorCode, isCrmAuthError } from '@onbehalf/crm-auth';
import { ConsecutiveBreaker, type CircuitBreakerPolicy, circuitBreaker, handleWhen } from 'cockatiel';

/**
 * The per-org circuit breaker: which failures count as an outage of CRM Online. Exhaustive over
 * crm-auth's codes, so a new code does not compile until someone decides whether it is an outage.
 * Transport failures and 5xx-like replies count; CRM's own refusals (faults) are answers, not
 * outages; a local fault (this API's ticket store, a certificate, a misuse) is never CRM's.
 */
export const COUNTS_AS_CRM_OUTAGE = {
  ERR_TIMEOUT: true,
  ERR_CONNECTION_RESET: true,
  ERR_CONNECTION_REFUSED: true,
  ERR_DNS: true,
  ERR_TLS: true,
  ERR_HTTP_STATUS: true,
  ERR_HTML_INSTEAD_OF_SOAP: true,
  ERR_XML_MALFORMED: true,
  ERR_XML_FORBIDDEN: false,
  ERR_XML_TOO_LARGE: false,
  ERR_XML_TOO_DEEP: false,
  ERR_UNEXPECTED_MESSAGE: false,
  ERR_ABORTED: false,
  ERR_CRM_EXPIRED_TICKET: false,
  ERR_CRM_BAD_TICKET: false,
  ERR_CRM_ORG_DISABLED: false,
  ERR_CRM_OBJECT_NOT_FOUND: false,
  ERR_CRM_PRIVILEGE_DENIED: false,
  ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED: false,
  ERR_CRM_USER_DISABLED: false,
  ERR_CRM_FAULT: false,
  ERR_WLID_FAULT: false,
  ERR_ENTRA_APP_NOT_FOUND: false,
  ERR_ENTRA_CERT_NOT_ON_APP: false,
  ERR_ENTRA_TENANT_NOT_FOUND: false,
  ERR_ENTRA_NO_RESOURCE: false,
  ERR_ENTRA_ASSERTION_TIME: false,
  ERR_ENTRA_BAD_SIGNATURE: false,
  ERR_ENTRA_CERT_VALIDITY: false,
  ERR_ENTRA_FAULT: false,
  ERR_RETRIES_EXHAUSTED: false,
  ERR_IMPERSONATION_NO_OP: false,
  ERR_ORG_NOT_FOUND: false,
  ERR_ORG_AMBIGUOUS: false,
  ERR_CERT_UNREADABLE: false,
  ERR_CERT_BAD_PASSWORD: false,
  ERR_CERT_NO_KEY: false,
  ERR_CERT_INVALID: false,
  ERR_RPS_TICKET_INVALID: false,
  ERR_TICKET_STORE: false,
  ERR_INVALID_OPTIONS: false,
} as const satisfies Record<CrmAuthErrorCode, boolean>;

/** True when `err` is a failure that should count towards opening the org's breaker. */
export function isCrmOutage(err: unknown): boolean {
  return isCrmAuthError(err) && COUNTS_AS_CRM_OUTAGE[err.code];
}

/** Five consecutive outages open the org's circuit; a probe is let through after 10 s. */
export function orgCircuitBreaker(): CircuitBreakerPolicy {
  return circuitBreaker(handleWhen(isCrmOutage), {
    halfOpenAfter: 10_000,
    breaker: new ConsecutiveBreaker(5),
  });
}
