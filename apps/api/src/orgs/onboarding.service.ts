import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type CertificateBundle,
  type CrmServiceApi,
  CrmServiceClient,
  type CrmServiceClientOptions,
  type CrmAuthenticationToken,
  type DiscoveryApi,
  DiscoveryClient,
  type DiscoveryClientOptions,
  DataverseSession,
  type DataverseSessionOptions,
  EntraTokenClient,
  type EntraTokenClientOptions,
  isCrmAuthError,
  type Lookup,
  type OrgSession,
  matchOrganization,
  type OrganizationDetail,
  type WlidApi,
  WlidClient,
  type WlidClientOptions,
} from '@onbehalf/crm-auth';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { LedgerService } from '../crm/ledger.service';
import { dataverseTicketStore } from '../tickets/org-ticket-store';
import { TicketStoreService } from '../tickets/ticket-store.service';
import { explainFailure, OnboardingError, type HintContext } from './onboarding-hints';
import type { OrgKind } from './org.types';
import { OnboardingRunEntity, type OnboardingStep, type StepName } from './onboarding-run.entity';
import { OrgEntity } from './org.entity';
import { OrgsRepository } from './orgs.repository';

export const STEPS: ReadonlyArray<{ name: StepName; title: string }> = [
  { name: 'policy', title: 'Windows Live policy (RetrievePolicy)' },
  { name: 'wlid-ticket', title: 'Windows Live ticket for the service account' },
  { name: 'organizations', title: 'Find the organization (RetrieveOrganizations)' },
  { name: 'crm-ticket', title: 'CRM ticket (RetrieveCrmTicket)' },
  { name: 'whoami', title: 'Service account identity (WhoAmI)' },
  { name: 'proxy-role', title: 'Proxy role (impersonated Retrieve)' },
  { name: 'test-write', title: 'Test write on behalf of a user' },
];

/** A Dataverse org's steps (docs/protocol.md §13): the app's token, its application user, delegation, a test write. */
export const DATAVERSE_STEPS: ReadonlyArray<{ name: StepName; title: string }> = [
  { name: 'token', title: 'Entra ID access token for the environment (client credentials)' },
  { name: 'whoami', title: 'Application user identity (WhoAmI)' },
  { name: 'delegate', title: 'Act on behalf of a user (impersonated Retrieve)' },
  { name: 'test-write', title: 'Test write on behalf of a user' },
];

export const pendingSteps = (kind: OrgKind = 'crm4'): OnboardingStep[] =>
  (kind === 'dataverse' ? DATAVERSE_STEPS : STEPS).map((s) => ({
    name: s.name,
    title: s.title,
    status: 'pending',
    durationMs: null,
    detail: null,
  }));

const ZERO = '00000000-0000-0000-0000-000000000000';

type Closable = { close(): Promise<void> };

/**
 * What a run talks to besides Postgres: the three protocol clients, and the clock that times the
 * steps (milliseconds, monotonic). Production uses {@link realOnboardingDeps}; unit specs provide
 * fakes under {@link ONBOARDING_DEPS}.
 */
export interface OnboardingDeps {
  discovery(options: DiscoveryClientOptions): DiscoveryApi & Closable;
  wlid(options: WlidClientOptions): WlidApi & Closable;
  crm(options: CrmServiceClientOptions): CrmServiceApi & Closable;
  /** Dataverse: the identity platform's token client and the environment's session. */
  entra(options: EntraTokenClientOptions): Pick<EntraTokenClient, 'acquireToken'> & Closable;
  dataverse(options: DataverseSessionOptions): OrgSession & Pick<DataverseSession, 'listUsers'>;
  now(): number;
}

export const ONBOARDING_DEPS = Symbol('ONBOARDING_DEPS');

export const realOnboardingDeps: OnboardingDeps = {
  discovery: (options) => new DiscoveryClient(options),
  wlid: (options) => new WlidClient(options),
  crm: (options) => new CrmServiceClient(options),
  entra: (options) => new EntraTokenClient(options),
  dataverse: (options) => new DataverseSession(options),
  now: () => performance.now(),
};

