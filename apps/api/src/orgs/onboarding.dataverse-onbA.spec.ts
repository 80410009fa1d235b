import {
  CrmAuthError,
  type CertificateBundle,
  type DataverseUser,
  type DataverseSessionOptions,
  type OrgCallOptions,
  type OrgRecord,
} from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { LedgerService } from '../crm/ledger.service';
import type { TicketStoreService } from '../tickets/ticket-store.service';
import type { OnboardingStep } from './onboarding-run.entity';
import { OnboardingService, type OnboardingDeps } from './onboarding.service';
import { OrgEntity } from './org.entity';
import type { OrgsRepository } from './orgs.repository';

/**
 * OnboardingService.run for a Dataverse org, every collaborator faked (as in onboarding.dataverse.spec): what its
 * first two steps record — the token's scope, its storage and timing, the steps' details, the columns WhoAmI's
 * follow-up read asks for, an application user without a full name or an Entra object id — and the hints of a
 * failed token or WhoAmI step (the consent page that leads back to the console, the application user's name).
 */

const APP = '10000000-0000-0000-0000-00000000000a';
const APP_OID = '70000000-0000-0000-0000-00000000000a';
const JON = '10000000-0000-0000-0000-00000000000b';
const JON_OID = '70000000-0000-0000-0000-00000000000b';
const ENV = 'https://contoso.crm.dynamics.com';
const CLIENT = 'c0000000-0000-0000-0000-000000000001';
const EXPIRES = new Date('2030-01-01T10:00:00Z');

interface WorldOptions {
  /** The org's environment URL as stored (default: ENV with one trailing slash). */
  environmentUrl?: string;
  /** The org's stored service account name (default: none yet, a new org). */
  serviceAccountName?: string | null;
  /** The application user's systemuser fields as WhoAmI's follow-up read returns them. */
  appFields?: Record<string, string>;
  tokenFails?: Error;
  whoAmIFails?: Error;
}

