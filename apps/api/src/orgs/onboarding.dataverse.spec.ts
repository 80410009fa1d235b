import {
  CrmAuthError,
  type CertificateBundle,
  type DataverseSessionOptions,
  type DataverseUser,
  type EntraTokenClientOptions,
  type OrgCallOptions,
  type OrgRecord,
} from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { LedgerService } from '../crm/ledger.service';
import type { TicketStoreService } from '../tickets/ticket-store.service';
import type { OnboardingStep } from './onboarding-run.entity';
import { DATAVERSE_STEPS, OnboardingService, type OnboardingDeps } from './onboarding.service';
import { OrgEntity } from './org.entity';
import type { OrgsRepository } from './orgs.repository';

/**
 * OnboardingService.run for a Dataverse org with every collaborator faked: the identity platform's token client,
 * the environment's session (a small in-memory Web API that stamps what it creates), its user list, the run and
 * org repositories, the ticket store and the ledger. The emulator-backed run is dataverse-org.int-spec.
 */

const APP = '10000000-0000-0000-0000-00000000000a';
const APP_OID = '70000000-0000-0000-0000-00000000000a';
const JON = '10000000-0000-0000-0000-00000000000b';
const JON_OID = '70000000-0000-0000-0000-00000000000b';
const ENV = 'https://contoso.crm.dynamics.com';
const EXPIRES = new Date('2030-01-01T10:00:00Z');

const person = (
  id: string,
  name: string,
  oid: string | null,
  extra: Partial<DataverseUser> = {},
): DataverseUser => ({
  userId: id,
  fullName: name,
  entraObjectId: oid,
  applicationId: null,
  disabled: false,
  ...extra,
});

interface WorldOptions {
  users?: DataverseUser[];
  tokenFails?: Error;
  delegateFails?: Error;
  /** How the environment stamps a created record (default: createdby the user acted for, createdonbehalfby the app user). */
  stamps?: (actedFor: string | null) => Record<string, { id: string; type: string; name?: string }>;
}

