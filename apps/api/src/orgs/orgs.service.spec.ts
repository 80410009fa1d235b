import { describe, expect, it } from 'vitest';
import type { AdminAuditService } from '../admin-audit/admin-audit.service';
import type { CertificatesService } from '../certificates/certificates.service';
import { DomainException } from '../common/domain-exception';
import type { RequestContext } from '../common/principal';
import type { TicketHealthService } from '../tickets/ticket-health.service';
import type { TicketsService } from '../tickets/tickets.service';
import type { OnboardingRunEntity } from './onboarding-run.entity';
import type { OnboardingService } from './onboarding.service';
import type { OrgEntity } from './org.entity';
import type { NewOrgRow, NewRunRow, OrgPatch, OrgsRepository, RunPatch } from './orgs.repository';
import { OrgsService } from './orgs.service';

const CERT = 'cccccccc-0000-4000-8000-000000000001';
const CERT2 = 'cccccccc-0000-4000-8000-000000000002';
const T0 = new Date('2026-12-03T10:00:00Z');
const CTX = { principal: { userId: 'admin-1' }, requestId: 'r', ip: null, userAgent: null } as RequestContext;
const MANAGER = { marker: 'the transaction' };

/** An OrgsRepository kept in memory, logging its writes; `transaction` runs on the same copy with MANAGER. */
function fakeRepo() {
  const orgs = new Map<string, OrgEntity>();
  const runs = new Map<string, OnboardingRunEntity>();
  const log: string[] = [];
  let n = 0;
  let runInsertError: unknown = null;
  const repo = {
    transaction: async <T>(work: (tx: OrgsRepository, m: unknown) => Promise<T>) => {
      log.push('begin');
      const out = await work(repo, MANAGER);
      log.push('commit');
      return out;
    },
    findById: async (id: string) => orgs.get(id) ?? null,
    listByCreation: async () => [...orgs.values()],
    findDuplicate: async (url: string, name: string) => {
      log.push(`findDuplicate ${url} ${name}`);
      return (
        [...orgs.values()].find(
          (o) => o.discoveryUrl === url && o.friendlyName.toLowerCase() === name.toLowerCase(),
        ) ?? null
      );
    },
    insert: async (row: NewOrgRow) => {
      const org = {
        id: `org-${++n}`,
        organizationName: null,
        organizationId: null,
        crmServiceUrl: null,
        stagedCertificateId: null,
        serviceAccountUserId: null,
        serviceAccountName: null,
        createdAt: T0,
        updatedAt: T0,
        ...row,
      } as OrgEntity;
      orgs.set(org.id, org);
      log.push(`insert org ${row.status}`);
      return org;
    },
    update: async (id: string, patch: OrgPatch) => {
      log.push(`update org ${Object.keys(patch).join(',')}`);
      orgs.set(id, { ...orgs.get(id)!, ...patch });
    },
    insertRun: async (row: NewRunRow) => {
      if (runInsertError) throw runInsertError;
      const run = { id: `run-${++n}`, startedAt: T0, finishedAt: null, ...row } as OnboardingRunEntity;
      runs.set(run.id, run);
      log.push(`insert run ${row.status}`);
      return run;
    },
    updateRun: async (id: string, orgId: string, patch: RunPatch) => {
      log.push(`update run ${Object.keys(patch).join(',')}`);
      const run = runs.get(id)!;
      if (run.orgId === orgId) runs.set(id, { ...run, ...patch });
    },
    getRun: async (id: string, orgId: string) => {
      const run = runs.get(id);
      if (!run || run.orgId !== orgId) throw new Error('EntityNotFound');
      return run;
    },
    latestRun: async (orgId: string) => [...runs.values()].reverse().find((r) => r.orgId === orgId) ?? null,
    failStaleRuns: async (orgId: string) => void log.push(`failStaleRuns ${orgId}`),
  } as unknown as OrgsRepository;
  return {
    repo,
    orgs,
    runs,
    log,
    failRunInsert: (err: unknown) => {
      runInsertError = err;
    },
  };
}

interface Opts {
  certificate?: { status: string; problems?: { message: string }[] } | null;
  bundleError?: Error & { code?: string };
  onboard?: (org: OrgEntity, runId: string, keepActive: boolean) => Promise<void>;
}

