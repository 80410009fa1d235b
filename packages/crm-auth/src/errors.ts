/**
 * Every code a {@link CrmAuthError} can carry: a closed list, so that a caller mapping codes (the
 * API's HTTP map, its circuit breaker) can be checked for exhaustiveness by the compiler
 * (`satisfies Record<CrmAuthErrorCode, …>`). Adding a code here is a change of contract.
 */
export const CRM_AUTH_ERROR_CODES = [
  // CRM faults (detail/error/code of a SOAP fault from discovery or CrmService)
  'ERR_CRM_EXPIRED_TICKET', // 0x8004A101
  'ERR_CRM_BAD_TICKET', // 0x8004A102
  'ERR_CRM_ORG_DISABLED', // 0x8004A104
  'ERR_CRM_OBJECT_NOT_FOUND', // 0x80040217
  'ERR_CRM_PRIVILEGE_DENIED', // 0x80040220: the caller lacks a privilege (e.g. prvActOnBehalfOfAnotherUser)
  'ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED', // 0x80040231: the user acted for lacks the right
  'ERR_CRM_USER_DISABLED', // 0x80040225
  'ERR_CRM_FAULT', // any other CRM fault; see `faultCode`
  // Windows Live STS
  'ERR_WLID_FAULT', // a psf:error fault from the STS; see `faultCode`
  // Microsoft identity platform (Entra ID) token endpoint; `faultCode` is the AADSTS code as sent
  'ERR_ENTRA_APP_NOT_FOUND', // AADSTS700016: the app is not in the tenant, or not consented there
  'ERR_ENTRA_CERT_NOT_ON_APP', // AADSTS700027: the signing certificate is not registered on the app
  'ERR_ENTRA_TENANT_NOT_FOUND', // AADSTS90002
  'ERR_ENTRA_NO_RESOURCE', // AADSTS500011: the Dataverse environment (the resource) is not in the tenant
  'ERR_ENTRA_ASSERTION_TIME', // AADSTS700024: the client assertion is outside its time range
  'ERR_ENTRA_BAD_SIGNATURE', // AADSTS7000274: the client assertion's signature is invalid
  'ERR_ENTRA_CERT_VALIDITY', // AADSTS1000502: the certificate is outside its validity period
  'ERR_ENTRA_FAULT', // any other AADSTS error; see `faultCode`
  // Messages
  'ERR_XML_MALFORMED', // not well-formed XML, truncated, or not the expected SOAP shape
  'ERR_XML_FORBIDDEN', // DOCTYPE, entity declaration, or other construct refused for safety
  'ERR_XML_TOO_LARGE', // over the configured size cap
  'ERR_XML_TOO_DEEP', // nesting beyond the cap
  'ERR_HTML_INSTEAD_OF_SOAP', // an HTML page (login page, proxy error page) where SOAP was expected
  'ERR_UNEXPECTED_MESSAGE', // well-formed SOAP, but not the message that was expected
  // Transport
  'ERR_TIMEOUT',
  'ERR_CONNECTION_RESET',
  'ERR_CONNECTION_REFUSED',
  'ERR_DNS',
  'ERR_TLS', // handshake failure, untrusted server certificate, client certificate refused
  'ERR_HTTP_STATUS', // a non-SOAP HTTP error status (e.g. 502, 503, 429); see `httpStatus`
  'ERR_ABORTED', // the caller's AbortSignal fired
  // Certificates
  'ERR_CERT_UNREADABLE', // garbage PEM/DER, no certificate found
  'ERR_CERT_BAD_PASSWORD', // PKCS#12 password wrong
  'ERR_CERT_NO_KEY', // no private key supplied or found
  'ERR_CERT_INVALID', // the bundle loaded, but its report lists blocking problems; see `problems`
  // RPS
  'ERR_RPS_TICKET_INVALID',
  // Flow
  'ERR_ORG_NOT_FOUND', // no organization with that unique name or friendly name; see `organizations`
  'ERR_ORG_AMBIGUOUS', // several organizations share that friendly name; see `organizations`
  'ERR_RETRIES_EXHAUSTED', // refreshed and retried up to the bound, still failing
  'ERR_IMPERSONATION_NO_OP', // on behalf of the caller itself: Dataverse would run it unimpersonated; not sent
  // Local faults: this process, never the CRM's (not an outage of the remote service)
  'ERR_TICKET_STORE', // the session's ticket store or refresh lock failed (e.g. the database behind it)
  // Caller
  'ERR_INVALID_OPTIONS', // caller misuse: a bad option or argument, a closed session (never a TypeError)
] as const;

/**
 * Every failure that crm-auth reports is a {@link CrmAuthError} whose `code` is one of
 * {@link CrmAuthErrorCode}. Callers branch on `code` and the structured fields, never on
 * the message text, which is for people and may change.
 */
export type CrmAuthErrorCode = (typeof CRM_AUTH_ERROR_CODES)[number];

export interface CrmAuthErrorFields {
  /** The CRM, Live or identity-platform fault code as sent, e.g. `0x8004A101` or `AADSTS700016`. */
  faultCode?: string;
  /** The fault's description text as sent. */
  faultDescription?: string;
  /** The org's unique name, when the error concerns one org. */
  organizationName?: string;
  /** The HTTP status of the reply, when there was one. */
  httpStatus?: number;
  /** For ERR_HTTP_STATUS: the server's `Retry-After`, in milliseconds, when it sent one. */
  retryAfterMs?: number;
  /** The SOAP operation, e.g. `Create` or `RetrieveCrmTicket`. */
  operation?: string;
  /** The URL called. Never contains a ticket. */
  url?: string;
  /** For ERR_CERT_INVALID: every problem found. */
  problems?: ReadonlyArray<{ code: string; message: string }>;
  /** For ERR_ORG_NOT_FOUND and ERR_ORG_AMBIGUOUS: the candidates (all the orgs seen, or those sharing the name). */
  organizations?: ReadonlyArray<{ organizationName: string; friendlyName: string }>;
  /**
   * True when the failure proves the server did not execute the request (a fault
   * from CRM, a refused connection, a TLS failure). False or absent means it may have.
   */
  notExecuted?: boolean;
  cause?: unknown;
}

export class CrmAuthError extends Error {
  override readonly name = 'CrmAuthError';
  readonly code: CrmAuthErrorCode;
  readonly faultCode?: string;
  readonly faultDescription?: string;
  readonly organizationName?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  readonly operation?: string;
  readonly url?: string;
  readonly problems?: ReadonlyArray<{ code: string; message: string }>;
  readonly organizations?: ReadonlyArray<{ organizationName: string; friendlyName: string }>;
  readonly notExecuted?: boolean;

  constructor(code: CrmAuthErrorCode, message: string, fields: CrmAuthErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = code;
    const { cause: _cause, ...rest } = fields;
    Object.assign(this, rest);
  }
}

/** True when `err` is a CrmAuthError, optionally with one of the given codes. */
export function isCrmAuthError(err: unknown, ...codes: CrmAuthErrorCode[]): err is CrmAuthError {
  return err instanceof CrmAuthError && (codes.length === 0 || codes.includes(err.code));
}
