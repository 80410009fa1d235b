import type {
  AttributeValue,
  CertificateBundle,
  CrmAuthenticationToken,
  CrmServiceClientOptions,
  Entity,
  Lookup,
  OrganizationDetail,
  QueryExpression,
} from '@onbehalf/crm-auth';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { LedgerService } from '../crm/ledger.service';
import type { TicketStoreService } from '../tickets/ticket-store.service';
import type { OnboardingStep } from './onboarding-run.entity';
import { idOf, OnboardingService, STEPS, type OnboardingDeps } from './onboarding.service';
import { OrgEntity } from './org.entity';
import type { OrgsRepository } from './orgs.repository';

/**
 * OnboardingService.run with every collaborator faked: the discovery service, Windows Live and
 * CrmService (a small in-memory CRM that honours column sets, the criteria and CallerId), the run
 * and org repositories (which record every update), the ticket store, the ledger, and a clock
 * that only the fakes move. The emulator-backed run is onboarding.mutation.int-spec.
 */

const SVC = '10000000-0000-0000-0000-000000000001';
const ANN = '10000000-0000-0000-0000-000000000002';
const BOB = '10000000-0000-0000-0000-000000000003';
const LIST_URL = 'https://contoso.crm.example/MSCrmServices/2007/CrmService.asmx';
const TICKET_URL = 'https://contoso.crm4.example/MSCrmServices/2007/CrmService.asmx';

type Row = Record<string, AttributeValue>;
type Stamps = { createdby?: Lookup; createdonbehalfby?: Lookup };

interface WorldOptions {
  orgs?: OrganizationDetail[];
  /** The OrganizationDetail that comes with the CRM ticket (default: the matching org's). */
  ticketDetail?: (org: OrganizationDetail) => OrganizationDetail;
  users?: Row[];
  /** What an impersonated Retrieve of a systemuser row answers (default: that row). */
  impersonatedRow?: (id: string, row: Row | undefined) => Row | undefined;
  /** How CRM stamps a created record (default: createdby the caller, createdonbehalfby the service account). */
  stamps?: (callerId: string | null) => Stamps;
  failPolicy?: Error;
  failCreate?: Error;
}

const contoso: OrganizationDetail = {
  crmMetadataServiceUrl: 'https://contoso.crm.example/MSCrmServices/2007/MetadataService.asmx',
  crmServiceUrl: LIST_URL,
  friendlyName: 'Contoso',
  organizationId: '20000000-0000-0000-0000-000000000001',
  organizationName: 'contoso',
  webApplicationUrl: 'https://contoso.crm.example/',
};

const user = (id: string, fullname: string | undefined, extra: Row = {}): Row => ({
  systemuserid: `{${id.toUpperCase()}}`,
  ...(fullname === undefined ? {} : { fullname }),
  isdisabled: 'false',
  ...extra,
});

const pick = (row: Row, columns: string[] | 'all'): Row =>
  columns === 'all'
    ? { ...row }
    : Object.fromEntries(columns.filter((c) => c in row).map((c) => [c, row[c]!]));

