import type { CertificateBundle, DataverseUser, OrgCallOptions, OrgRecord } from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { LedgerService } from '../crm/ledger.service';
import type { TicketStoreService } from '../tickets/ticket-store.service';
import type { OnboardingStep } from './onboarding-run.entity';
import { OnboardingService, type OnboardingDeps } from './onboarding.service';
import { OrgEntity } from './org.entity';
import type { OrgsRepository } from './orgs.repository';

/**
 * A Dataverse org's delegate and test-write steps in detail, every collaborator faked: which user the run acts
 * for, how it checks the impersonated Retrieve came back with that user's own row, the words of the two
 * steps' failures, and the exact Web API requests of the test write (the create and its read-back).
 * onboarding.dataverse.spec covers the run as a whole.
 */

const APP = '10000000-0000-0000-0000-00000000000a';
const APP_OID = '70000000-0000-0000-0000-00000000000a';
const JON = '10000000-0000-0000-0000-00000000000b';
const JON_OID = '70000000-0000-0000-0000-00000000000b';
const RITA = '10000000-0000-0000-0000-00000000000c';
const RITA_OID = '70000000-0000-0000-0000-00000000000c';

const user = (id: string, name: string, oid: string, extra: Partial<DataverseUser> = {}): DataverseUser => ({
  userId: id,
  fullName: name,
  entraObjectId: oid,
  applicationId: null,
  disabled: false,
  ...extra,
});

const OID_TO_USER = new Map([
  [APP_OID, APP],
  [JON_OID, JON],
  [RITA_OID, RITA],
]);

interface Options {
  users?: DataverseUser[];
  /** The row the impersonated Retrieve of a systemuser answers (default: that user's own row). */
  ownRow?: (id: string) => { id: unknown; fields: Record<string, unknown> };
  /** How a created record is stamped (default: createdby the user acted for, createdonbehalfby the app user). */
  stamps?: (actedFor: string | null) => Record<string, { id: string; type: string; name?: string }>;
}