/** At most this many users are read to pick one to act for. */
const USERS_READ = 50;

/**
 * Runs the server-to-server flow for one org, step by step, recording each step as it ends so a
 * console that polls the run sees it live. Steps 2–5 of the SDK flow end with tickets stored for
 * the org; the last two prove impersonation works and that CRM stamps createdonbehalfby.
 */
@Injectable()
export class OnboardingService {
  constructor(
    private readonly repo: OrgsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tickets: TicketStoreService,
    private readonly ledger: LedgerService,
    @Optional() @Inject(ONBOARDING_DEPS) private readonly deps: OnboardingDeps = realOnboardingDeps,
  ) {}

  /**
   * `keepActive`: a re-check of an org that already serves calls. A failure is recorded on the run
   * (and shows on the overview) but does not take the org or its working tickets away.
   */
  async run(
    org: OrgEntity,
    runId: string,
    bundle: CertificateBundle,
    serviceAccountLiveId: string,
    opts: { keepActive?: boolean } = {},
  ): Promise<OnboardingRunEntity> {
    if (org.kind === 'dataverse') return this.runDataverse(org, runId, bundle, opts);
    const steps = pendingSteps();
    const ca = this.config.trustedServerCaPems.length ? this.config.trustedServerCaPems : undefined;
    const discovery = this.deps.discovery({
      url: org.discoveryUrl!, // a crm4 row has one (orgs_kind_columns_check)
      ...(ca ? { ca } : {}),
      timeoutMs: 15_000,
    });
    const wlid = this.deps.wlid({
      stsUrl: this.config.stsUrl,
      certificate: bundle,
      ...(ca ? { ca } : {}),
      partnerDomain: this.config.partnerDomain,
      timeoutMs: 15_000,
    });
    let crm: (CrmServiceApi & Closable) | null = null;
    const hints: HintContext = {
      discoveryUrl: org.discoveryUrl!,
      stsUrl: this.config.stsUrl,
      friendlyName: org.friendlyName,
      serviceAccount: org.serviceAccountName ?? serviceAccountLiveId,
    };
    const { save, step } = this.recorder(org, runId, steps, hints);

    let ok = false;
    try {
      const policy = await step('policy', async () => {
        const { policy } = await discovery.retrievePolicy();
        return { value: policy, detail: `Policy ${policy}` };
      });
      const passport = await step('wlid-ticket', async () => {
        const t = await wlid.requestTicket({ policy, appliesTo: this.config.partnerDomain });
        return {
          value: t,
          detail: `Passport ticket for ${serviceAccountLiveId}, valid until ${t.expires.toISOString()}`,
        };
      });
      const detail = await step('organizations', async () => {
        const { organizationDetails } = await discovery.retrieveOrganizations(passport.ticket);
        const match = findOrganization(organizationDetails, org.friendlyName);
        if (!match) {
          throw new OnboardingError(
            'ONBOARDING_ORG_NOT_FOUND',
            `No organization named "${org.friendlyName}" is visible to the service account.`,
            organizationDetails.length
              ? `Check the friendly name. The service account sees: ${organizationDetails.map((d) => `"${d.friendlyName}"`).join(', ')}.`
              : `The service account sees no organization at all: add it as a user of "${org.friendlyName}" in CRM Online.`,
          );
        }
        return {
          value: match,
          detail: `Found "${match.friendlyName}" (unique name ${match.organizationName}) among ${organizationDetails.length}`,
        };
      });
      org.organizationName = detail.organizationName;
      org.organizationId = detail.organizationId;
      org.crmServiceUrl = detail.crmServiceUrl;
      org.crmMetadataServiceUrl = detail.crmMetadataServiceUrl;
      org.webApplicationUrl = detail.webApplicationUrl;
      org.policy = policy;
      await this.repo.update(org.id, {
        organizationName: detail.organizationName,
        organizationId: detail.organizationId,
        crmServiceUrl: detail.crmServiceUrl,
        crmMetadataServiceUrl: detail.crmMetadataServiceUrl,
        webApplicationUrl: detail.webApplicationUrl,
        policy,
        updatedAt: new Date(),
      });

      const crmTicket = await step('crm-ticket', async () => {
        const t0 = this.deps.now();
        const t = await discovery.retrieveCrmTicket(detail.organizationName, passport.ticket);
        await this.tickets.save(
          org.id,
          {
            passportTicket: passport.ticket,
            passportExpiresAt: passport.expires,
            crmTicket: t.crmTicket,
            crmIssuedAt: new Date(),
            crmExpiresAt: t.expirationDate,
          },
          'issued',
          this.deps.now() - t0,
        );
        // The CrmServiceUrl to call with this ticket is the one that came with it (the parser requires it).
        org.crmServiceUrl = t.organizationDetail.crmServiceUrl;
        return {
          value: t,
          detail: `CRM ticket for ${detail.organizationName}, expires ${t.expirationDate.toISOString()}`,
        };
      });
      crm = this.deps.crm({ url: org.crmServiceUrl!, ...(ca ? { ca } : {}), timeoutMs: 15_000 });
      const client = crm;
      const token = (callerId: string | null = null): CrmAuthenticationToken => ({
        authenticationType: 1,
        crmTicket: crmTicket.crmTicket,
        organizationName: detail.organizationName,
        callerId,
      });

      const me = await step('whoami', async () => {
        const who = await client.whoAmI(token());
        const user = await client.retrieve(token(), {
          entityName: 'systemuser',
          id: who.userId,
          columns: ['fullname', 'domainname'],
        });
        const name = String(
          user.entity.attributes.fullname ?? user.entity.attributes.domainname ?? who.userId,
        );
        return { value: { id: who.userId, name }, detail: `Signed in as ${name} (${who.userId})` };
      });
      org.serviceAccountUserId = me.id;
      org.serviceAccountName = me.name;
      hints.serviceAccount = me.name;
      await this.repo.update(org.id, {
        serviceAccountUserId: me.id,
        serviceAccountName: me.name,
        crmServiceUrl: org.crmServiceUrl,
      });

      const actFor = await step('proxy-role', async () => {
        const users = await client.retrieveMultiple(token(), {
          entityName: 'systemuser',
          columns: ['systemuserid', 'fullname', 'isdisabled'],
          criteria: { conditions: [{ attribute: 'isdisabled', operator: 'Equal', values: ['false'] }] },
          pageInfo: { pageNumber: 1, count: 50 },
        });
        const candidate = users.entities
          .map((e) => ({ id: idOf(e.attributes.systemuserid), name: String(e.attributes.fullname ?? '') }))
          .find((u) => u.id && u.id !== me.id);
        if (!candidate?.id) {
          throw new OnboardingError(
            'ONBOARDING_NO_USER',
            'The org has no enabled user other than the service account to act for.',
            `Add a user to ${org.friendlyName}, then retry.`,
          );
        }
        // WhoAmI cannot prove this: under impersonation it still answers the service account. An
        // impersonated Retrieve of the user's own systemuser row runs as that user, and CRM refuses it
        // with 0x80040220 when the service account lacks prvActOnBehalfOfAnotherUser.
        const own = await client.retrieve(token(candidate.id), {
          entityName: 'systemuser',
          id: candidate.id,
          columns: ['systemuserid', 'fullname'],
        });
        const ownId = idOf(own.entity.attributes.systemuserid);
        if (ownId !== candidate.id) {
          throw new OnboardingError(
            'ONBOARDING_NOT_STAMPED',
            `Acting for ${candidate.name} returned another user's record (${ownId ?? 'none'}).`,
            'Impersonation is not taking effect: check that CallerId is honoured for this org.',
          );
        }
        return {
          value: { id: candidate.id, name: candidate.name },
          detail: `Acting on behalf of ${candidate.name} works (an impersonated Retrieve of their own user record succeeded)`,
        };
      });

      await step('test-write', () =>
        this.testWrite(org.id, me, actFor, {
          platform: 'CRM',
          serviceAccount: 'the service account',
          hint: 'Impersonation is not taking effect: check that CallerId is honoured for this org.',
          create: async (name) =>
            (await client.create(token(actFor.id), { logicalName: 'account', attributes: { name } })).id,
          readBack: async (id) => {
            const back = await client.retrieve(token(), {
              entityName: 'account',
              id,
              columns: ['createdby', 'createdonbehalfby'],
            });
            return {
              createdBy: back.entity.attributes.createdby as Lookup | undefined,
              onBehalf: back.entity.attributes.createdonbehalfby as Lookup | undefined,
            };
          },
        }),
      );
      ok = true;
    } catch {
      for (const s of steps) if (s.status === 'pending') s.status = 'skipped';
    } finally {
      await Promise.allSettled([discovery.close(), wlid.close(), crm?.close()]);
    }
    return this.finish(org, runId, ok, opts, save);
  }

