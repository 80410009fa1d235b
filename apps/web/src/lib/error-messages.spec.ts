import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client';
import { errorCode, errorMessage } from './error-messages';

const apiError = (status: number, code: string, message = '', details?: Record<string, unknown>) =>
  new ApiError({ status, code, message, details });

describe('errorMessage', () => {
  it('maps known codes to plain words', () => {
    expect(errorMessage(apiError(401, 'AUTH_INVALID_CREDENTIALS', 'invalid'))).toBe(
      'Wrong email or password',
    );
    expect(errorMessage(apiError(401, 'AUTH_SESSION_EXPIRED'))).toBe('Your session expired');
  });

  it('says how long to wait after a rate limit', () => {
    expect(errorMessage(apiError(429, 'AUTH_RATE_LIMITED', '', { retryAfterSec: 42 }))).toBe(
      'Too many attempts, try again in 42 s',
    );
    expect(errorMessage(apiError(429, 'AUTH_RATE_LIMITED', '', { retryAfterSec: 1.2 }))).toBe(
      'Too many attempts, try again in 2 s',
    );
    expect(errorMessage(apiError(429, 'AUTH_RATE_LIMITED'))).toBe('Too many attempts, try again in a moment');
  });

  it("falls back to the server's message for codes it does not know (e.g. CERTIFICATE_IN_USE)", () => {
    expect(errorMessage(apiError(409, 'CERTIFICATE_IN_USE', 'Used by Contoso Ltd (active)'))).toBe(
      'Used by Contoso Ltd (active)',
    );
  });

  it('uses words by status for synthetic codes', () => {
    expect(errorMessage(apiError(502, 'HTTP_502', 'Bad Gateway (HTTP 502)'))).toBe(
      'The Onbehalf API is not reachable right now. Try again in a moment.',
    );
    expect(errorMessage(apiError(500, 'HTTP_500', 'HTTP 500'))).toBe(
      'The server had a problem. Try again in a moment.',
    );
    expect(errorMessage(apiError(404, 'HTTP_404', 'Not Found (HTTP 404)'))).toBe('Not found');
  });

  it('never shows the text of an unexpected exception', () => {
    expect(errorMessage(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(
      'Something went wrong. Try again.',
    );
    expect(errorMessage('boom')).toBe('Something went wrong. Try again.');
  });

  it('asks for a reload when a lazy chunk is gone after a deploy', () => {
    expect(errorMessage(new TypeError('Failed to fetch dynamically imported module: /assets/x.js'))).toMatch(
      /Reload the page/,
    );
  });
});

describe('errorCode', () => {
  it('gives the code of an ApiError only', () => {
    expect(errorCode(apiError(403, 'FORBIDDEN_ROLE'))).toBe('FORBIDDEN_ROLE');
    expect(errorCode(new Error('x'))).toBeNull();
  });
});
