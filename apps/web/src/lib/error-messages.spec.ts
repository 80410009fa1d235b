import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES } from '@/types/api-error-codes';
import { ApiError, CLIENT_ERROR_CODES } from './api-client';
import { API_ERROR_MESSAGES, errorCode, errorMessage } from './error-messages';

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

  it("shows the server's message for CERTIFICATE_IN_USE, which names the orgs", () => {
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

// node:fs by a computed name: the console is typed for the browser (no Node types), and only this
// spec, which Vitest runs in Node, reads files.
const NODE_FS = ['node', 'fs'].join(':');
const { readFileSync } = (await import(/* @vite-ignore */ NODE_FS)) as {
  readFileSync(path: URL, encoding: 'utf8'): string;
};

/** A text file of the repository, read (never imported: the console reaches the API only over HTTP). */
const repoFile = (path: string) => readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8');

/** The string literals of the API's exported error-code unions, read from its source. */
function apiUnionCodes(): string[] {
  const source = ['apps/api/src/common/domain-exception.ts', 'apps/api/src/crm/crm-errors.ts']
    .map(repoFile)
    .join('\n');
  const codes = new Set<string>();
  for (const union of source.matchAll(/export type \w+ =([^;]*);/g)) {
    for (const literal of (union[1] ?? '').matchAll(/'([A-Z][A-Z0-9_]*)'/g)) codes.add(literal[1]!);
  }
  return [...codes].sort();
}

describe('API_ERROR_MESSAGES', () => {
  it("has a decision for exactly the API's ApiErrorCode union (the console's copy is up to date)", () => {
    const union = apiUnionCodes();
    expect(union.length).toBeGreaterThan(50);
    expect([...API_ERROR_CODES].sort()).toEqual(union);
    expect(new Set(API_ERROR_CODES).size).toBe(API_ERROR_CODES.length);
    expect(Object.keys(API_ERROR_MESSAGES).sort()).toEqual(union);
  });

  it("gives plain words for every code of docs/api.md's table of errors from CRM", () => {
    const doc = repoFile('docs/api.md');
    const section = doc.slice(doc.indexOf('### Errors from CRM'), doc.indexOf('## API keys'));
    const tableCodes = [...section.matchAll(/^\| \d{3} +\| `([A-Z_]+)`/gm)].map((m) => m[1]!);
    expect(tableCodes).toContain('TICKET_STORE_UNAVAILABLE');
    for (const code of tableCodes.filter((c) => c !== 'INTERNAL_ERROR')) {
      expect(API_ERROR_MESSAGES[code as keyof typeof API_ERROR_MESSAGES], code).toBeTruthy();
    }
  });

  it('explains the codes of the protocol layer for an administrator, not with the library message', () => {
    const words = (code: string) => errorMessage(apiError(502, code, 'ERR_SOMETHING from crm-auth'));
    expect(words('TICKET_STORE_UNAVAILABLE')).toBe(
      "Onbehalf's own ticket store (its database) is unavailable; CRM is not at fault. Try again in a moment; if it persists, check the API's database.",
    );
    expect(words('ORG_CERTIFICATE_UNUSABLE')).toMatch(
      /^The org's stored certificate cannot be used .*rotate/,
    );
    expect(words('CRM_ORG_NOT_FOUND')).toMatch(/^The service account belongs to no CRM organization/);
    expect(words('CRM_ORG_AMBIGUOUS')).toBe(
      "Several CRM organizations share this org's friendly name: name the org by its unique name",
    );
    expect(words('RPS_TICKET_INVALID')).toBe(
      "The end user's Windows Live sign-in was refused: sign in again",
    );
    expect(words('CRM_TIMEOUT')).toBe('CRM Online did not answer in time. Try again in a moment.');
    expect(words('CRM_BAD_REPLY')).toMatch(/^CRM Online answered with something that is not a CRM reply/);
    expect(words('CRM_TICKET_REFUSED')).toMatch(/^CRM Online refused the org's tickets even after a refresh/);
    expect(words('WLID_REFUSED')).toMatch(/^Windows Live refused the org's certificate/);
    for (const code of ['CRM_ORG_NOT_FOUND', 'RPS_TICKET_INVALID', 'CRM_BAD_REPLY']) {
      expect(words(code)).not.toContain('ERR_');
    }
  });

  it("names CRM's fault code when the API gives one", () => {
    expect(errorMessage(apiError(502, 'CRM_FAULT', 'x', { faultCode: '0x80040216' }))).toBe(
      'CRM Online refused the call with fault 0x80040216',
    );
    expect(errorMessage(apiError(502, 'CRM_FAULT', 'x'))).toBe('CRM Online refused the call with a fault');
    expect(errorMessage(apiError(502, 'CRM_FAULT', 'x', { faultCode: 42 }))).toBe(
      'CRM Online refused the call with a fault',
    );
  });

  it("shows the server's message where it names what is concerned (null), and for codes of no map", () => {
    expect(API_ERROR_MESSAGES.VALIDATION_FAILED).toBeNull();
    expect(errorMessage(apiError(400, 'VALIDATION_FAILED', 'name must not be empty'))).toBe(
      'name must not be empty',
    );
    expect(errorMessage(apiError(500, 'INTERNAL_ERROR', 'Something went wrong on the server.'))).toBe(
      'Something went wrong on the server.',
    );
    expect(errorMessage(apiError(400, 'constructor', 'from the server'))).toBe('from the server');
    expect(errorMessage(apiError(400, 'toString', 'also from the server'))).toBe('also from the server');
  });

  it("keeps the console's own words for an API it cannot reach", () => {
    expect(errorMessage(apiError(0, CLIENT_ERROR_CODES.network))).toMatch(/^Cannot reach the Onbehalf API/);
    expect(errorMessage(apiError(200, CLIENT_ERROR_CODES.badResponse))).toMatch(/not as the Onbehalf API/);
  });
});

describe('errorCode', () => {
  it('gives the code of an ApiError only', () => {
    expect(errorCode(apiError(403, 'FORBIDDEN_ROLE'))).toBe('FORBIDDEN_ROLE');
    expect(errorCode(new Error('x'))).toBeNull();
  });
});
