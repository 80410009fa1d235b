import { ApiError, CLIENT_ERROR_CODES } from './api-client';

// The single code → plain words map of the console. Codes not listed fall back to the server's
// `message` (which the API writes for people); never to a stack trace.

type MessageFor = string | ((error: ApiError) => string);

function retryAfter(error: ApiError): string {
  const seconds = Number(error.details?.retryAfterSec);
  return Number.isFinite(seconds) && seconds > 0
    ? `Too many attempts, try again in ${Math.ceil(seconds)} s`
    : 'Too many attempts, try again in a moment';
}

export const ERROR_MESSAGES: Record<string, MessageFor> = {
  AUTH_INVALID_CREDENTIALS: 'Wrong email or password',
  AUTH_RATE_LIMITED: retryAfter,
  AUTH_REQUIRED: 'Please sign in to continue',
  AUTH_SESSION_EXPIRED: 'Your session expired',
  CSRF_INVALID: 'Your page is out of date with your session. Reload the page and try again.',
  FORBIDDEN_ROLE: 'Your role is read only: an administrator must do this',
  ADMIN_USER_EXISTS: 'An administrator with this email already exists',
  CANNOT_DELETE_SELF: 'You cannot delete your own account',
  CERTIFICATE_INVALID: 'This certificate cannot be used: see every problem below',
  CERTIFICATE_UNREADABLE: 'The file could not be read as a PEM or PKCS#12 certificate',
  CERTIFICATE_BAD_PASSWORD: 'Wrong password for this PKCS#12 file',
  CRM_PRIVILEGE_DENIED:
    "The service account lacks the proxy role (with 'Act on Behalf of Another User') in this org",
  CRM_PRINCIPAL_PRIVILEGE_DENIED: 'The user acted for does not have the right to do this in CRM',
  CRM_USER_DISABLED: 'The CRM user is disabled',
  CRM_OBJECT_NOT_FOUND: 'The CRM record does not exist',
  CRM_ORG_DISABLED: 'The CRM organization is disabled',
  CRM_UNAVAILABLE: 'CRM Online could not be reached',
  ORG_CIRCUIT_OPEN: 'Calls to this org are paused after repeated failures; try again shortly',
  USER_NOT_MAPPED: 'This Windows Live user has no CRM user in this org',
  END_USER_REQUIRED: 'No end user is signed in with Windows Live',
  [CLIENT_ERROR_CODES.network]: 'Cannot reach the Onbehalf API. Check that it is running, then try again.',
  [CLIENT_ERROR_CODES.badResponse]:
    'The server answered, but not as the Onbehalf API. Check that the API is running.',
};

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
    const mapped = ERROR_MESSAGES[error.code];
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
