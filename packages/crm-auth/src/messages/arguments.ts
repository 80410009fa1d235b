/**
 * Checks of builder arguments. Bad arguments are the caller's mistake: ERR_INVALID_OPTIONS, with a
 * message naming the argument and never its value (it may be a ticket).
 */
import { CrmAuthError } from '../errors';
import { toGuid } from './values';

/** A non-empty string, or ERR_INVALID_OPTIONS. */
export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CrmAuthError('ERR_INVALID_OPTIONS', `${what} must be a non-empty string`);
  }
  return value;
}

/** A GUID (braces optional, any case) → lower case without braces, or ERR_INVALID_OPTIONS. */
export function requireGuid(value: unknown, what: string): string {
  const guid = typeof value === 'string' ? toGuid(value) : undefined;
  if (guid === undefined) throw new CrmAuthError('ERR_INVALID_OPTIONS', `${what} must be a GUID`);
  return guid;
}
