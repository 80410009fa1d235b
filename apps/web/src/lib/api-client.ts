// The one HTTP client of the console. It sends the session cookie, adds the CSRF token to unsafe
// requests, and turns every failure into an ApiError that carries the server's `code`
// (the contract: clients branch on `code`, never on `message`).

export type ApiErrorDetails = Record<string, unknown>;

/** Client-side codes, for failures that never reached a JSON error body. */
export const CLIENT_ERROR_CODES = {
  network: 'NETWORK_ERROR',
  badResponse: 'BAD_RESPONSE',
} as const;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorDetails | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: ApiErrorDetails;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Codes after which the admin session is gone and the user must sign in again. */
export const SESSION_LOST_CODES = new Set(['AUTH_SESSION_EXPIRED', 'AUTH_REQUIRED']);

let csrfToken: string | null = null;
let sessionLostHandler: ((error: ApiError) => void) | null = null;

/** Kept from `POST /auth/login` and `GET /auth/me`; sent on every unsafe request. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** The app installs one handler that sends the user back to sign-in, keeping the target path. */
export function setSessionLostHandler(handler: ((error: ApiError) => void) | null): void {
  sessionLostHandler = handler;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the ApiError for a non-2xx response. Exported for tests.
 * A body that follows the contract gives code/message/details; anything else (a proxy's HTML page,
 * an empty 502) gets a synthetic `HTTP_<status>` code so the UI still shows plain words.
 */
export function toApiError(status: number, statusText: string, body: unknown): ApiError {
  if (isRecord(body) && typeof body.code === 'string') {
    return new ApiError({
      status,
      code: body.code,
      message:
        typeof body.message === 'string' && body.message !== ''
          ? body.message
          : statusText || `HTTP ${status}`,
      details: isRecord(body.details) ? body.details : undefined,
    });
  }
  return new ApiError({
    status,
    code: `HTTP_${status}`,
    message: statusText ? `${statusText} (HTTP ${status})` : `HTTP ${status}`,
  });
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON-serialised unless it is FormData. */
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
  /** When false, a 401 does not trigger the session-lost handler (for the login form and the session probe). */
  reportSessionLoss?: boolean;
}

/** `?a=1&b=2`, skipping empty values; '' when nothing is left. */
export function buildQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function readBody(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (UNSAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(`/api${path}${buildQuery(options.query)}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (cause) {
    // Aborts are TanStack Query cancelling a request: let them through untouched.
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({
      status: 0,
      code: CLIENT_ERROR_CODES.network,
      message: 'The Onbehalf API could not be reached.',
      cause,
    });
  }

  if (!response.ok) {
    const error = toApiError(response.status, response.statusText, await readBody(response));
    if (error.status === 401 && SESSION_LOST_CODES.has(error.code) && options.reportSessionLoss !== false) {
      sessionLostHandler?.(error);
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const data = await readBody(response);
  if (data === undefined) {
    // A 2xx that is not JSON is not the API talking (an SPA fallback, a captive portal, …).
    throw new ApiError({
      status: response.status,
      code: CLIENT_ERROR_CODES.badResponse,
      message: 'The server sent a reply that is not from the Onbehalf API.',
    });
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'GET' }),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'POST', body }),
  patch: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'PATCH', body }),
  delete: <T = void>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'DELETE' }),
};

/** Same-origin URL of an API resource for plain links (CSV export, RPS sign-in). */
export function apiUrl(path: string, query?: RequestOptions['query']): string {
  return `/api${path}${buildQuery(query)}`;
}