function world(o: WorldOptions = {}) {
  let clock = 1_000;
  const advance = (ms: number) => {
    clock += ms;
  };
  const users: Row[] = o.users ?? [
    user(SVC, 'ERP_Integration', { domainname: 'ERP_Integration' }),
    user(ANN, 'Ann Lee'),
  ];
  const userRow = (id: string) => users.find((u) => idOf(u.systemuserid) === id);
  const nameOf = (id: string) => String(userRow(id)?.fullname ?? '');
  const records = new Map<string, Row>();
  const created: Array<{ callerId: string | null; entity: Entity }> = [];
  const closed: string[] = [];
  const crmOptions: CrmServiceClientOptions[] = [];
  const runSaves: Array<{ status: string; finishedAt?: Date; steps: OnboardingStep[] }> = [];
  const orgUpdates: Array<Record<string, unknown>> = [];
  const ticketSaves: Array<{ kind: string; latencyMs: number | null; crmTicket: string }> = [];
  const ticketRemovals: string[] = [];
  const ledger: Array<{ op: string; args: unknown }> = [];

  const deps: OnboardingDeps = {
    now: () => clock,
    entra: () => {
      throw new Error('not used for a CRM 4.0 org');
    },
    dataverse: () => {
      throw new Error('not used for a CRM 4.0 org');
    },
    discovery: () => ({
      async retrievePolicy() {
        advance(10);
        if (o.failPolicy) throw o.failPolicy;
        return { policy: 'MBI_SSL' };
      },
      async retrieveOrganizations() {
        advance(15);
        return { organizationDetails: o.orgs ?? [contoso] };
      },
      async retrieveCrmTicket(organizationName: string) {
        advance(25);
        const org = (o.orgs ?? [contoso]).find((d) => d.organizationName === organizationName)!;
        return {
          crmTicket: `crm-ticket-for-${organizationName}`,
          expirationDate: new Date('2030-01-01T10:00:00Z'),
          organizationDetail: o.ticketDetail ? o.ticketDetail(org) : org,
        };
      },
      async retrieveCrmUserIdByExternalId() {
        throw new Error('not used by onboarding');
      },
      async close() {
        closed.push('discovery');
      },
    }),
    wlid: () => ({
      async requestTicket() {
        advance(20);
        return { ticket: 'passport-ticket', expires: new Date('2030-01-01T08:00:00Z') } as never;
      },
      async close() {
        closed.push('wlid');
      },
    }),
    crm: (options) => {
      crmOptions.push(options);
      return {
        async whoAmI() {
          advance(5);
          return { userId: SVC, businessUnitId: 'bu', organizationId: contoso.organizationId };
        },
        async retrieve(
          token: CrmAuthenticationToken,
          args: { entityName: string; id: string; columns: string[] | 'all' },
        ) {
          advance(4);
          if (args.entityName === 'systemuser') {
            const row =
              token.callerId && o.impersonatedRow
                ? o.impersonatedRow(args.id, userRow(args.id))
                : userRow(args.id);
            return { entity: { logicalName: 'systemuser', attributes: row ? pick(row, args.columns) : {} } };
          }
          return {
            entity: { logicalName: args.entityName, attributes: pick(records.get(args.id)!, args.columns) },
          };
        },
        async retrieveMultiple(_token: CrmAuthenticationToken, q: QueryExpression) {
          advance(6);
          const conditions = q.criteria?.conditions ?? [];
          const rows = users.filter((u) =>
            conditions.every((c) => c.operator === 'Equal' && c.values.includes(String(u[c.attribute]))),
          );
          return {
            moreRecords: false,
            pagingCookie: null,
            entities: rows.map((r) => ({ logicalName: 'systemuser', attributes: pick(r, q.columns) })),
          };
        },
        async create(token: CrmAuthenticationToken, entity: Entity) {
          advance(30);
          if (o.failCreate) throw o.failCreate;
          created.push({ callerId: token.callerId ?? null, entity });
          const id = `30000000-0000-0000-0000-00000000000${created.length}`;
          const caller = token.callerId ?? SVC;
          const stamps: Stamps = o.stamps
            ? o.stamps(token.callerId ?? null)
            : {
                createdby: { id: caller, type: 'systemuser', name: nameOf(caller) },
                createdonbehalfby: { id: SVC, type: 'systemuser', name: nameOf(SVC) },
              };
          records.set(id, { ...entity.attributes, ...stamps });
          return { id };
        },
        async update() {
          throw new Error('not used by onboarding');
        },
        async delete() {
          throw new Error('not used by onboarding');
        },
        async close() {
          closed.push('crm');
        },
      };
    },
  };

  const repo = {
    async updateRun(
      _id: string,
      _orgId: string,
      patch: { status: string; finishedAt?: Date; steps: OnboardingStep[] },
    ) {
      runSaves.push({ ...patch, steps: structuredClone(patch.steps) });
    },
    async getRun(id: string) {
      const last = runSaves.at(-1)!;
      return { id, status: last.status, steps: last.steps, finishedAt: last.finishedAt ?? null };
    },
    async update(_id: string, patch: Record<string, unknown>) {
      orgUpdates.push(patch);
    },
  } as unknown as OrgsRepository;

  const tickets = {
    async save(_orgId: string, t: { crmTicket: string }, kind: string, latencyMs: number | null) {
      advance(3);
      ticketSaves.push({ kind, latencyMs, crmTicket: t.crmTicket });
      return 1;
    },
    async remove(orgId: string) {
      ticketRemovals.push(orgId);
    },
  } as unknown as TicketStoreService;

  const ledgerFake = {
    async begin(s: unknown) {
      advance(2);
      ledger.push({ op: 'begin', args: s });
      return 'ledger-1';
    },
    async complete(_orgId: string, id: string, r: unknown) {
      advance(1);
      ledger.push({ op: 'complete', args: { id, ...(r as object) } });
    },
    async fail(_orgId: string, id: string, r: unknown) {
      advance(1);
      ledger.push({ op: 'fail', args: { id, ...(r as object) } });
    },
  } as unknown as LedgerService;

  const config = {
    trustedServerCaPems: [],
    stsUrl: 'https://sts.example/RST2.srf',
    partnerDomain: 'crm.dynamics.com',
  } as unknown as AppConfig;

  const service = new OnboardingService(repo, config, tickets, ledgerFake, deps);
  const org = Object.assign(new OrgEntity(), {
    id: 'org-1',
    discoveryUrl: 'https://disco.example/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx',
    friendlyName: 'Contoso',
    serviceAccountName: null,
    crmServiceUrl: null,
  });
  const run = (opts: { keepActive?: boolean } = {}) =>
    service.run(org, 'run-1', {} as CertificateBundle, 'svc@example.test', opts);
  return {
    run,
    org,
    records,
    created,
    closed,
    crmOptions,
    runSaves,
    orgUpdates,
    ticketSaves,
    ticketRemovals,
    ledger,
  };
}