function world(o: Options = {}) {
  const sent: Array<{ op: string; args: unknown[] }> = [];
  const records = new Map<string, Record<string, unknown>>();
  const users = o.users ?? [
    user(APP, 'ISV app', APP_OID, { applicationId: 'c0000000-0000-0000-0000-000000000001' }),
    user(JON, 'Jon Wilson', JON_OID),
  ];
  const actedFor = (opts?: OrgCallOptions) => {
    const b = opts?.onBehalfOf;
    return b && 'entraObjectId' in b ? (OID_TO_USER.get(b.entraObjectId) ?? null) : null;
  };
  const deps = {
    now: () => 1_000,
    entra: () => ({
      async acquireToken() {
        return {
          accessToken: 't',
          tokenType: 'Bearer',
          issuedAt: new Date(0),
          expiresAt: new Date('2030-01-01T00:00:00Z'),
        };
      },
      async close() {},
    }),
    dataverse: () => ({
      platform: 'dataverse',
      async whoAmI() {
        return { userId: APP, businessUnitId: 'bu', organizationId: 'org-dv' };
      },
      async retrieveRecord(args: { entity: string; id: string; columns: string[] }, opts?: OrgCallOptions) {
        sent.push({ op: 'retrieveRecord', args: [args, opts] });
        if (args.entity === 'systemuser') {
          if (opts?.onBehalfOf && o.ownRow) return { entity: 'systemuser', ...o.ownRow(args.id) };
          const u = users.find((x) => x.userId === args.id)!;
          return {
            entity: 'systemuser',
            id: u.userId,
            fields: {
              systemuserid: u.userId,
              fullname: u.fullName,
              azureactivedirectoryobjectid: u.entraObjectId,
            },
          };
        }
        return { entity: args.entity, id: args.id, fields: records.get(args.id) ?? {} };
      },
      async createRecord(record: OrgRecord, opts?: OrgCallOptions) {
        sent.push({ op: 'createRecord', args: [record, opts] });
        const by = actedFor(opts);
        const id = `30000000-0000-0000-0000-00000000000${records.size + 1}`;
        records.set(id, {
          ...record.fields,
          ...(o.stamps
            ? o.stamps(by)
            : {
                createdby: { id: by ?? APP, type: 'systemuser' },
                createdonbehalfby: { id: APP, type: 'systemuser' },
              }),
        });
        return { id };
      },
      async listUsers() {
        return users;
      },
      async close() {},
    }),
  } as unknown as OnboardingDeps;

  const runSaves: Array<{ status: string; steps: OnboardingStep[] }> = [];
  const repo = {
    async updateRun(_id: string, _orgId: string, patch: { status: string; steps: OnboardingStep[] }) {
      runSaves.push({ ...patch, steps: structuredClone(patch.steps) });
    },
    async getRun(id: string) {
      const last = runSaves.at(-1)!;
      return { id, status: last.status, steps: last.steps };
    },
    async update() {},
  } as unknown as OrgsRepository;
  const tickets = {
    async save() {
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
    publicOrigin: 'https://console.example',
  } as unknown as AppConfig;
  const service = new OnboardingService(repo, config, tickets, ledger, deps);
  const org = Object.assign(new OrgEntity(), {
    id: 'org-dv',
    kind: 'dataverse',
    discoveryUrl: null,
    tenant: 'contoso.onmicrosoft.com',
    environmentUrl: 'https://contoso.crm.dynamics.com',
    clientId: 'c0000000-0000-0000-0000-000000000001',
    friendlyName: 'Contoso DV',
    serviceAccountName: null,
  });
  const bundle = { thumbprintSha1Hex: 'abcd' } as unknown as CertificateBundle;
  const run = () => service.run(org, 'run-1', bundle, 'unused');
  const step = async (name: string) => (await run()).steps.find((s) => s.name === name)!;
  const impersonated = () =>
    sent.filter((x) => x.op === 'retrieveRecord' && (x.args[1] as OrgCallOptions | undefined)?.onBehalfOf);
  return { run, step, sent, impersonated };
}

describe('OnboardingService, Dataverse delegate step: the user to act for', () => {
  it('never acts for the application user itself, even when the list shows it as an enabled person', async () => {
    const w = world({
      users: [user(APP, 'ISV app', APP_OID), user(JON, 'Jon Wilson', JON_OID)],
    });
    const delegate = await w.step('delegate');
    expect(delegate.status).toBe('succeeded');
    expect(w.impersonated().map((x) => x.args)).toEqual([
      [
        { entity: 'systemuser', id: JON, columns: ['systemuserid', 'fullname'] },
        { onBehalfOf: { entraObjectId: JON_OID } },
      ],
    ]);
  });

  it('with no one but application users, says so and names the org to add a user to', async () => {
    const w = world({ users: [user(APP, 'ISV app', APP_OID, { applicationId: 'c1' })] });
    const delegate = await w.step('delegate');
    expect(delegate.status).toBe('failed');
    expect(delegate.error).toEqual({
      code: 'ONBOARDING_NO_USER',
      message: 'The environment has no enabled user other than application users to act for.',
      hint: 'Add a user to Contoso DV, then retry.',
    });
  });
});

describe("OnboardingService, Dataverse delegate step: the impersonated Retrieve must return the user's own row", () => {
  it('reads the user from the systemuserid column, braces and case aside, whatever the record id says', async () => {
    const w = world({
      ownRow: () => ({ id: APP, fields: { systemuserid: `{${JON.toUpperCase()}}`, fullname: 'Jon Wilson' } }),
    });
    const delegate = await w.step('delegate');
    expect(delegate.status).toBe('succeeded');
    expect(delegate.detail).toBe(
      'Acting on behalf of Jon Wilson works (an impersonated Retrieve of their own user record succeeded)',
    );
  });

  it('without a systemuserid column, reads the user from the record id', async () => {
    const w = world({ ownRow: (id) => ({ id, fields: { fullname: 'Jon Wilson' } }) });
    const delegate = await w.step('delegate');
    expect(delegate.status).toBe('succeeded');
  });

  it("fails with ONBOARDING_NOT_STAMPED, naming the row's user, when another user's row comes back", async () => {
    const w = world({ ownRow: () => ({ id: APP, fields: { systemuserid: APP, fullname: 'ISV app' } }) });
    const result = await w.run();
    const delegate = result.steps.find((s) => s.name === 'delegate')!;
    expect(delegate.status).toBe('failed');
    expect(delegate.error).toEqual({
      code: 'ONBOARDING_NOT_STAMPED',
      message: `Acting for Jon Wilson returned another user's record (${APP}).`,
      hint: 'Impersonation is not taking effect: check that CallerObjectId is honoured for this environment.',
    });
    expect(result.steps.find((s) => s.name === 'test-write')!.status).toBe('skipped');
    expect(w.sent.some((x) => x.op === 'createRecord')).toBe(false);
  });

  it("fails with ONBOARDING_NOT_STAMPED and says 'none' when the row comes back with no user id at all", async () => {
    const w = world({ ownRow: () => ({ id: undefined, fields: { fullname: 'Jon Wilson' } }) });
    const delegate = await w.step('delegate');
    expect(delegate.error).toMatchObject({
      code: 'ONBOARDING_NOT_STAMPED',
      message: "Acting for Jon Wilson returned another user's record (none).",
    });
  });
});

describe('OnboardingService, Dataverse test-write step', () => {
  it('creates an account named as the onboarding check on behalf of the user, then reads back its two stamps', async () => {
    const w = world();
    const write = await w.step('test-write');
    expect(write.status).toBe('succeeded');
    const create = w.sent.find((x) => x.op === 'createRecord')!;
    expect(create.args).toEqual([
      { entity: 'account', fields: { name: expect.stringMatching(/^Onbehalf onboarding check \d{4}-/) } },
      { onBehalfOf: { entraObjectId: JON_OID } },
    ]);
    const readBack = w.sent.at(-1)!;
    expect(readBack).toEqual({
      op: 'retrieveRecord',
      args: [
        {
          entity: 'account',
          id: '30000000-0000-0000-0000-000000000001',
          columns: ['createdby', 'createdonbehalfby'],
        },
        undefined,
      ],
    });
  });

  it('names Dataverse and the application user when createdonbehalfby is not the application user', async () => {
    const w = world({
      stamps: () => ({
        createdby: { id: JON, type: 'systemuser' },
        createdonbehalfby: { id: JON, type: 'systemuser' },
      }),
    });
    const write = await w.step('test-write');
    expect(write.error).toEqual({
      code: 'ONBOARDING_NOT_STAMPED',
      message: 'Dataverse did not record the application user as createdonbehalfby on the test record.',
      hint: 'Impersonation is not taking effect: check that CallerObjectId is honoured for this environment.',
    });
  });

  it('names Dataverse when createdby is not the user acted for', async () => {
    const w = world({
      stamps: () => ({
        createdby: { id: APP, type: 'systemuser' },
        createdonbehalfby: { id: APP, type: 'systemuser' },
      }),
    });
    const write = await w.step('test-write');
    expect(write.error).toMatchObject({
      code: 'ONBOARDING_NOT_STAMPED',
      message: 'Dataverse did not record the user acted for as createdby.',
    });
  });
});