  /**
   * The last step of both platforms: an account created on behalf of the user, in the ledger like any call, then
   * read back; `createdonbehalfby` must be the service account (or application user) and `createdby` the user.
   */
  private async testWrite(
    orgId: string,
    me: { id: string; name: string },
    actFor: { id: string; name: string },
    p: {
      platform: string;
      serviceAccount: string;
      hint: string;
      create: (name: string) => Promise<string>;
      readBack: (id: string) => Promise<{ createdBy: Lookup | undefined; onBehalf: Lookup | undefined }>;
    },
  ): Promise<{ value: string; detail: string }> {
    const started = this.deps.now();
    const ledgerId = await this.ledger.begin({
      orgId,
      operation: 'Create',
      entity: 'account',
      serviceAccountId: me.id,
      serviceAccountName: me.name,
      onBehalfOfId: actFor.id,
      onBehalfOfName: actFor.name,
      caller: 'onboarding',
    });
    let id: string;
    try {
      id = await p.create(`Onbehalf onboarding check ${new Date().toISOString()}`);
      await this.ledger.complete(orgId, ledgerId, { recordId: id, latencyMs: this.deps.now() - started });
    } catch (err) {
      await this.ledger.fail(orgId, ledgerId, {
        errorCode: (err as { code?: string }).code ?? 'ERROR',
        errorMessage: String((err as Error).message),
        latencyMs: this.deps.now() - started,
      });
      throw err;
    }
    const { createdBy, onBehalf } = await p.readBack(id);
    if (idOf(onBehalf) !== me.id)
      throw new OnboardingError(
        'ONBOARDING_NOT_STAMPED',
        `${p.platform} did not record ${p.serviceAccount} as createdonbehalfby on the test record.`,
        p.hint,
      );
    if (idOf(createdBy) !== actFor.id)
      throw new OnboardingError(
        'ONBOARDING_NOT_STAMPED',
        `${p.platform} did not record the user acted for as createdby.`,
        'Check impersonation settings.',
      );
    return {
      value: id,
      detail: `Created account ${id}: createdby ${createdBy!.name ?? createdBy!.id}, createdonbehalfby ${onBehalf!.name ?? onBehalf!.id}`,
    };
  }

