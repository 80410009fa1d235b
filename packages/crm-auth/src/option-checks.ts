/**
 * Checks of what a caller passes in: constructor options and function arguments. The package reports
 * such misuse one way only: a {@link CrmAuthError} with code `ERR_INVALID_OPTIONS`, whose message names
 * the option and what was expected, and never its value (it may be a ticket, a key or a password).
 * Never a TypeError: a caller maps crm-auth's failures by `code` alone (the API's error map is
 * exhaustive over `CrmAuthErrorCode`), and misuse is one of them.
 *
 * Every class checks its options once, in its constructor, with these helpers; a check that only one
 * class needs throws {@link invalidOptions} itself. The message builders (`src/messages/`) check their
 * arguments with `src/messages/arguments.ts`, which throws the same code.
 */
import { CrmAuthError } from './errors';

/** The error for a caller's misuse: `message` names the option and what was expected. */
export function invalidOptions(message: string, cause?: unknown): CrmAuthError {
  // An undefined cause is left out by CrmAuthError itself (no `cause` property then).
  return new CrmAuthError('ERR_INVALID_OPTIONS', message, { cause });
}

/** An options object (not null, not a primitive); `what` names it, e.g. `CrmSession options`. */
export function requireObject(value: unknown, what: string): void {
  if (value === null || typeof value !== 'object') throw invalidOptions(`${what} must be an object`);
}

/** A string (possibly empty). `expected` completes "NAME must be …". */
export function requireString(value: unknown, name: string, expected = 'a string'): string {
  if (typeof value !== 'string') throw invalidOptions(`${name} must be ${expected}`);
  return value;
}

/** Absent, or a string. */
export function optionalString(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : requireString(value, name);
}

/** A string of at least one character. */
export function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidOptions(`${name} must be a non-empty string`);
  return value;
}

/** A string with at least one character that is not white space (a name that must name something). */
export function nonBlankString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw invalidOptions(`${name} must be a non-empty string`);
  return value;
}

/** An absolute URL, parsed; the caller then checks its protocol. */
export function absoluteUrl(value: unknown, name: string): URL {
  const text = requireString(value, name);
  try {
    return new URL(text);
  } catch {
    throw invalidOptions(`${name} must be an absolute URL`);
  }
}

/** An absolute https URL, normalised (`new URL(value).toString()`). */
export function httpsUrl(value: unknown, name: string): string {
  const url = absoluteUrl(value, name);
  // Tickets and the client certificate's proof go to these URLs: plain HTTP would expose them.
  if (url.protocol !== 'https:') throw invalidOptions(`${name} must be an https URL`);
  return url.toString();
}

/** Absent, or a function. */
export function optionalFunction<F>(value: F | undefined, name: string): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalidOptions(`${name} must be a function`);
  return value;
}

/**
 * `fallback` when absent, else a finite number above 0. `Number.isFinite` does not coerce: it is false
 * for anything that is not a number (a string '5' included), so it alone refuses those.
 */
export function positiveNumber(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw invalidOptions(`${name} must be a positive number`);
  return value;
}

/** `fallback` when absent, else a finite number of 0 or more (`Number.isFinite` refuses non-numbers). */
export function nonNegativeNumber(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw invalidOptions(`${name} must be a number >= 0`);
  return value;
}

/** Absent, or an array of PEM texts (e.g. the trusted CAs, `ca`). */
export function optionalPemList(
  value: ReadonlyArray<string> | undefined,
  name: string,
): ReadonlyArray<string> | undefined {
  if (value !== undefined && (!Array.isArray(value) || value.some((pem) => typeof pem !== 'string')))
    throw invalidOptions(`${name} must be an array of PEM strings`);
  return value;
}
