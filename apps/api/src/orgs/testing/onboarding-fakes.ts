import type {
  CertificateBundle,
  DataverseSessionOptions,
  DataverseUser,
  EntraTokenClientOptions,
  OrgCallOptions,
  OrgRecord,
} from '@onbehalf/crm-auth';
import type { AppConfig } from '../../config/app-config';
import type { LedgerService } from '../../crm/ledger.service';
import type { TicketStoreService } from '../../tickets/ticket-store.service';
import type { HintContext } from '../onboarding-hints';
import type { OnboardingStep } from '../onboarding-run.entity';
import { OnboardingService, type OnboardingDeps } from '../onboarding.service';
import { OrgEntity } from '../org.entity';
import type { OrgsRepository } from '../orgs.repository';

/**
 * Fakes for the specs of a Dataverse org's onboarding (onboarding.dataverse*.spec.ts): OnboardingService.run with
 * every collaborator faked — the identity platform's token client, the environment's session (a small in-memory
 * Web API that stamps what it creates), its user list, the run and org repositories, the ticket store and the
 * ledger — each recording what it was asked; and the hint context of a Dataverse org (onboarding-hints*.spec.ts).
 * Test code only: tsconfig.build.json leaves src/**\/testing/** out of dist.
 */

export const APP = '10000000-0000-0000-0000-00000000000a';
export const APP_OID = '70000000-0000-0000-0000-00000000000a';
export const JON = '10000000-0000-0000-0000-00000000000b';
export const JON_OID = '70000000-0000-0000-0000-00000000000b';
export const ENV = 'https://contoso.crm.dynamics.com';
export const CLIENT = 'c0000000-0000-0000-0000-000000000001';
export const EXPIRES = new Date('2030-01-01T10:00:00Z');

export const person = (
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

export const statuses = (steps: OnboardingStep[]) => steps.map((s) => `${s.name}:${s.status}`);

export interface DataverseWorldOptions {
  /** The environment's users (default: the application user, then Jon Wilson). */
  users?: DataverseUser[];
  /** The org's environment URL as stored (default: ENV with one trailing slash). */
  environmentUrl?: string;
  /** The org's stored service account name (default: none yet, a new org). */
  serviceAccountName?: string | null;
  /** The application user's systemuser fields as WhoAmI's follow-up read returns them (default: its row in users). */
  appFields?: Record<string, string>;
  /** The row the impersonated Retrieve of a systemuser answers (default: that user's own row). */
  ownRow?: (id: string) => { id: unknown; fields: Record<string, unknown> };
  tokenFails?: Error;
  whoAmIFails?: Error;
  /** Thrown by the impersonated Retrieve of a systemuser (the delegate step). */
  delegateFails?: Error;
  /** How the environment stamps a created record (default: createdby the user acted for, createdonbehalfby the app user). */
  stamps?: (actedFor: string | null) => Record<string, { id: string; type: string; name?: string }>;
  /** The config's trusted server CAs (default: ['CA']). */
  ca?: string[];
  /** The config's public origin, the console's address in the consent hint (default: none). */
  publicOrigin?: string;
  /** The certificate's SHA-1 thumbprint (default: 'ab cd'). */
  thumbprint?: string;
}

/** A ticket the run stored: the arguments of TicketStoreService.save. */
export interface TicketSave {
  orgId: string;
  ticket: { crmTicket: string; crmExpiresAt: Date };
  kind: string;
  durationMs: number;
}

/** OnboardingService.run for the org 'org-dv' (Contoso DV), its collaborators faked; the clock ticks as they answer. */
export function dataverseWorld(o: DataverseWorldOptions = {}) {
  let clock = 1_000;
  const sent: Array<{ op: string; args: unknown[] }> = [];
  const runSaves: Array<{ status: string; steps: OnboardingStep[] }> = [];
  const orgUpdates: Array<Record<string, unknown>> = [];
  const ticketSaves: TicketSave[] = [];
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
    person(APP, 'ISV app', APP_OID, { applicationId: CLIENT }),
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
          if (o.whoAmIFails) throw o.whoAmIFails;
          return { userId: APP, businessUnitId: 'bu', organizationId: 'org-dv' };
        },
        async retrieveRecord(args: { entity: string; id: string; columns: string[] }, opts?: OrgCallOptions) {
          sent.push({ op: 'retrieveRecord', args: [args, opts] });
          clock += 4;
          if (args.entity === 'systemuser') {
            if (opts?.onBehalfOf && o.delegateFails) throw o.delegateFails;
            if (opts?.onBehalfOf && o.ownRow) {
              return { entity: 'systemuser', ...o.ownRow(args.id) } as OrgRecord & { id: string };
            }
            if (args.id === APP && o.appFields) return { entity: 'systemuser', id: APP, fields: o.appFields };
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
          return {
            entity: args.entity,
            id: args.id,
            fields: (records.get(args.id) ?? {}) as OrgRecord['fields'],
          };
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
    async save(orgId: string, ticket: TicketSave['ticket'], kind: string, durationMs: number) {
      ticketSaves.push({ orgId, ticket, kind, durationMs });
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
    trustedServerCaPems: o.ca ?? ['CA'],
    stsUrl: 'https://sts.example/RST2.srf',
    entraAuthorityUrl: 'https://login.example',
    ...(o.publicOrigin === undefined ? {} : { publicOrigin: o.publicOrigin }),
  } as unknown as AppConfig;
  const service = new OnboardingService(repo, config, tickets, ledgerFake, deps);
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
  const bundle = { thumbprintSha1Hex: o.thumbprint ?? 'ab cd' } as unknown as CertificateBundle;
  const run = (opts: { keepActive?: boolean } = {}) => service.run(org, 'run-1', bundle, 'unused', opts);
  /** One step of a run (without keepActive). */
  const step = async (name: string) => (await run()).steps.find((s) => s.name === name)!;
  /** The impersonated Retrieves sent, in order. */
  const impersonated = () =>
    sent.filter((x) => x.op === 'retrieveRecord' && (x.args[1] as OrgCallOptions | undefined)?.onBehalfOf);
  return {
    run,
    step,
    impersonated,
    sent,
    runSaves,
    orgUpdates,
    ticketSaves,
    ticketRemovals,
    ledger,
    closed,
    made,
    records,
  };
}

/** The hint context of a Dataverse org, as OnboardingService builds it for explainFailure. */
export const DV_HINTS: HintContext = {
  discoveryUrl: '',
  stsUrl: 'https://sts.example/RST2.srf',
  friendlyName: 'Contoso DV',
  serviceAccount: 'Onbehalf ISV integration',
  dataverse: {
    authorityUrl: 'https://login.example',
    tenant: 'contoso.onmicrosoft.com',
    clientId: '0c6b1e2a-3d4f-4a5b-9c8d-7e6f5a4b3c21',
    environmentUrl: 'https://contoso.crm.dynamics.com',
    certificateThumbprint: 'ab12cd34',
  },
};