function world(o: WorldOptions = {}) {
  let clock = 1_000;
  const sent: Array<{ op: string; args: unknown[] }> = [];
  const runSaves: Array<{ status: string; steps: OnboardingStep[] }> = [];
  const orgUpdates: Array<Record<string, unknown>> = [];
  const ticketSaves: Array<{ orgId: string; crmTicket: string; kind: string; durationMs: number }> = [];
  const made: { session?: DataverseSessionOptions } = {};
  const records = new Map<string, Record<string, unknown>>();
  const users: DataverseUser[] = [
    { userId: APP, fullName: 'ISV app', entraObjectId: APP_OID, applicationId: CLIENT, disabled: false },
    { userId: JON, fullName: 'Jon Wilson', entraObjectId: JON_OID, applicationId: null, disabled: false },
  ];
  const appFields = o.appFields ?? {
    systemuserid: APP,
    fullname: 'ISV app',
    azureactivedirectoryobjectid: APP_OID,
  };

  const deps: OnboardingDeps = {
    now: () => clock,
    discovery: () => {
      throw new Error('not used for a Dataverse org');
    },
    wlid: () => {
      throw new Error('not used for a Dataverse org');
    },
    crm: () => {
      throw new Error('not used for a Dataverse org');
    },
    entra: () => ({
      async acquireToken(args: { scope: string }) {
        sent.push({ op: 'acquireToken', args: [args] });
        clock += 20;
        if (o.tokenFails) throw o.tokenFails;
        return { accessToken: 'token-1', tokenType: 'Bearer', issuedAt: new Date(), expiresAt: EXPIRES };
      },
      async close() {},
    }),
    dataverse: (options) => {
      made.session = options;
      return {
        platform: 'dataverse',
        async whoAmI() {
          clock += 5;
          if (o.whoAmIFails) throw o.whoAmIFails;
          return { userId: APP, businessUnitId: 'bu', organizationId: 'org-dv' };
        },
        async retrieveRecord(args: { entity: string; id: string; columns: string[] }, opts?: OrgCallOptions) {
          sent.push({ op: 'retrieveRecord', args: [args, opts] });
          clock += 4;
          if (args.entity === 'systemuser') {
            if (args.id === APP) return { entity: 'systemuser', id: APP, fields: appFields };
            return { entity: 'systemuser', id: JON, fields: { systemuserid: JON, fullname: 'Jon Wilson' } };
          }
          return { entity: args.entity, id: args.id, fields: records.get(args.id) as OrgRecord['fields'] };
        },
        async createRecord(record: OrgRecord) {
          clock += 30;
          const id = `30000000-0000-0000-0000-00000000000${records.size + 1}`;
          records.set(id, {
            ...record.fields,
            createdby: { id: JON, type: 'systemuser', name: 'Jon Wilson' },
            createdonbehalfby: { id: APP, type: 'systemuser', name: 'ISV app' },
          });
          return { id };
        },
        async updateRecord() {},
        async deleteRecord() {},
        async refresh() {},
        async listUsers() {
          clock += 6;
          return users;
        },
        async close() {},
      };
    },
  };

  const repo = {
    async updateRun(_id: string, _orgId: string, patch: { status: string; steps: OnboardingStep[] }) {
      runSaves.push({ ...patch, steps: structuredClone(patch.steps) });
    },
    async getRun(id: string) {
      const last = runSaves.at(-1)!;
      return { id, status: last.status, steps: last.steps };
    },
    async update(_id: string, patch: Record<string, unknown>) {
      orgUpdates.push(patch);
    },
  } as unknown as OrgsRepository;
  const tickets = {
    async load() {
      return null;
    },
    async save(orgId: string, t: { crmTicket: string }, kind: string, durationMs: number) {
      ticketSaves.push({ orgId, crmTicket: t.crmTicket, kind, durationMs });
      return 1;
    },
    async remove() {},
  } as unknown as TicketStoreService;
  const ledger = {
    async begin() {
      return 'ledger-1';
    },
    async complete() {},
    async fail() {},
  } as unknown as LedgerService;
  const config = {
    trustedServerCaPems: [],
    stsUrl: 'https://sts.example/RST2.srf',
    entraAuthorityUrl: 'https://login.example',
    publicOrigin: 'https://onbehalf.example',
  } as unknown as AppConfig;
  const service = new OnboardingService(repo, config, tickets, ledger, deps);
  const org = Object.assign(new OrgEntity(), {
    id: 'org-dv',
    kind: 'dataverse',
    discoveryUrl: null,
    tenant: 'contoso.onmicrosoft.com',
    environmentUrl: o.environmentUrl ?? `${ENV}/`,
    clientId: CLIENT,
    friendlyName: 'Contoso DV',
    serviceAccountName: o.serviceAccountName ?? null,
  });
  const bundle = { thumbprintSha1Hex: 'abcd' } as unknown as CertificateBundle;
  const run = () => service.run(org, 'run-1', bundle, 'unused', { keepActive: true });
  return { run, sent, orgUpdates, ticketSaves, made };
}

const statuses = (steps: OnboardingStep[]) => steps.map((s) => `${s.name}:${s.status}`);
const ALL_SUCCEEDED = ['token:succeeded', 'whoami:succeeded', 'delegate:succeeded', 'test-write:succeeded'];