function setup(opts: Opts = {}) {
  const fake = fakeRepo();
  const calls: string[] = [];
  const audits: { action: string; manager: unknown; orgId?: string; target?: unknown; diff?: unknown }[] = [];
  const cert = opts.certificate === undefined ? { status: 'valid' } : opts.certificate;
  const certificates = {
    get: async (id: string) => {
      if (!cert) throw new DomainException(404, 'CERTIFICATE_NOT_FOUND', 'none');
      return { id, name: 'Svc cert', serviceAccountLiveId: 'svc@example.test', problems: [], ...cert };
    },
    loadBundle: async (id: string) => {
      if (opts.bundleError) throw opts.bundleError;
      return { bundleOf: id };
    },
  } as unknown as CertificatesService;
  const onboarding = {
    run: async (org: OrgEntity, runId: string, _b: unknown, _sa: string, o: { keepActive?: boolean }) => {
      calls.push(`onboard ${org.id} keepActive=${o.keepActive}`);
      await opts.onboard?.(org, runId, o.keepActive ?? false);
      await fake.repo.updateRun(runId, org.id, { status: 'succeeded', finishedAt: T0 });
      return fake.repo.getRun(runId, org.id);
    },
  } as unknown as OnboardingService;
  const tickets = {
    forget: (orgId: string) => void calls.push(`forget ${orgId}`),
    clearTickets: async (orgId: string) => void calls.push(`clearTickets ${orgId}`),
    verifyCertificate: async (org: OrgEntity, bundle: { bundleOf: string }) =>
      void calls.push(`verify ${org.id} ${bundle.bundleOf}`),
    breakerState: () => 'closed',
  } as unknown as TicketsService;
  const ticketHealth = { summary: async () => null } as unknown as TicketHealthService;
  const audit = {
    record: async (_ctx: RequestContext, entry: { action: string }, manager?: unknown) =>
      void audits.push({ ...entry, manager }),
  } as unknown as AdminAuditService;
  const service = new OrgsService(fake.repo, certificates, onboarding, tickets, ticketHealth, audit);
  return { ...fake, service, calls, audits };
}

const dto = { discoveryUrl: ' https://disco.example/ ', friendlyName: ' Contoso ', certificateId: CERT };

async function codeOf(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainException);
  const d = err as DomainException;
  return { status: d.status, code: d.code, details: d.details };
}

function activeOrg(s: ReturnType<typeof setup>, over: Partial<OrgEntity> = {}): OrgEntity {
  const org = {
    id: 'org-a',
    discoveryUrl: 'https://disco.example/',
    friendlyName: 'Contoso',
    organizationName: 'contoso',
    organizationId: 'oid',
    crmServiceUrl: 'https://crm.example/',
    certificateId: CERT,
    stagedCertificateId: null,
    status: 'active',
    serviceAccountUserId: null,
    serviceAccountName: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  } as OrgEntity;
  s.orgs.set(org.id, org);
  return org;
}

describe('OrgsService.create', () => {
  it('refuses an unknown certificate (404) and an invalid one (422, naming its problems) before writing', async () => {
    const missing = setup({ certificate: null });
    expect(await codeOf(missing.service.create(dto, CTX))).toMatchObject({
      status: 404,
      code: 'CERTIFICATE_NOT_FOUND',
    });
    const invalid = setup({ certificate: { status: 'invalid', problems: [{ message: 'Expired.' }] } });
    const err = await invalid.service.create(dto, CTX).catch((e: DomainException) => e);
    expect(err).toMatchObject({ status: 422, code: 'CERTIFICATE_INVALID' });
    expect((err as Error).message).toContain('Expired.');
    expect([...missing.log, ...invalid.log]).toEqual([]);
  });

  it('answers ORG_EXISTS (409, with its id) for the same trimmed name from the same discovery service, case aside', async () => {
    const s = setup();
    const org = activeOrg(s, { friendlyName: 'CONTOSO' });
    expect(await codeOf(s.service.create(dto, CTX))).toEqual({
      status: 409,
      code: 'ORG_EXISTS',
      details: { id: org.id },
    });
    expect(s.log).toEqual(['begin', 'findDuplicate https://disco.example/ Contoso']);
  });

  it('inserts the org (onboarding) and a running run in one transaction with its audit row, then onboards it', async () => {
    const s = setup();
    const { org, run } = await s.service.create(dto, CTX);
    expect(s.log.slice(0, 5)).toEqual([
      'begin',
      'findDuplicate https://disco.example/ Contoso',
      'insert org onboarding',
      'insert run running',
      'commit',
    ]);
    expect(s.audits).toEqual([
      {
        action: 'org.create',
        orgId: org.id,
        target: 'Contoso',
        diff: { discoveryUrl: 'https://disco.example/', certificateId: CERT },
        manager: MANAGER,
      },
    ]);
    const stored = s.runs.get(run.id)!;
    expect(stored.startedBy).toBe('admin-1');
    expect(stored.steps.every((st) => st.status === 'pending')).toBe(true);
    expect(s.calls).toEqual([`onboard ${org.id} keepActive=false`]);
    expect(run.status).toBe('succeeded');
    expect(org).toMatchObject({
      friendlyName: 'Contoso',
      discoveryUrl: 'https://disco.example/',
      status: 'onboarding',
    });
  });

  it('records why onboarding could not start: the first step failed with the error code, the rest skipped, the org failed', async () => {
    const bundleError = Object.assign(new Error('The key does not open.'), {
      code: 'CERTIFICATE_KEY_UNREADABLE',
    });
    const s = setup({ bundleError });
    const { org, run } = await s.service.create(dto, CTX);
    expect(run.status).toBe('failed');
    expect(run.finishedAt).not.toBeNull();
    const [first, ...rest] = run.steps;
    expect(first).toMatchObject({
      status: 'failed',
      durationMs: 0,
      detail: 'The key does not open.',
      error: {
        code: 'CERTIFICATE_KEY_UNREADABLE',
        message: 'The key does not open.',
        hint: 'Check the certificate of this org, then retry.',
      },
    });
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((st) => st.status === 'skipped')).toBe(true);
    expect(org.status).toBe('failed');
  });

  it('uses ONBOARDING_NOT_STARTED for an error without a code', async () => {
    const s = setup({ bundleError: new Error('boom') });
    const { run } = await s.service.create(dto, CTX);
    expect(run.steps[0]!.error?.code).toBe('ONBOARDING_NOT_STARTED');
  });
});