  /**
   * How a run records its steps: `save` writes them (and the run's status), `step` runs one, timing it and
   * recording its outcome (a failure explained with its hint, onboarding-hints.ts) as it ends.
   */
  private recorder(org: OrgEntity, runId: string, steps: OnboardingStep[], hints: HintContext) {
    const save = async (status: OnboardingRunEntity['status'] = 'running') => {
      await this.repo.updateRun(runId, org.id, {
        steps,
        status,
        ...(status === 'running' ? {} : { finishedAt: new Date() }),
      });
    };
    const step = async <T>(name: StepName, fn: () => Promise<{ value: T; detail: string }>): Promise<T> => {
      const s = steps.find((x) => x.name === name)!;
      s.status = 'running';
      await save();
      const t0 = this.deps.now();
      try {
        const { value, detail } = await fn();
        s.status = 'succeeded';
        s.detail = detail;
        return value;
      } catch (err) {
        s.status = 'failed';
        s.error = explainFailure(name, err, hints);
        s.detail = s.error.message;
        throw err;
      } finally {
        s.durationMs = Math.round(this.deps.now() - t0);
        await save();
      }
    };
    return { save, step };
  }

  /** The end of a run: a failed new org loses its tickets and shows failed; the run records how it ended. */
  private async finish(
    org: OrgEntity,
    runId: string,
    ok: boolean,
    opts: { keepActive?: boolean },
    save: (status: OnboardingRunEntity['status']) => Promise<void>,
  ): Promise<OnboardingRunEntity> {
    if (!ok && !opts.keepActive) await this.tickets.remove(org.id);
    await this.repo.update(org.id, {
      status: ok || opts.keepActive ? 'active' : 'failed',
      updatedAt: new Date(),
    });
    await save(ok ? 'succeeded' : 'failed');
    return await this.repo.getRun(runId, org.id);
  }

