import type { CrmSessionOptions } from '@onbehalf/crm-auth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CertificatesService } from '../certificates/certificates.service';
import type { AppConfig } from '../config/app-config';
import type { OrgDirectory, OrgRecord } from '../orgs/org-directory';
import { TicketsService } from './tickets.service';

// The sessions and STS clients the service makes, with the options it gave them (no network, no real key).
const made = vi.hoisted(() => ({
  sessions: [] as { options: unknown }[],
  wlids: [] as { options: unknown }[],
}));
vi.mock('@onbehalf/crm-auth', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@onbehalf/crm-auth')>();
  class FakeSession {
    constructor(readonly options: unknown) {
      made.sessions.push(this);
    }
    close = async () => undefined;
  }
  class FakeWlid {
    constructor(readonly options: unknown) {
      made.wlids.push(this);
    }
    close = async () => undefined;
  }
  return { ...actual, CrmSession: FakeSession, WlidClient: FakeWlid };
});

const DISCOVERY = 'https://dev.crm.dynamics.com/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
const CERT_A = '0b7c2f5e-1111-4a4b-8c8d-000000000001';
const CERT_B = '0b7c2f5e-2222-4a4b-8c8d-000000000002';

const org = (id: string, certificateId: string, discoveryUrl = DISCOVERY): OrgRecord =>
  ({
    id,
    discoveryUrl,
    friendlyName: `Org ${id}`,
    organizationName: `org${id}`,
    certificateId,
    status: 'active',
  }) as OrgRecord;

function setup(orgs: OrgRecord[]) {
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const loadBundle = vi.fn(async (certificateId: string) => ({ bundleOf: certificateId }));
  const config = {
    trustedServerCaPems: [],
    stsUrl: 'https://login.live.com/RST2.srf',
    partnerDomain: 'crm.dynamics.com',
    ticketRefreshAheadSec: 300,
  } as unknown as AppConfig;
  const service = new TicketsService(
    {} as never,
    config,
    { find: async (id: string) => byId.get(id) ?? null } as unknown as OrgDirectory,
    {} as never,
    { loadBundle } as unknown as CertificatesService,
    { stop: async () => undefined } as never,
    {} as never,
    {} as never,
  );
  const optionsOf = (i: number) => made.sessions[i]!.options as CrmSessionOptions;
  return { service, loadBundle, optionsOf };
}

afterEach(() => {
  made.sessions.length = 0;
  made.wlids.length = 0;
});

describe('TicketsService: what the orgs’ sessions share', () => {
  it('loads a certificate once and gives every org it serves the same STS client, however many orgs', async () => {
    const orgs = Array.from({ length: 50 }, (_, i) => org(`a${i}`, CERT_A));
    const { service, loadBundle, optionsOf } = setup(orgs);
    await Promise.all(orgs.map((o) => service.entry(o.id)));
    expect(made.sessions).toHaveLength(50);
    expect(loadBundle).toHaveBeenCalledTimes(1);
    expect(made.wlids).toHaveLength(1);
    for (let i = 0; i < 50; i++) {
      expect(optionsOf(i).clients?.wlid).toBe(made.wlids[0]);
      expect(optionsOf(i).certificate).toEqual({ bundleOf: CERT_A });
    }
    await service.onApplicationShutdown();
  });

  it('gives orgs of another certificate their own STS client, presenting that certificate', async () => {
    const { service, loadBundle, optionsOf } = setup([org('a', CERT_A), org('b', CERT_B), org('c', CERT_A)]);
    for (const id of ['a', 'b', 'c']) await service.entry(id);
    expect(loadBundle.mock.calls.map((c) => c[0])).toEqual([CERT_A, CERT_B]);
    expect(made.wlids).toHaveLength(2);
    expect(made.wlids.map((w) => (w.options as { certificate: unknown }).certificate)).toEqual([
      { bundleOf: CERT_A },
      { bundleOf: CERT_B },
    ]);
    expect(optionsOf(0).clients?.wlid).toBe(optionsOf(2).clients?.wlid);
    expect(optionsOf(1).clients?.wlid).not.toBe(optionsOf(0).clients?.wlid);
    await service.onApplicationShutdown();
  });

  it('shares one discovery client per discovery URL and one CrmService client factory between orgs', async () => {
    const other = 'https://dev.crm4.dynamics.com/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
    const { service, optionsOf } = setup([org('a', CERT_A), org('b', CERT_A), org('c', CERT_A, other)]);
    for (const id of ['a', 'b', 'c']) await service.entry(id);
    const [a, b, c] = [0, 1, 2].map((i) => optionsOf(i).clients);
    expect(a?.discovery).toBeDefined();
    expect(b?.discovery).toBe(a?.discovery);
    expect(c?.discovery).toBeDefined();
    expect(c?.discovery).not.toBe(a?.discovery);
    expect(b?.crmService).toBe(a?.crmService);
    await service.onApplicationShutdown();
  });

  it('loads the certificate again after a failed load, rather than keeping the failure', async () => {
    const { service, loadBundle } = setup([org('a', CERT_A), org('b', CERT_A)]);
    loadBundle.mockRejectedValueOnce(new Error('database down'));
    await expect(service.entry('a')).rejects.toThrow('database down');
    await service.entry('b');
    expect(loadBundle).toHaveBeenCalledTimes(2);
    expect(made.sessions).toHaveLength(1);
    await service.onApplicationShutdown();
  });
});
