import type { ApiErrorCode } from '@/types/api-error-codes';
import { ApiError, CLIENT_ERROR_CODES } from './api-client';

// The single code → plain words map of the console. Every code the API may send has a decision
// (the map is typed over ApiErrorCode, so a new code does not compile until it gets one): plain words
// for an administrator, or `null` where the server's `message` already says it best (it names the
// field, the org or the certificate concerned). Codes not listed (the exception filter's own, such as
// INTERNAL_ERROR) fall back to the server's `message` too; never to a stack trace.

type MessageFor = string | ((error: ApiError) => string);

function retryAfter(error: ApiError): string {
  const seconds = Number(error.details?.retryAfterSec);
  return Number.isFinite(seconds) && seconds > 0
    ? `Too many attempts, try again in ${Math.ceil(seconds)} s`
    : 'Too many attempts, try again in a moment';
}

function crmFault(error: ApiError): string {
  const faultCode = error.details?.faultCode;
  return typeof faultCode === 'string' && faultCode
    ? `CRM Online refused the call with fault ${faultCode}`
    : 'CRM Online refused the call with a fault';
}

/** `null`: the server's message is shown (it is written for people and names what is concerned). */
export const API_ERROR_MESSAGES: { readonly [C in ApiErrorCode]: MessageFor | null } = {
  INVALID_ENCODING: null,
  INVALID_ID: null,
  MALFORMED_JSON: null,
  VALIDATION_FAILED: null,
  API_KEY_EXPIRED: 'The API key has expired: create a new one',
  API_KEY_SCOPE: null,
  AUTH_INVALID_API_KEY: 'The API key is unknown or revoked',
  AUTH_INVALID_CREDENTIALS: 'Wrong email or password',
  AUTH_RATE_LIMITED: retryAfter,
  AUTH_REQUIRED: 'Please sign in to continue',
  AUTH_SESSION_EXPIRED: 'Your session expired',
  CSRF_INVALID: 'Your page is out of date with your session. Reload the page and try again.',
  FORBIDDEN_ROLE: 'Your role is read only: an administrator must do this',
  ADMIN_USER_EXISTS: 'An administrator with this email already exists',
  ADMIN_USER_NOT_FOUND: 'This administrator no longer exists',
  CANNOT_DELETE_SELF: 'You cannot delete your own account',
  LAST_ADMIN: 'This is the last administrator: make another user an admin first',
  API_KEY_EXPIRY_PAST: 'The expiry must be in the future',
  API_KEY_NOT_FOUND: 'This API key no longer exists',
  API_KEY_ORGS_REQUIRED: 'Choose at least one org for a key with the calls scope',
  API_KEY_ORGS_WITHOUT_CALLS: 'Orgs apply to keys with the calls scope only',
  API_KEY_UNKNOWN_ORG: 'One of the chosen orgs no longer exists: reload the page and choose again',
  INVALID_CURSOR: null,
  INVALID_DATE: null,
  INVALID_RANGE: 'The start of the period must be before its end',
  CERTIFICATE_BAD_PASSWORD: 'Wrong password for this PKCS#12 file',
  CERTIFICATE_EXISTS: null,
  CERTIFICATE_INVALID: 'This certificate cannot be used: see every problem below',
  CERTIFICATE_IN_USE: null,
  CERTIFICATE_NOT_FOUND: 'This certificate no longer exists',
  CERTIFICATE_NO_KEY: 'No private key was found: add the key (PEM) or upload a PKCS#12 file that holds it',
  CERTIFICATE_UNREADABLE: 'The file could not be read as a PEM or PKCS#12 certificate',
  SECRET_UNREADABLE: null,
  IDEMPOTENCY_IN_PROGRESS: 'The first request with this idempotency key is still running: retry in a moment',
  IDEMPOTENCY_KEY_INVALID: null,
  IDEMPOTENCY_KEY_REUSED: 'This idempotency key was used for another request: use a new key',
  CERTIFICATE_ALREADY_ACTIVE: 'This certificate is already the active one',
  NO_STAGED_CERTIFICATE: 'Stage and verify a certificate first',
  ONBOARDING_RUNNING: 'An onboarding run for this org is already in progress',
  ORG_EXISTS: null,
  ORG_NOT_ACTIVE: null,
  ORG_NOT_FOUND: 'This org no longer exists',
  ORG_NOT_ONBOARDED: 'Onboard this org first',
  ORG_PLATFORM: null,
  RUN_NOT_FOUND: 'This org has no onboarding run yet',
  INVALID_ATTRIBUTE: null,
  INVALID_COLUMNS: null,
  INVALID_ENTITY: null,
  INVALID_ON_BEHALF_OF: null,
  INVALID_QUERY: null,
  TOO_MANY_ATTRIBUTES: null,
  END_USER_REQUIRED: 'No end user is signed in with Windows Live',
  RPS_NOT_CONFIGURED: null,
  CERTIFICATE_VERIFICATION_FAILED: null,
  ORG_CIRCUIT_OPEN: 'Calls to this org are paused after repeated failures; try again shortly',
  TICKET_REFRESH_FAILED: null,
  INVALID_PUID: 'A PUID is 16 hexadecimal digits',
  USER_MAPPING_NOT_FOUND: null,
  USER_NOT_MAPPED: 'This Windows Live user has no CRM user in this org',
  CRM_PRIVILEGE_DENIED:
    "The service account lacks the proxy role (with 'Act on Behalf of Another User') in this org",
  CRM_PRINCIPAL_PRIVILEGE_DENIED: 'The user acted for does not have the right to do this in CRM',
  CRM_USER_DISABLED: 'The CRM user is disabled',
  CRM_OBJECT_NOT_FOUND: 'The CRM record does not exist',
  CRM_ORG_DISABLED: 'The CRM organization is disabled',
  CRM_ORG_NOT_FOUND:
    "The service account belongs to no CRM organization of this org's name: check the name, or add the service account to the organization in CRM Online",
  CRM_ORG_AMBIGUOUS:
    "Several CRM organizations share this org's friendly name: name the org by its unique name",
  CRM_FAULT: crmFault,
  CRM_TICKET_REFUSED:
    "CRM Online refused the org's tickets even after a refresh: run the org's check again; if it persists, the service account may have lost access to the org",
  WLID_REFUSED:
    "Windows Live refused the org's certificate: check that it is associated with the service account's Live ID and is not expired or revoked",
  ENTRA_REFUSED:
    "Microsoft Entra ID refused the app's token request: check the tenant, that the app is consented there, and that the certificate is registered on the app and valid",
  CRM_TIMEOUT: 'CRM Online did not answer in time. Try again in a moment.',
  CRM_UNAVAILABLE: 'CRM Online could not be reached',
  CRM_BAD_REPLY:
    'CRM Online answered with something that is not a CRM reply. Try again; if it persists, check any proxy between Onbehalf and CRM.',
  ORG_CERTIFICATE_UNUSABLE:
    "The org's stored certificate cannot be used (unreadable, without its key, or invalid): upload a new one and rotate the org to it",
  RPS_TICKET_INVALID: "The end user's Windows Live sign-in was refused: sign in again",
  IMPERSONATION_NO_OP:
    'This call would act on behalf of the application user itself: Dataverse would run it unimpersonated and leave "on behalf of" empty, so it was not sent. Act on behalf of a person.',
  TICKET_STORE_UNAVAILABLE:
    "Onbehalf's own ticket store (its database) is unavailable; CRM is not at fault. Try again in a moment; if it persists, check the API's database.",
};

