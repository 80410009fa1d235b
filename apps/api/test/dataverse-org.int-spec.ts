import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from './harness';
import { uploadDemoCertificate } from './support/orgs';


interface Step {
  name: string;
  status: string;
  detail: string | null;
  error?: { code: string; message: string; hint: string };
}
interface OrgWithRun {
  org: {
    id: string;
    kind: string;
    status: string;
    tenant: string | null;
    environmentUrl: string | null;
    clientId: string | null;
    discoveryUrl: string | null;
    serviceAccount: { id: string; name: string } | null;
    ticket: { state: string; crmTicketExpiresAt: string | null; refreshCount: number } | null;
  };
  run: { status: string; steps: Step[] };
}

interface LedgerItem {
  operation: string;
  entity: string | null;
  recordId: string | null;
  outcome: string;
  errorCode: string | null;
  serviceAccount: { id: string | null; name: string | null };
  onBehalfOf: { id: string; name: string | null; puid: string | null } | null;
}

describe('a Dataverse org through the API, against the emulated identity platform and Web API', () => {
  let s: TestStack;
  let certId: string;
  let orgId: string;
  let appUserId: string;
  let jonUserId: string;

  const dataverseOrg = (over: Record<string, unknown> = {}) => ({
    kind: 'dataverse',
    friendlyName: 'Contoso (Dataverse)',
    tenant: s.emulator.entra.tenantDomain,
    environmentUrl: s.emulator.entra.environmentUrl,
    clientId: s.emulator.entra.clientId,
    certificateId: certId,
    ...over,
  });

  beforeAll(async () => {
    s = await startTestStack();
    certId = await uploadDemoCertificate(s.admin, s.emulator);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('onboards the demo environment: token, application user, delegation and a stamped test write all succeed', async () => {
    const res = await s.admin.post('/api/orgs', dataverseOrg());
    const body = await json<OrgWithRun>(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.run.steps.map((x) => [x.name, x.status])).toEqual([
      ['token', 'succeeded'],
      ['whoami', 'succeeded'],
      ['delegate', 'succeeded'],
      ['test-write', 'succeeded'],
    ]);
    expect(body.run.status).toBe('succeeded');
    expect(body.org).toMatchObject({
      kind: 'dataverse',
      status: 'active',
      tenant: s.emulator.entra.tenantDomain,
      environmentUrl: s.emulator.entra.environmentUrl,
      clientId: s.emulator.entra.clientId,
      discoveryUrl: null,
      serviceAccount: { name: 'Onbehalf ISV integration' },
    });
    // Ticket health shows the access token: stored, valid, with its expiry.
    expect(body.org.ticket?.state).toBe('valid');
    expect(Date.parse(body.org.ticket!.crmTicketExpiresAt!)).toBeGreaterThan(Date.now());
    const testWrite = body.run.steps.find((x) => x.name === 'test-write')!;
    expect(testWrite.detail).toMatch(/createdby Jon Wilson, createdonbehalfby Onbehalf ISV integration/);
    orgId = body.org.id;
    appUserId = body.org.serviceAccount!.id;
    // The onboarding test write has its ledger row, on behalf of Jon.
    const calls = await json<{ items: LedgerItem[] }>(await s.admin.get(`/api/orgs/${orgId}/calls`));
    expect(calls.items).toHaveLength(1);
    expect(calls.items[0]).toMatchObject({
      operation: 'Create',
      entity: 'account',
      outcome: 'completed',
      serviceAccount: { id: appUserId, name: 'Onbehalf ISV integration' },
      onBehalfOf: { name: 'Jon Wilson' },
    });
    jonUserId = calls.items[0]!.onBehalfOf!.id;
    expect(jonUserId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a second org of the same environment with 409 ORG_EXISTS', async () => {
    const res = await s.admin.post('/api/orgs', dataverseOrg({ friendlyName: 'Again' }));
    expect(res.status).toBe(409);
    expect((await json<{ code: string }>(res)).code).toBe('ORG_EXISTS');
  });

  it.each([
    ['a discoveryUrl', { discoveryUrl: 'https://disco.example/x' }, /discoveryUrl is for CRM 4\.0 orgs/],
    ['no tenant', { tenant: undefined }, /tenant must be/],
    [
      'a plain http environment',
      { environmentUrl: 'http://contoso.crm.dynamics.com' },
      /environmentUrl must be an https URL/,
    ],
    [
      'a clientId that is not a GUID',
      { clientId: 'isv-app' },
      /clientId must be the app's application \(client\) id/,
    ],
  ])('refuses a Dataverse org with %s: 400 naming the field', async (_what, over, message) => {
    const res = await s.admin.post('/api/orgs', dataverseOrg({ friendlyName: 'Bad', ...over }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(message);
  });

  it('refuses a CRM 4.0 org given Dataverse fields, with 400', async () => {
    const res = await s.admin.post('/api/orgs', {
      discoveryUrl: s.emulator.discoveryUrl,
      friendlyName: 'Contoso Ltd',
      certificateId: certId,
      tenant: 'contoso.onmicrosoft.com',
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/tenant is for Dataverse orgs/);
  });

  it('an app not consented in the tenant fails the token step (AADSTS700016) with the admin-consent URL as its hint', async () => {
    const dir = s.emulator.entra.directory;
    const tenant = dir.tenant(s.emulator.entra.tenantId)!;
    dir.revokeConsent(tenant, s.emulator.entra.clientId);
    try {
      const res = await s.admin.post(`/api/orgs/${orgId}/onboarding`);
      const body = await json<OrgWithRun>(res);
      expect(res.status).toBe(200);
      const token = body.run.steps[0]!;
      expect(token).toMatchObject({ name: 'token', status: 'failed' });
      expect(token.error?.code).toBe('ENTRA_APP_NOT_FOUND');
      expect(token.error?.hint).toContain(
        `${s.emulator.entra.authorityUrl}/${s.emulator.entra.tenantDomain}/adminconsent?client_id=${s.emulator.entra.clientId}`,
      );
      expect(body.run.steps.slice(1).map((x) => x.status)).toEqual(['skipped', 'skipped', 'skipped']);
      // A re-check of an active org does not take it out of service.
      expect(body.org.status).toBe('active');
    } finally {
      dir.grantConsent(tenant, s.emulator.entra.clientId);
    }
  });

  it('an app certificate the app registration does not know fails the token step (AADSTS700027) asking to upload it', async () => {
    s.emulator.control.addScenario({ name: 'WRONG_CERTIFICATE', endpoint: 'entra' });
    const body = await json<OrgWithRun>(await s.admin.post(`/api/orgs/${orgId}/onboarding`));
    s.emulator.control.clearScenarios();
    const token = body.run.steps[0]!;
    expect(token.error?.code).toBe('ENTRA_CERT_NOT_ON_APP');
    expect(token.error?.hint).toMatch(
      /Upload this certificate \(thumbprint [0-9a-f ]+\) to the app registration/,
    );
  });

  it('an application user without the Delegate role fails the delegate step (0x8004A110) with the role to give', async () => {
    s.emulator.control.addScenario({ name: 'NO_PROXY_ROLE', org: 'contosodv' });
    const body = await json<OrgWithRun>(await s.admin.post(`/api/orgs/${orgId}/onboarding`));
    s.emulator.control.clearScenarios();
    expect(body.run.steps.map((x) => [x.name, x.status])).toEqual([
      ['token', 'succeeded'],
      ['whoami', 'succeeded'],
      ['delegate', 'failed'],
      ['test-write', 'skipped'],
    ]);
    const delegate = body.run.steps[2]!;
    expect(delegate.error?.code).toBe('CRM_PRIVILEGE_DENIED');
    expect(delegate.error?.hint).toContain('Delegate security role directly');
    expect(delegate.error?.hint).toContain('not through a team');
  });

  it('a re-run after the fixes succeeds again', async () => {
    const body = await json<OrgWithRun>(await s.admin.post(`/api/orgs/${orgId}/onboarding`));
    expect(body.run.status).toBe('succeeded');
  });
});
