import { Injectable } from '@nestjs/common';
import { AdminAuditService } from '../admin-audit/admin-audit.service';
import { CertificatesService } from '../certificates/certificates.service';
import { badRequest, conflict, notFound, unprocessable } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import { TicketHealthService, type TicketSummary } from '../tickets/ticket-health.service';
import { TicketsService } from '../tickets/tickets.service';
import type { CreateOrgDto } from './dto/create-org.dto';
import type { OnboardingRunEntity } from './onboarding-run.entity';
import { OnboardingService, pendingSteps } from './onboarding.service';
import type { OrgEntity } from './org.entity';
import { OrgsRepository } from './orgs.repository';

export interface RunView {
  id: string;
  status: OnboardingRunEntity['status'];
  startedAt: string;
  finishedAt: string | null;
  steps: OnboardingRunEntity['steps'];
}

export interface OrgView {
  id: string;
  kind: OrgEntity['kind'];
  friendlyName: string;
  organizationName: string | null;
  organizationId: string | null;
  discoveryUrl: string | null;
  tenant: string | null;
  environmentUrl: string | null;
  clientId: string | null;
  crmServiceUrl: string | null;
  status: OrgEntity['status'];
  certificateId: string;
  stagedCertificateId: string | null;
  serviceAccount: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
  lastRun: RunView | null;
  ticket: TicketSummary | null;
  breaker: 'closed' | 'open' | 'half-open';
}

@Injectable()
export class OrgsService {
  constructor(
    private readonly repo: OrgsRepository,
    private readonly certificates: CertificatesService,
    private readonly onboarding: OnboardingService,
    private readonly tickets: TicketsService,
    private readonly ticketHealth: TicketHealthService,
    private readonly audit: AdminAuditService,
  ) {}

  async create(dto: CreateOrgDto, ctx: RequestContext): Promise<{ org: OrgView; run: RunView }> {
    const cert = await this.certificates.get(dto.certificateId).catch(() => null);
    if (!cert)
      throw notFound(
        'CERTIFICATE_NOT_FOUND',
        'No certificate with this id: upload the service-account certificate first.',
      );
    if (cert.status === 'invalid') {
      throw unprocessable(
        'CERTIFICATE_INVALID',
        `The certificate "${cert.name}" cannot be used: ${cert.problems.map((p) => p.message).join(' ')}`,
      );
    }
    const place = platformOf(dto);
    const friendlyName = dto.friendlyName.trim();
    const { org, runId } = await this.repo.transaction(async (tx, m) => {
      const dup =
        place.kind === 'dataverse'
          ? await tx.findEnvironment(place.environmentUrl)
          : await tx.findDuplicate(place.discoveryUrl, friendlyName);
      if (dup)
        throw conflict(
          'ORG_EXISTS',
          place.kind === 'dataverse'
            ? `"${dup.friendlyName}" is already onboarded from this environment.`
            : `"${dup.friendlyName}" is already onboarded from this discovery service.`,
          { id: dup.id },
        );
      const org = await tx.insert({
        ...place,
        friendlyName,
        certificateId: dto.certificateId,
        status: 'onboarding',
      });
      const run = await tx.insertRun({
        orgId: org.id,
        status: 'running',
        steps: pendingSteps(place.kind),
        startedBy: ctx.principal?.userId ?? null,
      });
      await this.audit.record(
        ctx,
        {
          action: 'org.create',
          orgId: org.id,
          target: friendlyName,
          // A CRM 4.0 org's entry as it always was; a Dataverse org's names its kind and where it is.
          diff:
            place.kind === 'crm4'
              ? { discoveryUrl: place.discoveryUrl, certificateId: dto.certificateId }
              : { ...place, certificateId: dto.certificateId },
        },
        m,
      );
      return { org, runId: run.id };
    });
    const run = await this.execute(org, runId);
    return { org: await this.get(org.id), run: toRunView(run) };
  }

