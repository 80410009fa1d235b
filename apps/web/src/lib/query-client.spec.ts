import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client';
import { createQueryClient, shouldRetry } from './query-client';

describe('query defaults', () => {
  it('does not retry a 4xx (the same answer would come back)', () => {
    expect(shouldRetry(0, new ApiError({ status: 404, code: 'HTTP_404', message: '' }))).toBe(false);
    expect(shouldRetry(0, new ApiError({ status: 401, code: 'AUTH_SESSION_EXPIRED', message: '' }))).toBe(
      false,
    );
  });

  it('retries server and network failures twice', () => {
    const error = new ApiError({ status: 503, code: 'CRM_UNAVAILABLE', message: '' });
    expect(shouldRetry(0, error)).toBe(true);
    expect(shouldRetry(1, error)).toBe(true);
    expect(shouldRetry(2, error)).toBe(false);
  });

  it('never retries mutations', () => {
    expect(createQueryClient().getDefaultOptions().mutations?.retry).toBe(false);
  });
});