describe('OrgsService.rerun', () => {
  it('fails stale running runs first, then starts a run; a new or failed org shows "onboarding" meanwhile', async () => {
    let statusDuringRun = '';
    const s = setup({
      onboard: async (org) => {
        statusDuringRun = s.orgs.get(org.id)!.status;
      },
    });
    activeOrg(s, { status: 'failed' });
    const { run } = await s.service.rerun('org-a', CTX);
    expect(s.log.slice(0, 3)).toEqual([
      'failStaleRuns org-a',
      'insert run running',
      'update org status,updatedAt',
    ]);
    expect(statusDuringRun).toBe('onboarding');
    expect(s.calls).toEqual(['onboard org-a keepActive=false', 'forget org-a']);
    expect(s.audits.map((a) => [a.action, a.target, a.manager])).toEqual([
      ['org.onboarding.rerun', 'Contoso', undefined],
    ]);
    expect(run.status).toBe('succeeded');
  });

  it('keeps an active org active while it is checked again, and when the check cannot start', async () => {
    const s = setup({ bundleError: new Error('gone') });
    activeOrg(s);
    const { org, run } = await s.service.rerun('org-a', CTX);
    expect(run.status).toBe('failed');
    expect(org.status).toBe('active');
    expect(s.log.filter((l) => l.startsWith('update org'))).toEqual([]);
  });

  it('passes keepActive to onboarding for an active org', async () => {
    const s = setup();
    activeOrg(s);
    await s.service.rerun('org-a', CTX);
    expect(s.calls[0]).toBe('onboard org-a keepActive=true');
  });

  it('answers ONBOARDING_RUNNING (409) when the unique index refuses a second running run, and rethrows anything else', async () => {
    const s = setup();
    activeOrg(s);
    s.failRunInsert(Object.assign(new Error('duplicate key'), { code: '23505' }));
    expect(await codeOf(s.service.rerun('org-a', CTX))).toMatchObject({
      status: 409,
      code: 'ONBOARDING_RUNNING',
    });
    const other = Object.assign(new Error('connection lost'), { code: '08006' });
    s.failRunInsert(other);
    await expect(s.service.rerun('org-a', CTX)).rejects.toBe(other);
    expect(s.calls).toEqual([]);
    expect(s.audits).toEqual([]);
  });

  it('answers ORG_NOT_FOUND for an unknown org', async () => {
    expect(await codeOf(setup().service.rerun('nope', CTX))).toMatchObject({
      status: 404,
      code: 'ORG_NOT_FOUND',
    });
  });
});

