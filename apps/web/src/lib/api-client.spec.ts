import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, buildQuery, setCsrfToken, setSessionLostHandler, toApiError } from './api-client';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('toApiError', () => {
  it('carries the server code, message and details of a contract error body', () => {
    const error = toApiError(429, 'Too Many Requests', {
      code: 'AUTH_RATE_LIMITED',
      message: 'Slow down',
      details: { retryAfterSec: 30 },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 429,
      code: 'AUTH_RATE_LIMITED',
      message: 'Slow down',
      details: { retryAfterSec: 30 },
    });
  });

  it('gives a synthetic HTTP_<status> code when the body is not a contract error (a proxy page, an empty 502)', () => {
    expect(toApiError(502, 'Bad Gateway', undefined)).toMatchObject({
      status: 502,
      code: 'HTTP_502',
      message: 'Bad Gateway (HTTP 502)',
    });
    expect(toApiError(500, '', '<html>')).toMatchObject({ code: 'HTTP_500', message: 'HTTP 500' });
  });

  it('ignores details that are not an object', () => {
    expect(toApiError(400, 'Bad', { code: 'X', message: 'm', details: 'nope' }).details).toBeUndefined();
  });
});

describe('buildQuery', () => {
  it('skips empty values and encodes the rest', () => {
    expect(buildQuery({ a: 'x y', b: '', c: null, d: undefined, e: 0, f: false, g: true })).toBe(
      '?a=x+y&e=0&g=true',
    );
    expect(buildQuery({})).toBe('');
  });
});

describe('apiRequest', () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    setCsrfToken(null);
    setSessionLostHandler(null);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('sends cookies (same-origin) and no CSRF token on a GET', async () => {
    setCsrfToken('tok');
    fetchMock.mockResolvedValue(jsonResponse(200, { items: [] }));
    await expect(api.get('/orgs', { query: { limit: 5 } })).resolves.toEqual({ items: [] });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/orgs?limit=5');
    expect(init?.credentials).toBe('same-origin');
    expect((init?.headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined();
  });

  it('adds the CSRF token kept from login to unsafe requests', async () => {
    setCsrfToken('tok-123');
    fetchMock.mockResolvedValue(jsonResponse(201, { id: '1' }));
    await api.post('/orgs', { friendlyName: 'Contoso Ltd' });
    const init = fetchMock.mock.calls[0]![1]!;
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('tok-123');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(init.body).toBe('{"friendlyName":"Contoso Ltd"}');
  });

  it('returns undefined for 204 No Content', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    await expect(api.delete('/certificates/1')).resolves.toBeUndefined();
  });

  it('throws an ApiError with the server code on failure', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(409, { code: 'CERTIFICATE_IN_USE', message: 'Used by Contoso Ltd' }),
    );
    await expect(api.delete('/certificates/1')).rejects.toMatchObject({
      status: 409,
      code: 'CERTIFICATE_IN_USE',
      message: 'Used by Contoso Ltd',
    });
  });

  it('reports a lost session (401 AUTH_SESSION_EXPIRED) to the handler', async () => {
    const handler = vi.fn();
    setSessionLostHandler(handler);
    fetchMock.mockResolvedValue(jsonResponse(401, { code: 'AUTH_SESSION_EXPIRED', message: 'expired' }));
    await expect(api.get('/overview')).rejects.toMatchObject({ code: 'AUTH_SESSION_EXPIRED' });
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ code: 'AUTH_SESSION_EXPIRED' }));
  });

  it('does not report other 401s (an end user not signed in) nor requests that opt out', async () => {
    const handler = vi.fn();
    setSessionLostHandler(handler);
    fetchMock.mockResolvedValueOnce(jsonResponse(401, { code: 'END_USER_REQUIRED', message: 'no' }));
    await expect(api.get('/rps/me')).rejects.toMatchObject({ code: 'END_USER_REQUIRED' });
    fetchMock.mockResolvedValueOnce(jsonResponse(401, { code: 'AUTH_REQUIRED', message: 'no' }));
    await expect(api.get('/auth/me', { reportSessionLoss: false })).rejects.toMatchObject({
      code: 'AUTH_REQUIRED',
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('turns a network failure into NETWORK_ERROR', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await expect(api.get('/overview')).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });

  it('lets aborts through untouched', async () => {
    fetchMock.mockRejectedValue(new DOMException('aborted', 'AbortError'));
    await expect(api.get('/overview')).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a 2xx that is not JSON (an SPA fallback page instead of the API)', async () => {
    fetchMock.mockResolvedValue(
      new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    );
    await expect(api.get('/overview')).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('sends FormData as is, without a JSON content type', async () => {
    fetchMock.mockResolvedValue(jsonResponse(201, {}));
    const form = new FormData();
    form.set('a', 'b');
    await api.post('/certificates', form);
    const init = fetchMock.mock.calls[0]![1]!;
    expect(init.body).toBe(form);
    expect((init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });
});
