import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CertificateBundle,
  CRM_AUTH_ERROR_CODES,
  CrmAuthError,
  CrmSession,
  type DiscoveryApi,
  type TicketStore,
  type WlidApi,
} from '@onbehalf/crm-auth';
import { CircuitState } from 'cockatiel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainException } from '../common/domain-exception';
import { toHttpError } from '../crm/crm-errors';
import { COUNTS_AS_CRM_OUTAGE, isCrmOutage, orgCircuitBreaker } from './org-breaker';

let dir: string;
let bundle: CertificateBundle;

beforeAll(() => {
  // A throwaway service-account certificate: the session needs one, the fakes never check it.
  dir = mkdtempSync(join(tmpdir(), 'org-breaker-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=breaker-test',
      '-addext',
      'extendedKeyUsage=clientAuth',
    ],
    { stdio: 'pipe' },
  );
  bundle = CertificateBundle.fromPem({
    certificatePem: readFileSync(join(dir, 'c.pem'), 'utf8'),
    privateKeyPem: readFileSync(join(dir, 'k.pem'), 'utf8'),
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Discovery and the STS as fakes that answer at once (or fail with `discoveryFailure`). */
function session(ticketStore: TicketStore, discoveryFailure?: CrmAuthError): CrmSession {
  const wlid: WlidApi = {
    requestTicket: async () => ({
      ticket: 't=passport',
      created: new Date(),
      expires: new Date(Date.now() + 3_600_000),
    }),
  };
  const discovery = {
    retrievePolicy: async () => {
      if (discoveryFailure) throw discoveryFailure;
      return { policy: 'MBI_SSL' };
    },
  } as unknown as DiscoveryApi;
  return new CrmSession({
    discoveryUrl: 'https://dev.crm.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
    organizationName: 'contoso',
    certificate: bundle,
    ticketStore,
    clients: { wlid, discovery },
  });
}

const deadStore: TicketStore = {
  get: () => Promise.reject(new Error('Connection terminated unexpectedly')),
  set: () => Promise.reject(new Error('Connection terminated unexpectedly')),
  delete: () => Promise.reject(new Error('Connection terminated unexpectedly')),
};

describe('the per-org circuit breaker', () => {
  it('decides for every crm-auth code whether it is a CRM outage', () => {
    expect(Object.keys(COUNTS_AS_CRM_OUTAGE).sort()).toEqual([...CRM_AUTH_ERROR_CODES].sort());
    expect(isCrmOutage(new CrmAuthError('ERR_CONNECTION_RESET', 'reset'))).toBe(true);
    expect(isCrmOutage(new CrmAuthError('ERR_TICKET_STORE', 'db down'))).toBe(false);
    expect(isCrmOutage(new CrmAuthError('ERR_CRM_FAULT', 'fault'))).toBe(false);
    expect(isCrmOutage(new Error('not from crm-auth'))).toBe(false);
  });

  it('stays closed while the ticket store (our Postgres) fails, however often; each call answers 503 TICKET_STORE_UNAVAILABLE', async () => {
    const breaker = orgCircuitBreaker();
    const s = session(deadStore);
    for (let i = 0; i < 12; i += 1) {
      const err = await breaker.execute(() => s.whoAmI()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_TICKET_STORE' });
      const reply = toHttpError(err) as DomainException;
      expect([reply.status, reply.code]).toEqual([503, 'TICKET_STORE_UNAVAILABLE']);
    }
    expect(breaker.state).toBe(CircuitState.Closed);
    await s.close();
  });

  it('opens after five consecutive transport failures of discovery (the contrast: a real outage)', async () => {
    const breaker = orgCircuitBreaker();
    const memory = new Map<string, never>();
    const store: TicketStore = {
      get: async (k) => memory.get(k),
      set: async () => undefined,
      delete: async () => undefined,
    };
    const s = session(store, new CrmAuthError('ERR_CONNECTION_REFUSED', 'refused'));
    for (let i = 0; i < 5; i += 1) await breaker.execute(() => s.whoAmI()).catch(() => undefined);
    expect(breaker.state).toBe(CircuitState.Open);
    await s.close();
  });
});
