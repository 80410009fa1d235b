import type { DataverseSessionOptions } from '@onbehalf/crm-auth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CertificatesService } from '../certificates/certificates.service';
import { DomainException } from '../common/domain-exception';
import type { AppConfig } from '../config/app-config';
import type { OrgDirectory, OrgRecord } from '../orgs/org-directory';
import { TicketsService } from './tickets.service';

// The sessions the service makes, with their options (no network, no real key).
const made = vi.hoisted(() => ({ crm: [] as unknown[], dataverse: [] as { options: unknown }[] }));
vi.mock('@onbehalf/crm-auth', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@onbehalf/crm-auth')>();
  class FakeCrmSession {
    readonly platform = 'crm4';
    constructor(readonly options: unknown) {
      made.crm.push(this);
    }
    refresh = vi.fn(async () => undefined);
    close = async () => undefined;
  }
  class FakeDataverseSession {
    readonly platform = 'dataverse';
    constructor(readonly options: unknown) {
      made.dataverse.push(this);
    }
    refresh = vi.fn(async () => undefined);
    close = async () => undefined;
  }
  class FakeWlid {
    close = async () => undefined;
  }
  return {
    ...actual,
    CrmSession: FakeCrmSession,
    DataverseSession: FakeDataverseSession,
    WlidClient: FakeWlid,
  };
});

const CERT = '0b7c2f5e-1111-4a4b-8c8d-000000000001';
const APP_USER = '9a8b7c6d-0000-4000-8000-00000000000a';
const APP_OBJECT = '7d2e9f41-3a5c-4b6d-8e1f-2a3b4c5d6e7f';

const dataverseOrg = {
  id: 'dv',
  kind: 'dataverse',
  discoveryUrl: null,
  tenant: 'contoso.onmicrosoft.com',
  environmentUrl: 'https://contoso.crm.dynamics.com',
  clientId: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
  friendlyName: 'Contoso DV',
  organizationName: null,
  certificateId: CERT,
  status: 'active',
  serviceAccountUserId: APP_USER,
  appUserEntraObjectId: APP_OBJECT,
} as unknown as OrgRecord;

const crmOrg = {
  id: 'crm',
  kind: 'crm4',
  discoveryUrl: 'https://dev.crm.dynamics.com/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
  friendlyName: 'Contoso',
  organizationName: 'contoso',
  certificateId: CERT,
  status: 'active',
} as unknown as OrgRecord;

function setup(orgs: OrgRecord[]) {
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const locks: string[] = [];
  const db = {
    createQueryRunner: () => ({
      connect: async () => undefined,
      query: async (sql: string, params: string[]) => {
        if (sql.includes('pg_advisory_lock(')) locks.push(params[0]!);
      },
      release: async () => undefined,
    }),
  };
  const config = {
    trustedServerCaPems: ['CA PEM'],
    stsUrl: 'https://login.live.com/RST2.srf',
    entraAuthorityUrl: 'https://login.example',
    partnerDomain: 'crm.dynamics.com',
    ticketRefreshAheadSec: 300,
    crmConnections: 16,
  } as unknown as AppConfig;
  const service = new TicketsService(
    db as never,
    config,
    { find: async (id: string) => byId.get(id) ?? null } as unknown as OrgDirectory,
    {} as never,
    { loadBundle: async (id: string) => ({ bundleOf: id }) } as unknown as CertificatesService,
    { stop: async () => undefined } as never,
    {} as never,
    {} as never,
  );
  return { service, locks };
}

afterEach(() => {
  made.crm.length = 0;
  made.dataverse.length = 0;
});

describe('TicketsService: Dataverse orgs', () => {
  it('gives a Dataverse org a DataverseSession for its tenant, app and environment, with the app user onboarding found', async () => {
    const { service } = setup([dataverseOrg]);
    await service.entry('dv');
    expect(made.crm).toHaveLength(0);
    expect(made.dataverse).toHaveLength(1);
    const o = made.dataverse[0]!.options as DataverseSessionOptions;
    expect(o).toMatchObject({
      authorityUrl: 'https://login.example',
      tenant: 'contoso.onmicrosoft.com',
      clientId: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
      environmentUrl: 'https://contoso.crm.dynamics.com',
      certificate: { bundleOf: CERT },
      ca: ['CA PEM'],
      applicationUser: { userId: APP_USER, entraObjectId: APP_OBJECT },
      refreshAheadMs: 300_000,
    });
    expect(o.ticketStore).toBeDefined();
    await service.onApplicationShutdown();
  });

  it('refreshes a Dataverse token under the advisory lock named for the org and the token', async () => {
    const { service, locks } = setup([dataverseOrg]);
    await service.entry('dv');
    const o = made.dataverse[0]!.options as DataverseSessionOptions;
    expect(await o.refreshLock!('entra-token|contoso|app|env', async () => 'done')).toBe('done');
    expect(locks).toEqual(['onbehalf:ticket:dv:entra-token']);
    await service.onApplicationShutdown();
  });

  it('refuses run() for a Dataverse org with 409 ORG_PLATFORM, without calling the operation', async () => {
    const { service } = setup([dataverseOrg]);
    const fn = vi.fn();
    const err = await service.run('dv', fn).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainException);
    expect(err).toMatchObject({ status: 409, code: 'ORG_PLATFORM' });
    expect(fn).not.toHaveBeenCalled();
    await service.onApplicationShutdown();
  });

  it("runOrg hands each org its own platform's session", async () => {
    const { service } = setup([dataverseOrg, crmOrg]);
    expect(await service.runOrg('dv', async (s) => s)).toBe(made.dataverse[0]);
    expect(await service.runOrg('crm', async (s) => s)).toBe(made.crm[0]);
    expect(await service.run('crm', async (s) => s)).toBe(made.crm[0]);
    await service.onApplicationShutdown();
  });

  it('refreshNow gets a Dataverse org a new token', async () => {
    const { service } = setup([dataverseOrg]);
    await service.refreshNow('dv');
    expect(
      (made.dataverse[0] as unknown as { refresh: ReturnType<typeof vi.fn> }).refresh,
    ).toHaveBeenCalledOnce();
    await service.onApplicationShutdown();
  });

  it('a Dataverse org without its application user (not onboarded) is 409 ORG_NOT_ONBOARDED', async () => {
    const { service } = setup([{ ...dataverseOrg, serviceAccountUserId: null } as OrgRecord]);
    await expect(service.entry('dv')).rejects.toMatchObject({ status: 409, code: 'ORG_NOT_ONBOARDED' });
  });
});