const statuses = (steps: OnboardingStep[]) => steps.map((s) => `${s.name}:${s.status}`);
const stepOf = (steps: OnboardingStep[], name: string) => steps.find((s) => s.name === name)!;
const NOT_STAMPED_HINT = 'Impersonation is not taking effect: check that CallerId is honoured for this org.';

describe('OnboardingService.run', () => {
  it('saves the run as each step starts and as it ends, in order, and stamps finishedAt only on the final save', async () => {
    const w = world();
    const result = await w.run();
    const names = STEPS.map((s) => s.name);
    expect(names).toEqual([
      'policy',
      'wlid-ticket',
      'organizations',
      'crm-ticket',
      'whoami',
      'proxy-role',
      'test-write',
    ]);
    const expected: string[][] = [];
    names.forEach((_, i) => {
      const state = (current: string) =>
        names.map((n, j) => `${n}:${j < i ? 'succeeded' : j === i ? current : 'pending'}`);
      expected.push(state('running'), state('succeeded'));
    });
    expected.push(names.map((n) => `${n}:succeeded`));
    expect(w.runSaves.map((s) => statuses(s.steps))).toEqual(expected);
    expect(w.runSaves.map((s) => s.status)).toEqual([...Array(14).fill('running'), 'succeeded']);
    for (const save of w.runSaves.slice(0, -1)) expect(save).not.toHaveProperty('finishedAt');
    expect(w.runSaves.at(-1)!.finishedAt).toBeInstanceOf(Date);
    expect(result.status).toBe('succeeded');
    expect(w.orgUpdates.at(-1)).toMatchObject({ status: 'active' });
  });

  it("times each step on the clock, and passes the CRM ticket's and the test write's own latency on", async () => {
    const w = world();
    const { steps } = await w.run();
    // Fake costs: policy 10; wlid 20; organizations 15; RetrieveCrmTicket 25 + ticket store 3;
    // WhoAmI 5 + Retrieve 4; RetrieveMultiple 6 + Retrieve 4; ledger begin 2 + Create 30 + complete 1 + Retrieve 4.
    expect(Object.fromEntries(steps.map((s) => [s.name, s.durationMs]))).toEqual({
      policy: 10,
      'wlid-ticket': 20,
      organizations: 15,
      'crm-ticket': 28,
      whoami: 9,
      'proxy-role': 10,
      'test-write': 37,
    });
    expect(w.ticketSaves).toEqual([{ kind: 'issued', latencyMs: 25, crmTicket: 'crm-ticket-for-contoso' }]);
    expect(w.ledger.find((l) => l.op === 'complete')!.args).toEqual({
      id: 'ledger-1',
      recordId: '30000000-0000-0000-0000-000000000001',
      latencyMs: 32,
    });
  });

  it('times a failed step too', async () => {
    const w = world({ failPolicy: new Error('boom') });
    const { steps } = await w.run();
    expect(stepOf(steps, 'policy')).toMatchObject({ status: 'failed', durationMs: 10 });
  });

  it('closes the three clients after a run, and the two it opened when an early step fails', async () => {
    const ok = world();
    await ok.run();
    expect(ok.closed.sort()).toEqual(['crm', 'discovery', 'wlid']);

    const early = world({ failPolicy: new Error('boom') });
    const { steps } = await early.run();
    expect(statuses(steps)).toEqual([
      'policy:failed',
      'wlid-ticket:skipped',
      'organizations:skipped',
      'crm-ticket:skipped',
      'whoami:skipped',
      'proxy-role:skipped',
      'test-write:skipped',
    ]);
    expect(early.closed.sort()).toEqual(['discovery', 'wlid']);
  });

  it('says so when the service account sees no organization at all', async () => {
    const w = world({ orgs: [] });
    const { steps } = await w.run();
    expect(stepOf(steps, 'organizations').error).toEqual({
      code: 'ONBOARDING_ORG_NOT_FOUND',
      message: 'No organization named "Contoso" is visible to the service account.',
      hint: 'The service account sees no organization at all: add it as a user of "Contoso" in CRM Online.',
    });
  });

  it('talks to the CRM service URL that comes with the CRM ticket, and stores it', async () => {
    const w = world({ ticketDetail: (d) => ({ ...d, crmServiceUrl: TICKET_URL }) });
    await w.run();
    expect(w.crmOptions.map((x) => x.url)).toEqual([TICKET_URL]);
    expect(w.orgUpdates.find((u) => 'serviceAccountUserId' in u)).toMatchObject({
      crmServiceUrl: TICKET_URL,
    });
    expect(w.org.crmServiceUrl).toBe(TICKET_URL);
  });

  it('names the service account by its full name, else its domain name, else its id', async () => {
    const named = async (row: Row) => {
      const w = world({ users: [row, user(ANN, 'Ann Lee')] });
      const { steps } = await w.run();
      return {
        detail: stepOf(steps, 'whoami').detail,
        saved: w.orgUpdates.find((u) => 'serviceAccountName' in u),
      };
    };
    const full = await named(user(SVC, 'ERP Integration', { domainname: 'CONTOSO\\erp' }));
    expect(full.detail).toBe(`Signed in as ERP Integration (${SVC})`);
    expect(full.saved).toMatchObject({ serviceAccountUserId: SVC, serviceAccountName: 'ERP Integration' });
    expect((await named(user(SVC, undefined, { domainname: 'CONTOSO\\erp' }))).detail).toBe(
      `Signed in as CONTOSO\\erp (${SVC})`,
    );
    expect((await named(user(SVC, undefined))).detail).toBe(`Signed in as ${SVC} (${SVC})`);
  });

  it('acts for an enabled user only, never a disabled one', async () => {
    const w = world({
      users: [
        user(SVC, 'ERP_Integration'),
        user(BOB, 'Bob Disabled', { isdisabled: 'true' }),
        user(ANN, 'Ann Lee'),
      ],
    });
    const { steps, status } = await w.run();
    expect(status).toBe('succeeded');
    expect(stepOf(steps, 'proxy-role').detail).toBe(
      'Acting on behalf of Ann Lee works (an impersonated Retrieve of their own user record succeeded)',
    );
    expect(w.created.map((c) => c.callerId)).toEqual([ANN]);
  });

  it('records an empty name, not an invented one, for a user acted for who has no full name', async () => {
    const w = world({ users: [user(SVC, 'ERP_Integration'), user(ANN, undefined)] });
    const { steps } = await w.run();
    expect(stepOf(steps, 'proxy-role').detail).toBe(
      'Acting on behalf of  works (an impersonated Retrieve of their own user record succeeded)',
    );
    expect(w.ledger[0]!.args).toMatchObject({ onBehalfOfId: ANN, onBehalfOfName: '' });
  });

  it("fails 'proxy-role' when acting for the user returns another user's record, naming it", async () => {
    const w = world({ impersonatedRow: () => user(SVC, 'ERP_Integration') });
    const { steps, status } = await w.run();
    expect(stepOf(steps, 'proxy-role')).toMatchObject({
      status: 'failed',
      error: {
        code: 'ONBOARDING_NOT_STAMPED',
        message: `Acting for Ann Lee returned another user's record (${SVC}).`,
        hint: NOT_STAMPED_HINT,
      },
    });
    expect(stepOf(steps, 'test-write').status).toBe('skipped');
    expect(status).toBe('failed');
    expect(w.created).toEqual([]);
  });

  it("fails 'proxy-role' with (none) when the user's record comes back without its id", async () => {
    const w = world({ impersonatedRow: (_id, row) => ({ fullname: row!.fullname! }) });
    const { steps } = await w.run();
    expect(stepOf(steps, 'proxy-role').error).toEqual({
      code: 'ONBOARDING_NOT_STAMPED',
      message: "Acting for Ann Lee returned another user's record (none).",
      hint: NOT_STAMPED_HINT,
    });
  });

  it('creates the test account as the user acted for, under a name that says what it is', async () => {
    const w = world();
    const before = new Date();
    const { steps } = await w.run();
    expect(w.created).toHaveLength(1);
    expect(w.created[0]!.callerId).toBe(ANN);
    expect(w.created[0]!.entity.logicalName).toBe('account');
    const name = String(w.created[0]!.entity.attributes.name);
    expect(name).toMatch(/^Onbehalf onboarding check \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(name.slice('Onbehalf onboarding check '.length))).toBeGreaterThanOrEqual(
      before.getTime(),
    );
    expect(stepOf(steps, 'test-write').detail).toBe(
      'Created account 30000000-0000-0000-0000-000000000001: createdby Ann Lee, createdonbehalfby ERP_Integration',
    );
  });

  it("records a failed test write in the ledger with the error's code, ERROR when it has none, and its latency", async () => {
    const w = world({ failCreate: new Error('socket hang up') });
    const { steps, status } = await w.run();
    expect(w.ledger.map((l) => l.op)).toEqual(['begin', 'fail']);
    expect(w.ledger[1]!.args).toEqual({
      id: 'ledger-1',
      errorCode: 'ERROR',
      errorMessage: 'socket hang up',
      latencyMs: 32,
    });
    expect(stepOf(steps, 'test-write')).toMatchObject({
      status: 'failed',
      durationMs: 33, // ledger begin 2 + Create 30 + ledger fail 1
      error: { code: 'INTERNAL_ERROR', message: 'socket hang up' },
    });
    expect(status).toBe('failed');
    expect(w.ticketRemovals).toEqual(['org-1']);
  });

  describe('the stamps on the test record', () => {
    const svc: Lookup = { id: SVC, type: 'systemuser', name: 'ERP_Integration' };
    const ann: Lookup = { id: ANN, type: 'systemuser', name: 'Ann Lee' };
    const onBehalfMissing = {
      code: 'ONBOARDING_NOT_STAMPED',
      message: 'CRM did not record the service account as createdonbehalfby on the test record.',
      hint: NOT_STAMPED_HINT,
    };
    const createdByWrong = {
      code: 'ONBOARDING_NOT_STAMPED',
      message: 'CRM did not record the user acted for as createdby.',
      hint: 'Check impersonation settings.',
    };
    const testWrite = async (stamps: Stamps) => {
      const w = world({ stamps: () => stamps });
      const result = await w.run();
      return { step: stepOf(result.steps, 'test-write'), result, w };
    };

    it('fails the step when createdonbehalfby is missing, and the run and org with it', async () => {
      const { step, result, w } = await testWrite({ createdby: ann });
      expect(step).toMatchObject({
        status: 'failed',
        error: onBehalfMissing,
        detail: onBehalfMissing.message,
      });
      expect(result.status).toBe('failed');
      expect(w.orgUpdates.at(-1)).toMatchObject({ status: 'failed' });
      expect(w.ticketRemovals).toEqual(['org-1']);
    });

    it('fails the step when createdonbehalfby names someone else than the service account', async () => {
      expect((await testWrite({ createdby: ann, createdonbehalfby: ann })).step.error).toEqual(
        onBehalfMissing,
      );
    });

    it('fails the step when createdby is missing', async () => {
      expect((await testWrite({ createdonbehalfby: svc })).step.error).toEqual(createdByWrong);
    });

    it('fails the step when createdby is the service account rather than the user acted for', async () => {
      expect((await testWrite({ createdby: svc, createdonbehalfby: svc })).step.error).toEqual(
        createdByWrong,
      );
    });

    it('falls back to the ids in the detail when the lookups carry no names', async () => {
      const { step } = await testWrite({
        createdby: { id: ANN, type: 'systemuser' },
        createdonbehalfby: { id: SVC, type: 'systemuser' },
      });
      expect(step.detail).toBe(
        `Created account 30000000-0000-0000-0000-000000000001: createdby ${ANN}, createdonbehalfby ${SVC}`,
      );
    });
  });
});

describe('idOf', () => {
  it('reads a GUID string without braces, in lower case', () => {
    expect(idOf('{A1B2C3D4-0000-0000-0000-00000000000F}')).toBe('a1b2c3d4-0000-0000-0000-00000000000f');
    expect(idOf('a1b2c3d4-0000-0000-0000-00000000000f')).toBe('a1b2c3d4-0000-0000-0000-00000000000f');
  });

  it("reads a lookup's id", () => {
    expect(idOf({ id: 'a1b2c3d4-0000-0000-0000-00000000000f', type: 'systemuser' })).toBe(
      'a1b2c3d4-0000-0000-0000-00000000000f',
    );
  });

  it('gives null for anything else: absent, null, an activity-party list, an object without an id, a number', () => {
    expect(idOf(undefined)).toBeNull();
    expect(idOf(null)).toBeNull();
    expect(idOf([{ partyid: { id: 'x', type: 'systemuser' } }])).toBeNull();
    expect(idOf({ type: 'systemuser' })).toBeNull();
    expect(idOf(42)).toBeNull();
  });
});