function world(o: WorldOptions = {}) {
  let clock = 1_000;
  const sent: Array<{ op: string; args: unknown[] }> = [];
  const runSaves: Array<{ status: string; steps: OnboardingStep[] }> = [];
  const orgUpdates: Array<Record<string, unknown>> = [];
  const ticketSaves: Array<{ orgId: string; kind: string; crmTicket: string; crmExpiresAt: Date }> = [];
  const ticketRemovals: string[] = [];
  const ledger: Array<{ op: string; args: unknown }> = [];
  const closed: string[] = [];
  const made: { entra?: EntraTokenClientOptions; session?: DataverseSessionOptions; usersAsked?: unknown } =
    {};
  const records = new Map<string, Record<string, unknown>>();
  const oidToUser = new Map([
    [JON_OID, JON],
    [APP_OID, APP],
  ]);
  const users = o.users ?? [
    person(APP, 'ISV app', APP_OID, { applicationId: 'c0000000-0000-0000-0000-000000000001' }),
    person(JON, 'Jon Wilson', JON_OID),
  ];
  const actedFor = (opts?: OrgCallOptions) => {
    const b = opts?.onBehalfOf;
    if (!b) return null;
    if ('entraObjectId' in b) return oidToUser.get(b.entraObjectId) ?? null;
    return 'userId' in b ? b.userId : null;
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
    entra: (options) => {
      made.entra = options;
      return {
        async acquireToken(args: { scope: string }) {
          sent.push({ op: 'acquireToken', args: [args] });
          clock += 20;
          if (o.tokenFails) throw o.tokenFails;
          return { accessToken: 'token-1', tokenType: 'Bearer', issuedAt: new Date(), expiresAt: EXPIRES };
        },
        async close() {
          closed.push('entra');
        },
      };
    },
    dataverse: (options) => {
      made.session = options;
      return {
        platform: 'dataverse',
        async whoAmI() {
          clock += 5;
          return { userId: APP, businessUnitId: 'bu', organizationId: 'org-dv' };
        },
        async retrieveRecord(args: { entity: string; id: string; columns: string[] }, opts?: OrgCallOptions) {
          sent.push({ op: 'retrieveRecord', args: [args, opts] });
          clock += 4;
          if (args.entity === 'systemuser') {
            if (opts?.onBehalfOf && o.delegateFails) throw o.delegateFails;
            const u = users.find((x) => x.userId === args.id)!;
            return {
              entity: 'systemuser',
              id: u.userId,
              fields: {
                systemuserid: u.userId,
                fullname: u.fullName ?? '',
                azureactivedirectoryobjectid: u.entraObjectId ?? '',
              },
            };
          }
          return { entity: args.entity, id: args.id, fields: records.get(args.id) as OrgRecord['fields'] };
        },
        async createRecord(record: OrgRecord, opts?: OrgCallOptions) {
          sent.push({ op: 'createRecord', args: [record, opts] });
          clock += 30;
          const by = actedFor(opts);
          const id = `30000000-0000-0000-0000-00000000000${records.size + 1}`;
          records.set(id, {
            ...record.fields,
            ...(o.stamps
              ? o.stamps(by)
              : {
                  createdby: {
                    id: by ?? APP,
                    type: 'systemuser',
                    name: by === JON ? 'Jon Wilson' : 'ISV app',
                  },
                  createdonbehalfby: { id: APP, type: 'systemuser', name: 'ISV app' },
                }),
          });
          return { id };
        },
        async updateRecord() {},
        async deleteRecord() {},
        async refresh() {},
        async listUsers(args: { top: number; peopleOnly?: boolean }) {
          made.usersAsked = args;
          clock += 6;
          return users;
        },
        async close() {
          closed.push('session');
        },
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
    async save(orgId: string, t: { crmTicket: string; crmExpiresAt: Date }, kind: string) {
      ticketSaves.push({ orgId, kind, crmTicket: t.crmTicket, crmExpiresAt: t.crmExpiresAt });
      return 1;
    },
    async remove(orgId: string) {
      ticketRemovals.push(orgId);
    },
  } as unknown as TicketStoreService;
  const ledgerFake = {
    async begin(s: unknown) {
      ledger.push({ op: 'begin', args: s });
      return 'ledger-1';
    },
    async complete(_orgId: string, id: string, r: unknown) {
      ledger.push({ op: 'complete', args: { id, ...(r as object) } });
    },
    async fail(_orgId: string, id: string, r: unknown) {
      ledger.push({ op: 'fail', args: { id, ...(r as object) } });
    },
  } as unknown as LedgerService;
  const config = {
    trustedServerCaPems: ['CA'],
    stsUrl: 'https://sts.example/RST2.srf',
    entraAuthorityUrl: 'https://login.example',
  } as unknown as AppConfig;
  const service = new OnboardingService(repo, config, tickets, ledgerFake, deps);
  const org = Object.assign(new OrgEntity(), {
    id: 'org-dv',
    kind: 'dataverse',
    discoveryUrl: null,
    tenant: 'contoso.onmicrosoft.com',
    environmentUrl: `${ENV}/`,
    clientId: 'c0000000-0000-0000-0000-000000000001',
    friendlyName: 'Contoso DV',
    serviceAccountName: null,
  });
  const bundle = { thumbprintSha1Hex: 'ab cd' } as unknown as CertificateBundle;
  const run = (opts: { keepActive?: boolean } = {}) => service.run(org, 'run-1', bundle, 'unused', opts);
  return { run, sent, runSaves, orgUpdates, ticketSaves, ticketRemovals, ledger, closed, made, records };
}

const statuses = (steps: OnboardingStep[]) => steps.map((s) => `${s.name}:${s.status}`);

describe('OnboardingService.run: a Dataverse org', () => {
  it('runs token, whoami, delegate and test-write, and activates the org', async () => {
    const w = world();
    const result = await w.run();
    expect(DATAVERSE_STEPS.map((s) => s.name)).toEqual(['token', 'whoami', 'delegate', 'test-write']);
    expect(statuses(result.steps)).toEqual([
      'token:succeeded',
      'whoami:succeeded',
      'delegate:succeeded',
      'test-write:succeeded',
    ]);
    expect(result.status).toBe('succeeded');
    expect(w.orgUpdates.at(-1)).toMatchObject({ status: 'active' });
    expect(w.closed.sort()).toEqual(['entra', 'session']);
  });

  it("asks the org's tenant for a token for the environment as the app, and stores it as the org's ticket", async () => {
    const w = world();
    await w.run();
    expect(w.made.entra).toMatchObject({
      authorityUrl: 'https://login.example',
      tenant: 'contoso.onmicrosoft.com',
      clientId: 'c0000000-0000-0000-0000-000000000001',
      ca: ['CA'],
    });
    expect(w.sent[0]).toEqual({ op: 'acquireToken', args: [{ scope: `${ENV}/.default` }] });
    expect(w.ticketSaves).toEqual([
      { orgId: 'org-dv', kind: 'issued', crmTicket: 'token-1', crmExpiresAt: EXPIRES },
    ]);
    expect(w.made.session).toMatchObject({ environmentUrl: ENV, tenant: 'contoso.onmicrosoft.com' });
    expect(w.made.usersAsked).toEqual({ top: 50, peopleOnly: true });
  });

  it('stores the application user as the service account, with its Entra object id', async () => {
    const w = world();
    await w.run();
    expect(w.orgUpdates).toContainEqual({
      serviceAccountUserId: APP,
      serviceAccountName: 'ISV app',
      appUserEntraObjectId: APP_OID,
      organizationId: 'org-dv',
    });
  });

  it('acts for the first enabled person by Entra object id: not an application user, a disabled one, or one without an object id', async () => {
    const ann = '10000000-0000-0000-0000-00000000000c';
    const w = world({
      users: [
        person(APP, 'ISV app', APP_OID, { applicationId: 'c1' }),
        person('10000000-0000-0000-0000-0000000000d1', 'Other app', '70000000-0000-0000-0000-0000000000d1', {
          applicationId: 'c2',
        }),
        person(ann, 'Ann Off', '70000000-0000-0000-0000-00000000000c', { disabled: true }),
        person('10000000-0000-0000-0000-00000000000e', 'No Entra', null),
        person(JON, 'Jon Wilson', JON_OID),
      ],
    });
    const result = await w.run();
    const delegate = w.sent.find(
      (x) => x.op === 'retrieveRecord' && (x.args[1] as OrgCallOptions)?.onBehalfOf,
    )!;
    expect(delegate.args).toEqual([
      { entity: 'systemuser', id: JON, columns: ['systemuserid', 'fullname'] },
      { onBehalfOf: { entraObjectId: JON_OID } },
    ]);
    expect(result.steps[2]!.detail).toContain('Jon Wilson');
  });

  it('fails the delegate step with ONBOARDING_NO_USER when only application users remain, skipping the test write', async () => {
    const w = world({ users: [person(APP, 'ISV app', APP_OID, { applicationId: 'c1' })] });
    const result = await w.run();
    expect(statuses(result.steps)).toEqual([
      'token:succeeded',
      'whoami:succeeded',
      'delegate:failed',
      'test-write:skipped',
    ]);
    expect(result.steps[2]!.error?.code).toBe('ONBOARDING_NO_USER');
    expect(w.ticketRemovals).toEqual(['org-dv']);
    expect(w.orgUpdates.at(-1)).toMatchObject({ status: 'failed' });
  });

  it('0x8004A110 at the delegate step names the Delegate role as the fix', async () => {
    const w = world({
      delegateFails: new CrmAuthError('ERR_CRM_PRIVILEGE_DENIED', 'no prvActOnBehalfOfAnotherUser', {
        faultCode: '0x8004A110',
      }),
    });
    const result = await w.run();
    expect(result.steps[2]!.error).toMatchObject({ code: 'CRM_PRIVILEGE_DENIED' });
    expect(result.steps[2]!.error!.hint).toContain('Delegate security role directly');
    expect(result.steps[2]!.error!.hint).toContain('ISV app');
  });

  it('a refused token fails the first step, skips the rest, and keeps an active org on a re-check', async () => {
    const w = world({
      tokenFails: new CrmAuthError('ERR_ENTRA_APP_NOT_FOUND', 'AADSTS700016', { faultCode: 'AADSTS700016' }),
    });
    const result = await w.run({ keepActive: true });
    expect(statuses(result.steps)).toEqual([
      'token:failed',
      'whoami:skipped',
      'delegate:skipped',
      'test-write:skipped',
    ]);
    expect(result.steps[0]!.error!.hint).toContain(
      'https://login.example/contoso.onmicrosoft.com/adminconsent?client_id=c0000000-0000-0000-0000-000000000001',
    );
    expect(w.ticketRemovals).toEqual([]);
    expect(w.orgUpdates.at(-1)).toMatchObject({ status: 'active' });
  });

  it('writes the test record on behalf of the user with its ledger row, and checks both stamps', async () => {
    const w = world();
    const result = await w.run();
    const create = w.sent.find((x) => x.op === 'createRecord')!;
    expect(create.args[1]).toEqual({ onBehalfOf: { entraObjectId: JON_OID } });
    expect(w.ledger[0]).toMatchObject({
      op: 'begin',
      args: {
        orgId: 'org-dv',
        operation: 'Create',
        entity: 'account',
        serviceAccountId: APP,
        serviceAccountName: 'ISV app',
        onBehalfOfId: JON,
        onBehalfOfName: 'Jon Wilson',
        caller: 'onboarding',
      },
    });
    expect(w.ledger[1]).toMatchObject({
      op: 'complete',
      args: { recordId: '30000000-0000-0000-0000-000000000001' },
    });
    expect(result.steps[3]!.detail).toMatch(/createdby Jon Wilson, createdonbehalfby ISV app$/);
  });

  it.each([
    [
      'createdonbehalfby is not the application user',
      { createdby: JON, createdonbehalfby: JON },
      /createdonbehalfby/,
    ],
    ['createdby is not the user acted for', { createdby: APP, createdonbehalfby: APP }, /as createdby/],
  ])('fails the test write with ONBOARDING_NOT_STAMPED when %s', async (_what, ids, message) => {
    const w = world({
      stamps: () => ({
        createdby: { id: ids.createdby, type: 'systemuser' },
        createdonbehalfby: { id: ids.createdonbehalfby, type: 'systemuser' },
      }),
    });
    const result = await w.run();
    expect(result.steps[3]!.status).toBe('failed');
    expect(result.steps[3]!.error!.code).toBe('ONBOARDING_NOT_STAMPED');
    expect(result.steps[3]!.error!.message).toMatch(message);
  });
});