  /**
   * A Dataverse org's run (docs/protocol.md §13): the app's token for the environment (stored as the org's
   * ticket), its application user (stored as the service account, with its Entra object id), an impersonated
   * Retrieve on behalf of a user of the environment (the Delegate role), and a test write on behalf of that user
   * that Dataverse stamps createdby = the user and createdonbehalfby = the application user, with its ledger row.
   */
  private async runDataverse(
    org: OrgEntity,
    runId: string,
    bundle: CertificateBundle,
    opts: { keepActive?: boolean },
  ): Promise<OnboardingRunEntity> {
    const steps = pendingSteps('dataverse');
    const ca = this.config.trustedServerCaPems.length ? this.config.trustedServerCaPems : undefined;
    const environmentUrl = org.environmentUrl!.replace(/\/+$/, '');
    const target = { tenant: org.tenant!, clientId: org.clientId!, environmentUrl };
    const hints: HintContext = {
      discoveryUrl: '',
      stsUrl: this.config.stsUrl,
      friendlyName: org.friendlyName,
      serviceAccount: org.serviceAccountName ?? 'the application user',
      dataverse: {
        authorityUrl: this.config.entraAuthorityUrl,
        ...target,
        certificateThumbprint: bundle.thumbprintSha1Hex,
        // The console's page that reads the identity platform's answer (apps/web: /orgs/consent).
        consentReturn: { redirectUri: `${this.config.publicOrigin}/orgs/consent`, orgId: org.id },
      },
    };
    const { save, step } = this.recorder(org, runId, steps, hints);
    const common = { ...(ca ? { ca } : {}), timeoutMs: 15_000 };
    const entra = this.deps.entra({
      ...common,
      authorityUrl: this.config.entraAuthorityUrl,
      tenant: target.tenant,
      clientId: target.clientId,
      certificate: bundle,
    });
    // The session takes the token the first step stored: no second token request.
    const session = this.deps.dataverse({
      ...common,
      authorityUrl: this.config.entraAuthorityUrl,
      ...target,
      certificate: bundle,
      ticketStore: dataverseTicketStore(org.id, this.tickets, async () => undefined),
      maxConcurrent: 4,
    });

    let ok = false;
    try {
      await step('token', async () => {
        const t0 = this.deps.now();
        const t = await entra.acquireToken({ scope: `${environmentUrl}/.default` });
        await this.tickets.save(
          org.id,
          { crmTicket: t.accessToken, crmIssuedAt: t.issuedAt, crmExpiresAt: t.expiresAt },
          'issued',
          this.deps.now() - t0,
        );
        return {
          value: t.expiresAt,
          detail: `Access token of the app ${target.clientId} in ${target.tenant} for ${environmentUrl}, expires ${t.expiresAt.toISOString()}`,
        };
      });

      const me = await step('whoami', async () => {
        const who = await session.whoAmI();
        const user = await session.retrieveRecord({
          entity: 'systemuser',
          id: who.userId,
          columns: ['fullname', 'azureactivedirectoryobjectid'],
        });
        const name = typeof user.fields.fullname === 'string' ? user.fields.fullname : who.userId;
        const oid = user.fields.azureactivedirectoryobjectid;
        return {
          value: {
            id: who.userId,
            name,
            entraObjectId: typeof oid === 'string' ? oid.toLowerCase() : null,
            organizationId: who.organizationId,
          },
          detail: `Signed in as the application user ${name} (${who.userId})`,
        };
      });
      org.serviceAccountUserId = me.id;
      org.serviceAccountName = me.name;
      org.appUserEntraObjectId = me.entraObjectId;
      hints.serviceAccount = me.name;
      await this.repo.update(org.id, {
        serviceAccountUserId: me.id,
        serviceAccountName: me.name,
        appUserEntraObjectId: me.entraObjectId,
        organizationId: me.organizationId,
      });

      const actFor = await step('delegate', async () => {
        const users = await session.listUsers({ top: USERS_READ, peopleOnly: true });
        // A person: enabled, signed in through Entra ID, not an application user (this app's or another's).
        const found = users.find(
          (u) => !u.disabled && u.entraObjectId && !u.applicationId && u.userId !== me.id,
        );
        const candidate = found && {
          id: found.userId,
          name: found.fullName ?? found.userId,
          entraObjectId: found.entraObjectId,
        };
        if (!candidate?.entraObjectId) {
          throw new OnboardingError(
            'ONBOARDING_NO_USER',
            'The environment has no enabled user other than application users to act for.',
            `Add a user to ${org.friendlyName}, then retry.`,
          );
        }
        // As on CRM 4.0, WhoAmI cannot prove this: an impersonated Retrieve of the user's own systemuser row runs
        // as that user, and Dataverse refuses it with 0x8004A110 when the app user lacks prvActOnBehalfOfAnotherUser.
        const own = await session.retrieveRecord(
          { entity: 'systemuser', id: candidate.id, columns: ['systemuserid', 'fullname'] },
          { onBehalfOf: { entraObjectId: candidate.entraObjectId } },
        );
        const ownId = idOf(own.fields.systemuserid ?? own.id);
        if (ownId !== candidate.id) {
          throw new OnboardingError(
            'ONBOARDING_NOT_STAMPED',
            `Acting for ${candidate.name} returned another user's record (${ownId ?? 'none'}).`,
            'Impersonation is not taking effect: check that CallerObjectId is honoured for this environment.',
          );
        }
        return {
          value: { id: candidate.id, name: candidate.name, entraObjectId: candidate.entraObjectId },
          detail: `Acting on behalf of ${candidate.name} works (an impersonated Retrieve of their own user record succeeded)`,
        };
      });

      await step('test-write', () =>
        this.testWrite(org.id, me, actFor, {
          platform: 'Dataverse',
          serviceAccount: 'the application user',
          hint: 'Impersonation is not taking effect: check that CallerObjectId is honoured for this environment.',
          create: async (name) =>
            (
              await session.createRecord(
                { entity: 'account', fields: { name } },
                { onBehalfOf: { entraObjectId: actFor.entraObjectId } },
              )
            ).id,
          readBack: async (id) => {
            const back = await session.retrieveRecord({
              entity: 'account',
              id,
              columns: ['createdby', 'createdonbehalfby'],
            });
            return {
              createdBy: back.fields.createdby as Lookup | undefined,
              onBehalf: back.fields.createdonbehalfby as Lookup | undefined,
            };
          },
        }),
      );
      ok = true;
    } catch {
      for (const s of steps) if (s.status === 'pending') s.status = 'skipped';
    } finally {
      await Promise.allSettled([entra.close(), session.close()]);
    }
    return this.finish(org, runId, ok, opts, save);
  }
}

/**
 * crm-auth's one rule for naming an org ({@link matchOrganization}: the unique name, else the
 * friendly name), with "no such org" as null so that onboarding explains it with what the account
 * sees. A friendly name two orgs share stays ERR_ORG_AMBIGUOUS (the step fails as ORG_AMBIGUOUS,
 * its message naming the unique names to give instead).
 */
function findOrganization(details: readonly OrganizationDetail[], wanted: string): OrganizationDetail | null {
  try {
    return matchOrganization(details, wanted);
  } catch (err) {
    if (isCrmAuthError(err, 'ERR_ORG_NOT_FOUND')) return null;
    throw err;
  }
}

export function idOf(v: unknown): string | null {
  if (typeof v === 'string') return v.replace(/[{}]/g, '').toLowerCase();
  if (v && typeof v === 'object' && 'id' in v) return String((v as Lookup).id);
  return null;
}

export { ZERO as EMPTY_CALLER };