describe('OrgsService reads', () => {
  it("maps an org's view: its newest run, its service account (name '' when unknown), ticket and breaker", async () => {
    const s = setup();
    activeOrg(s, { serviceAccountUserId: 'sa-1', serviceAccountName: null });
    await s.repo.insertRun({ orgId: 'org-a', status: 'failed', steps: [], startedBy: null });
    const newest = await s.repo.insertRun({
      orgId: 'org-a',
      status: 'succeeded',
      steps: [],
      startedBy: null,
    });
    const view = await s.service.get('org-a');
    expect(view).toMatchObject({
      id: 'org-a',
      status: 'active',
      serviceAccount: { id: 'sa-1', name: '' },
      createdAt: T0.toISOString(),
      lastRun: { id: newest.id, status: 'succeeded', startedAt: T0.toISOString(), finishedAt: null },
      ticket: null,
      breaker: 'closed',
    });
  });

  it('lists every org with a null run and service account when it has none', async () => {
    const s = setup();
    activeOrg(s);
    expect((await s.service.list()).map((v) => [v.id, v.lastRun, v.serviceAccount])).toEqual([
      ['org-a', null, null],
    ]);
  });

  it('answers RUN_NOT_FOUND for an org without a run, and ORG_NOT_FOUND before that for an unknown org', async () => {
    const s = setup();
    activeOrg(s);
    expect(await codeOf(s.service.latestRun('org-a'))).toMatchObject({ status: 404, code: 'RUN_NOT_FOUND' });
    expect(await codeOf(s.service.latestRun('nope'))).toMatchObject({ status: 404, code: 'ORG_NOT_FOUND' });
  });
});

describe('OrgsService certificate rotation', () => {
  it('refuses to stage before onboarding, the active certificate itself, or an invalid certificate', async () => {
    const s = setup();
    activeOrg(s, { organizationName: null });
    expect(await codeOf(s.service.stageCertificate('org-a', CERT2, CTX))).toMatchObject({
      code: 'ORG_NOT_ONBOARDED',
    });
    activeOrg(s);
    expect(await codeOf(s.service.stageCertificate('org-a', CERT, CTX))).toMatchObject({
      status: 409,
      code: 'CERTIFICATE_ALREADY_ACTIVE',
    });
    const invalid = setup({ certificate: { status: 'invalid' } });
    activeOrg(invalid);
    expect(await codeOf(invalid.service.stageCertificate('org-a', CERT2, CTX))).toMatchObject({
      status: 422,
      code: 'CERTIFICATE_INVALID',
    });
    expect([...s.log, ...invalid.log]).toEqual([]);
  });

  it('stages a certificate only after a real ticket request proved it, with the audit row in the same transaction', async () => {
    const s = setup();
    activeOrg(s);
    const view = await s.service.stageCertificate('org-a', CERT2, CTX);
    expect(s.calls).toEqual([`verify org-a ${CERT2}`]);
    expect(s.log).toEqual(['begin', 'update org stagedCertificateId,updatedAt', 'commit']);
    expect(s.audits).toEqual([
      { action: 'org.certificate.stage', orgId: 'org-a', target: CERT2, manager: MANAGER },
    ]);
    expect(view.stagedCertificateId).toBe(CERT2);
  });

  it('promotes the staged certificate, then drops the tickets of the old one', async () => {
    const s = setup();
    activeOrg(s, { stagedCertificateId: CERT2 });
    const view = await s.service.promoteCertificate('org-a', CTX);
    expect(view).toMatchObject({ certificateId: CERT2, stagedCertificateId: null });
    expect(s.audits).toEqual([
      {
        action: 'org.certificate.promote',
        orgId: 'org-a',
        target: CERT2,
        diff: { previous: CERT },
        manager: MANAGER,
      },
    ]);
    expect(s.calls).toEqual(['clearTickets org-a', 'forget org-a']);
  });

  it('answers NO_STAGED_CERTIFICATE (409) when there is nothing to promote', async () => {
    const s = setup();
    activeOrg(s);
    expect(await codeOf(s.service.promoteCertificate('org-a', CTX))).toMatchObject({
      status: 409,
      code: 'NO_STAGED_CERTIFICATE',
    });
    expect(s.calls).toEqual([]);
  });

  it('unstages in one transaction with its audit row', async () => {
    const s = setup();
    activeOrg(s, { stagedCertificateId: CERT2 });
    const view = await s.service.unstageCertificate('org-a', CTX);
    expect(view.stagedCertificateId).toBeNull();
    expect(s.audits).toEqual([{ action: 'org.certificate.unstage', orgId: 'org-a', manager: MANAGER }]);
    expect(s.log).toEqual(['begin', 'update org stagedCertificateId,updatedAt', 'commit']);
  });
});
