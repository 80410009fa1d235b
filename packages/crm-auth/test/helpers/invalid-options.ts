/**
 * What a caller's misuse throws everywhere in crm-auth (src/option-checks.ts): a CrmAuthError with code
 * ERR_INVALID_OPTIONS, never a TypeError. `invalidOptions(message)` is that exact error (toThrow and
 * toEqual compare its class, code and message); `INVALID_OPTIONS` matches any such error.
 */
import { expect } from 'vitest';
import { CrmAuthError } from '../../src/errors';

export function invalidOptions(message: string): CrmAuthError {
  return new CrmAuthError('ERR_INVALID_OPTIONS', message);
}

export const INVALID_OPTIONS = expect.objectContaining({ name: 'CrmAuthError', code: 'ERR_INVALID_OPTIONS' });