  async rerun(orgId: string, ctx: RequestContext): Promise<{ org: OrgView; run: RunView }> {
    const org = await this.entity(orgId);
    // A run left "running" by a crashed instance must not block the org for good.
    await this.repo.failStaleRuns(orgId);
    let run: OnboardingRunEntity;
    try {
      run = await this.repo.insertRun({
        orgId,
        status: 'running',
        steps: pendingSteps(org.kind),
        startedBy: ctx.principal?.userId ?? null,
      });
    } catch (err) {
      // The unique index on running runs: another admin (or instance) started one a moment ago.
      if ((err as { code?: string }).code === '23505')
        throw conflict('ONBOARDING_RUNNING', 'An onboarding run for this org is already in progress.');
      throw err;
    }
    // An active org keeps serving calls while it is checked again; only a new or failed one shows "onboarding".
    const wasActive = org.status === 'active';
    if (!wasActive) await this.repo.update(orgId, { status: 'onboarding', updatedAt: new Date() });
    await this.audit.record(ctx, { action: 'org.onboarding.rerun', orgId, target: org.friendlyName });
    const done = await this.execute(org, run.id, wasActive);
    this.tickets.forget(orgId);
    return { org: await this.get(orgId), run: toRunView(done) };
  }

  private async execute(org: OrgEntity, runId: string, wasActive = false): Promise<OnboardingRunEntity> {
    try {
      const cert = await this.certificates.get(org.certificateId);
      const bundle = await this.certificates.loadBundle(org.certificateId);
      return await this.onboarding.run(org, runId, bundle, cert.serviceAccountLiveId, {
        keepActive: wasActive,
      });
    } catch (err) {
      // Never leave an org or a run "in progress" for good: record why it could not even start.
      const message = err instanceof Error ? err.message : 'unknown error';
      const steps = pendingSteps(org.kind).map((s, i) =>
        i === 0
          ? {
              ...s,
              status: 'failed' as const,
              durationMs: 0,
              detail: message,
              error: {
                code: (err as { code?: string }).code ?? 'ONBOARDING_NOT_STARTED',
                message,
                hint: 'Check the certificate of this org, then retry.',
              },
            }
          : { ...s, status: 'skipped' as const },
      );
      await this.repo.updateRun(runId, org.id, { status: 'failed', steps, finishedAt: new Date() });
      if (!wasActive) await this.repo.update(org.id, { status: 'failed', updatedAt: new Date() });
      return this.repo.getRun(runId, org.id);
    }
  }

  async entity(orgId: string): Promise<OrgEntity> {
    const org = await this.repo.findById(orgId);
    if (!org) throw notFound('ORG_NOT_FOUND', 'No org with this id.');
    return org;
  }

  async latestRun(orgId: string): Promise<RunView> {
    await this.entity(orgId);
    const run = await this.repo.latestRun(orgId);
    if (!run) throw notFound('RUN_NOT_FOUND', 'This org has no onboarding run.');
    return toRunView(run);
  }

  async list(): Promise<OrgView[]> {
    const orgs = await this.repo.listByCreation();
    return Promise.all(orgs.map((o) => this.view(o)));
  }

  async get(orgId: string): Promise<OrgView> {
    return this.view(await this.entity(orgId));
  }

  private async view(o: OrgEntity): Promise<OrgView> {
    const run = await this.repo.latestRun(o.id);
    return {
      id: o.id,
      kind: o.kind,
      friendlyName: o.friendlyName,
      organizationName: o.organizationName,
      organizationId: o.organizationId,
      discoveryUrl: o.discoveryUrl,
      tenant: o.tenant,
      environmentUrl: o.environmentUrl,
      clientId: o.clientId,
      crmServiceUrl: o.crmServiceUrl,
      status: o.status,
      certificateId: o.certificateId,
      stagedCertificateId: o.stagedCertificateId,
      serviceAccount: o.serviceAccountUserId
        ? { id: o.serviceAccountUserId, name: o.serviceAccountName ?? '' }
        : null,
      createdAt: o.createdAt.toISOString(),
      updatedAt: o.updatedAt.toISOString(),
      lastRun: run ? toRunView(run) : null,
      ticket: await this.ticketHealth.summary(o.id),
      breaker: this.tickets.breakerState(o.id),
    };
  }