describe('OnboardingService.run: a Dataverse org, its token step', () => {
  it.each([
    ['two trailing slashes', `${ENV}//`],
    ['three trailing slashes', `${ENV}///`],
  ])(
    'drops every trailing slash of an environment URL with %s before asking for the token',
    async (_what, url) => {
      const w = world({ environmentUrl: url });
      const result = await w.run();
      expect(w.sent[0]).toEqual({ op: 'acquireToken', args: [{ scope: `${ENV}/.default` }] });
      expect(w.made.session).toMatchObject({ environmentUrl: ENV });
      expect(statuses(result.steps)).toEqual(ALL_SUCCEEDED);
    },
  );

  it('stores the token with the time its request took (the fake identity platform takes 20 ms)', async () => {
    const w = world();
    await w.run();
    expect(w.ticketSaves).toEqual([
      { orgId: 'org-dv', crmTicket: 'token-1', kind: 'issued', durationMs: 20 },
    ]);
  });

  it('records the token step as the app, tenant and environment it is for, with its expiry', async () => {
    const w = world();
    const result = await w.run();
    expect(result.steps[0]).toMatchObject({
      name: 'token',
      status: 'succeeded',
      detail: `Access token of the app ${CLIENT} in contoso.onmicrosoft.com for ${ENV}, expires 2030-01-01T10:00:00.000Z`,
    });
  });

  it("a refused token's consent hint leads the administrator back to the console's consent page for this org", async () => {
    const w = world({
      tokenFails: new CrmAuthError('ERR_ENTRA_APP_NOT_FOUND', 'AADSTS700016', { faultCode: 'AADSTS700016' }),
    });
    const result = await w.run();
    expect(result.steps[0]!.error!.hint).toContain(
      `https://login.example/contoso.onmicrosoft.com/adminconsent?client_id=${CLIENT}` +
        '&redirect_uri=https%3A%2F%2Fonbehalf.example%2Forgs%2Fconsent&state=org-dv,',
    );
  });
});

describe('OnboardingService.run: a Dataverse org, its WhoAmI step', () => {
  it("reads the application user's full name and Entra object id", async () => {
    const w = world();
    await w.run();
    expect(w.sent[1]).toEqual({
      op: 'retrieveRecord',
      args: [
        { entity: 'systemuser', id: APP, columns: ['fullname', 'azureactivedirectoryobjectid'] },
        undefined,
      ],
    });
  });

  it('records the step as the application user signed in, by name and id', async () => {
    const w = world();
    const result = await w.run();
    expect(result.steps[1]!.detail).toBe(`Signed in as the application user ISV app (${APP})`);
  });

  it('names an application user without a full name by its id, and stores no Entra object id when it has none', async () => {
    const w = world({ appFields: { systemuserid: APP } });
    const result = await w.run();
    expect(statuses(result.steps)).toEqual(ALL_SUCCEEDED);
    expect(result.steps[1]!.detail).toBe(`Signed in as the application user ${APP} (${APP})`);
    expect(w.orgUpdates).toContainEqual({
      serviceAccountUserId: APP,
      serviceAccountName: APP,
      appUserEntraObjectId: null,
      organizationId: 'org-dv',
    });
  });

  it('stores the Entra object id in lower case', async () => {
    const w = world({
      appFields: {
        systemuserid: APP,
        fullname: 'ISV app',
        azureactivedirectoryobjectid: APP_OID.toUpperCase(),
      },
    });
    await w.run();
    expect(w.orgUpdates).toContainEqual(expect.objectContaining({ appUserEntraObjectId: APP_OID }));
  });

  it('a privilege refusal at WhoAmI on a new org names "the application user" in the hint', async () => {
    const w = world({
      whoAmIFails: new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no privilege', { faultCode: '0x80040220' }),
    });
    const result = await w.run();
    expect(result.steps[1]!.status).toBe('failed');
    expect(result.steps[1]!.error!.hint).toBe(
      'the application user lacks a privilege in Contoso DV: give it a security role that allows this.',
    );
  });

  it('a privilege refusal at WhoAmI on a re-checked org names its stored application user in the hint', async () => {
    const w = world({
      serviceAccountName: 'ISV app',
      whoAmIFails: new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no privilege', { faultCode: '0x80040220' }),
    });
    const result = await w.run();
    expect(result.steps[1]!.error!.hint).toBe(
      'ISV app lacks a privilege in Contoso DV: give it a security role that allows this.',
    );
  });
});
