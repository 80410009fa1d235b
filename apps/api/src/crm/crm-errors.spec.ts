import { CRM_AUTH_ERROR_CODES, CrmAuthError } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import { CRM_ERROR_MAP, toHttpError } from './crm-errors';

const reply = (code: (typeof CRM_AUTH_ERROR_CODES)[number], fields = {}) =>
  toHttpError(new CrmAuthError(code, `message of ${code}`, fields)) as DomainException;

describe('crm-errors: every crm-auth code has a decided HTTP reply', () => {
  it('has an entry for every code of the closed list and none beyond it', () => {
    expect(Object.keys(CRM_ERROR_MAP).sort()).toEqual([...CRM_AUTH_ERROR_CODES].sort());
  });

  it('turns every code except a library misuse into a DomainException, none into the old catch-all CRM_ERROR', () => {
    for (const code of CRM_AUTH_ERROR_CODES) {
      if (code === 'ERR_INVALID_OPTIONS') continue;
      const e = reply(code);
      expect(e, code).toBeInstanceOf(DomainException);
      expect(e.code, code).not.toBe('CRM_ERROR');
      expect(e.details?.protocolCode, code).toBe(code);
    }
  });

  it.each([
    ['ERR_ORG_NOT_FOUND', 404, 'CRM_ORG_NOT_FOUND'],
    ['ERR_CERT_INVALID', 409, 'ORG_CERTIFICATE_UNUSABLE'],
    ['ERR_CERT_UNREADABLE', 409, 'ORG_CERTIFICATE_UNUSABLE'],
    ['ERR_TICKET_STORE', 503, 'TICKET_STORE_UNAVAILABLE'],
    ['ERR_RPS_TICKET_INVALID', 401, 'RPS_TICKET_INVALID'],
    ['ERR_CONNECTION_RESET', 502, 'CRM_UNAVAILABLE'],
    ['ERR_TIMEOUT', 504, 'CRM_TIMEOUT'],
    ['ERR_CRM_PRIVILEGE_DENIED', 403, 'CRM_PRIVILEGE_DENIED'],
    ['ERR_XML_FORBIDDEN', 502, 'CRM_BAD_REPLY'],
  ] as const)('maps %s to %i %s', (code, status, apiCode) => {
    const e = reply(code);
    expect([e.status, e.code, e.message]).toEqual([status, apiCode, `message of ${code}`]);
  });

  it('leaves a misuse of the library (ERR_INVALID_OPTIONS) to the filter as a logged 500', () => {
    const misuse = new CrmAuthError('ERR_INVALID_OPTIONS', 'the session is closed');
    expect(toHttpError(misuse)).toBe(misuse);
  });

  it('carries the fault code, Retry-After in seconds and whether CRM ran the call', () => {
    const e = reply('ERR_HTTP_STATUS', { faultCode: '0x1', retryAfterMs: 6_500, notExecuted: true });
    expect(e.details).toEqual({
      faultCode: '0x1',
      retryAfterSec: 7,
      protocolCode: 'ERR_HTTP_STATUS',
      executed: false,
    });
  });

  it('returns anything that is not a CrmAuthError unchanged', () => {
    const other = new Error('x');
    expect(toHttpError(other)).toBe(other);
  });
});