  /** Rotation, step 1: stage a certificate and prove it with a real ticket request. */
  async stageCertificate(orgId: string, certificateId: string, ctx: RequestContext): Promise<OrgView> {
    const org = await this.entity(orgId);
    if (!(org.kind === 'dataverse' ? org.serviceAccountUserId : org.organizationName))
      throw conflict('ORG_NOT_ONBOARDED', 'Onboard the org before rotating its certificate.');
    if (certificateId === org.certificateId)
      throw conflict('CERTIFICATE_ALREADY_ACTIVE', 'This certificate is already the active one.');
    const cert = await this.certificates.get(certificateId);
    if (cert.status === 'invalid')
      throw unprocessable('CERTIFICATE_INVALID', `The certificate "${cert.name}" cannot be used.`);
    const bundle = await this.certificates.loadBundle(certificateId);
    await this.tickets.verifyCertificate(org, bundle);
    await this.repo.transaction(async (tx, m) => {
      await tx.update(orgId, { stagedCertificateId: certificateId, updatedAt: new Date() });
      await this.audit.record(ctx, { action: 'org.certificate.stage', orgId, target: certificateId }, m);
    });
    return this.get(orgId);
  }

  /** Rotation, step 2: the staged certificate becomes active; current tickets stay valid meanwhile. */
  async promoteCertificate(orgId: string, ctx: RequestContext): Promise<OrgView> {
    const org = await this.entity(orgId);
    if (!org.stagedCertificateId)
      throw conflict('NO_STAGED_CERTIFICATE', 'Stage and verify a certificate first.');
    await this.repo.transaction(async (tx, m) => {
      await tx.update(orgId, {
        certificateId: org.stagedCertificateId!,
        stagedCertificateId: null,
        updatedAt: new Date(),
      });
      await this.audit.record(
        ctx,
        {
          action: 'org.certificate.promote',
          orgId,
          target: org.stagedCertificateId,
          diff: { previous: org.certificateId },
        },
        m,
      );
    });
    // Tickets obtained with the old certificate are dropped: the next call signs in with the new one
    // (already proven by the stage step), so no call fails in between.
    await this.tickets.clearTickets(orgId);
    this.tickets.forget(orgId);
    return this.get(orgId);
  }

  async unstageCertificate(orgId: string, ctx: RequestContext): Promise<OrgView> {
    await this.entity(orgId);
    await this.repo.transaction(async (tx, m) => {
      await tx.update(orgId, { stagedCertificateId: null, updatedAt: new Date() });
      await this.audit.record(ctx, { action: 'org.certificate.unstage', orgId }, m);
    });
    return this.get(orgId);
  }
}

/** Where a new org is, by its kind: each kind's own fields, and a clear 400 for the other kind's. */
export function platformOf(
  dto: CreateOrgDto,
):
  | { kind: 'crm4'; discoveryUrl: string }
  | { kind: 'dataverse'; tenant: string; environmentUrl: string; clientId: string } {
  if (dto.kind === 'dataverse') {
    if (dto.discoveryUrl !== undefined)
      throw badRequest(
        'VALIDATION_FAILED',
        'discoveryUrl is for CRM 4.0 orgs: a Dataverse org is found by tenant, environmentUrl and clientId.',
      );
    return {
      kind: 'dataverse',
      tenant: dto.tenant!.trim().toLowerCase(),
      environmentUrl: dto.environmentUrl!.trim().replace(/\/+$/, ''),
      clientId: dto.clientId!.toLowerCase(),
    };
  }
  const foreign = (['tenant', 'environmentUrl', 'clientId'] as const).filter((k) => dto[k] !== undefined);
  if (foreign.length)
    throw badRequest(
      'VALIDATION_FAILED',
      `${foreign.join(', ')} ${foreign.length > 1 ? 'are' : 'is'} for Dataverse orgs (kind "dataverse"); a CRM 4.0 org is found by its discoveryUrl.`,
    );
  return { kind: 'crm4', discoveryUrl: dto.discoveryUrl!.trim() };
}

export function toRunView(r: OnboardingRunEntity): RunView {
  return {
    id: r.id,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    steps: r.steps,
  };
}