/** Words for the console's own codes (the API could not be reached or did not answer as the API). */
const CLIENT_MESSAGES: Record<string, MessageFor> = {
  [CLIENT_ERROR_CODES.network]: 'Cannot reach the Onbehalf API. Check that it is running, then try again.',
  [CLIENT_ERROR_CODES.badResponse]:
    'The server answered, but not as the Onbehalf API. Check that the API is running.',
};

function messageFor(code: string): MessageFor | null | undefined {
  if (Object.hasOwn(API_ERROR_MESSAGES, code)) return API_ERROR_MESSAGES[code as ApiErrorCode];
  return Object.hasOwn(CLIENT_MESSAGES, code) ? CLIENT_MESSAGES[code] : undefined;
}

function byStatus(status: number): string | null {
  if (status === 404) return 'Not found';
  if (status === 403) return 'You are not allowed to do this';
  // A gateway answering for the API means the API process itself is down or restarting.
  if (status === 502 || status === 503 || status === 504)
    return 'The Onbehalf API is not reachable right now. Try again in a moment.';
  if (status >= 500) return 'The server had a problem. Try again in a moment.';
  return null;
}

/** Plain words for any error a query or mutation can throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const mapped = messageFor(error.code);
    if (typeof mapped === 'function') return mapped(error);
    if (typeof mapped === 'string') return mapped;
    if (!error.code.startsWith('HTTP_') && error.message) return error.message;
    return byStatus(error.status) ?? error.message;
  }
  if (
    error instanceof Error &&
    /dynamically imported module|Loading chunk|Importing a module script/i.test(error.message)
  ) {
    return 'A new version of the console is available. Reload the page.';
  }
  return 'Something went wrong. Try again.';
}

/** The code to show beside the words, for support (the server's code, or HTTP_<status> when there was none). */
export function errorCode(error: unknown): string | null {
  return error instanceof ApiError ? error.code : null;
}
