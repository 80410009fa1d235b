import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from './harness';
import { onboard, uploadDemoCertificate } from './support/orgs';

/** The demo tenant's users (the emulator's DEMO_ENTRA). */
const JON_OBJECT_ID = 'b8c9d0e1-f2a3-4b4c-9d5e-6f7a8b9c0d1e';
const APP_OBJECT_ID = '7d2e9f41-3a5c-4b6d-8e1f-2a3b4c5d6e7f';

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

  /** Creates an account on behalf of `onBehalfOf`; reads it back stamped, and its ledger row. */
  async function createAndReadBack(onBehalfOf: Record<string, string>, name: string) {
    const res = await s.admin.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name, telephone1: '555-0100' },
      onBehalfOf,
    });
    const created = await json<{ id: string; ledgerId: string }>(res);
    expect(res.status, JSON.stringify(created)).toBe(201);
    const read = await s.admin.get(
      `/api/orgs/${orgId}/records/account/${created.id}?columns=name,telephone1,createdby,createdonbehalfby`,
    );
    expect(read.status).toBe(200);
    const { entity } = await json<{ entity: { attributes: Record<string, unknown> } }>(read);
    const calls = await json<{ items: Array<LedgerItem & { id: string }> }>(
      await s.admin.get(`/api/orgs/${orgId}/calls?limit=50`),
    );
    return {
      created,
      attributes: entity.attributes,
      row: calls.items.find((r) => r.id === created.ledgerId),
    };
  }

  it('creates a record on behalf of Jon by his Entra object id: stamped createdby Jon, createdonbehalfby the app user, in the ledger', async () => {
    const { created, attributes, row } = await createAndReadBack(
      { entraObjectId: JON_OBJECT_ID },
      'By object id',
    );
    expect(attributes).toMatchObject({
      name: 'By object id',
      telephone1: '555-0100',
      createdby: { id: jonUserId, type: 'systemuser', name: 'Jon Wilson' },
      createdonbehalfby: { id: appUserId, type: 'systemuser', name: 'Onbehalf ISV integration' },
    });
    expect(row).toMatchObject({
      operation: 'Create',
      recordId: created.id,
      outcome: 'completed',
      serviceAccount: { id: appUserId, name: 'Onbehalf ISV integration' },
      onBehalfOf: { id: jonUserId, name: 'Jon Wilson', puid: null },
    });
  });

  it('creates a record on behalf of Jon by his systemuserid, stamped and recorded the same', async () => {
    const { created, attributes, row } = await createAndReadBack({ userId: jonUserId }, 'By user id');
    expect(attributes).toMatchObject({
      createdby: { id: jonUserId },
      createdonbehalfby: { id: appUserId },
    });
    expect(row).toMatchObject({ recordId: created.id, onBehalfOf: { id: jonUserId, name: 'Jon Wilson' } });
  });

  it('costs one round trip per call at steady state: 50 Creates on behalf of Jon (Entra object id) are 50 Web API POSTs, no token request, no user look-up', async () => {
    // The first call resolves Jon once (cached) and holds the token.
    await createAndReadBack({ entraObjectId: JON_OBJECT_ID }, 'Warm up');
    s.emulator.control.resetCounts();
    for (let i = 0; i < 50; i++) {
      const res = await s.admin.post(`/api/orgs/${orgId}/records/account`, {
        attributes: { name: `Round trip ${i}` },
        onBehalfOf: { entraObjectId: JON_OBJECT_ID },
      });
      expect(res.status).toBe(201);
    }
    const counts = s.emulator.control.counts();
    expect(counts.dataverse).toEqual({ POST: 50 });
    expect(counts.entra).toEqual({});
    expect(counts.total).toBe(50);
  });

  it('updates a record on behalf of Jon and answers WhoAmI for Jon, or the application user', async () => {
    const { created } = await createAndReadBack({ entraObjectId: JON_OBJECT_ID }, 'To rename');
    const patch = await s.admin.request('PATCH', `/api/orgs/${orgId}/records/account/${created.id}`, {
      attributes: { name: 'Renamed' },
      onBehalfOf: { entraObjectId: JON_OBJECT_ID },
    });
    expect(patch.status).toBe(200);
    const read = await json<{ entity: { attributes: Record<string, unknown> } }>(
      await s.admin.get(
        `/api/orgs/${orgId}/records/account/${created.id}?columns=name,modifiedby,modifiedonbehalfby`,
      ),
    );
    expect(read.entity.attributes).toMatchObject({
      name: 'Renamed',
      modifiedby: { id: jonUserId },
      modifiedonbehalfby: { id: appUserId },
    });
    const who = await s.admin.post(`/api/orgs/${orgId}/whoami`, {
      onBehalfOf: { entraObjectId: JON_OBJECT_ID },
    });
    expect(who.status).toBe(201);
    // Unlike CRM 4.0's, Dataverse's WhoAmI answers the user acted for; without onBehalfOf, the application user.
    expect((await json<{ userId: string }>(who)).userId).toBe(jonUserId);
    const own = await s.admin.post(`/api/orgs/${orgId}/whoami`, {});
    expect((await json<{ userId: string }>(own)).userId).toBe(appUserId);
  });

  it('refuses a PUID on a Dataverse org with 400 INVALID_ON_BEHALF_OF, and a call on behalf of the app user itself with 400 IMPERSONATION_NO_OP', async () => {
    const puid = await s.admin.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name: 'x' },
      onBehalfOf: { puid: '0003BFFD8F3A5B21' },
    });
    expect(puid.status).toBe(400);
    const body = await json<{ code: string; message: string }>(puid);
    expect(body.code).toBe('INVALID_ON_BEHALF_OF');
    expect(body.message).toMatch(/^This org runs on Dataverse: /);
    const self = await s.admin.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name: 'x' },
      onBehalfOf: { entraObjectId: APP_OBJECT_ID },
    });
    expect(self.status).toBe(400);
    expect((await json<{ code: string }>(self)).code).toBe('IMPERSONATION_NO_OP');
  });

  it("refuses an Entra object id given as a userId (Dataverse's second silent no-op) with 400 INVALID_ON_BEHALF_OF before anything is written", async () => {
    s.emulator.control.resetCounts();
    const res = await s.admin.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name: 'Object id as user id' },
      onBehalfOf: { userId: JON_OBJECT_ID },
    });
    const body = await json<{ code: string; message: string }>(res);
    expect(res.status).toBe(400);
    expect(body.code).toBe('INVALID_ON_BEHALF_OF');
    expect(body.message).toContain('onBehalfOf.entraObjectId');
    // The look-up of the user only: no Create was sent.
    expect(s.emulator.control.counts().dataverse).toEqual({ GET: 1 });
  });

  it('a keyed Create on behalf of Jon sends one Create and replays its reply', async () => {
    const headers = { 'Idempotency-Key': 'dv-create-1' };
    const body = { attributes: { name: 'Keyed' }, onBehalfOf: { entraObjectId: JON_OBJECT_ID } };
    const first = await s.admin.post(`/api/orgs/${orgId}/records/account`, body, headers);
    expect(first.status).toBe(201);
    const again = await s.admin.post(`/api/orgs/${orgId}/records/account`, body, headers);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const a = await json<{ id: string }>(first);
    expect((await json<{ id: string }>(again)).id).toBe(a.id);
    const read = await json<{ entity: { attributes: Record<string, unknown> } }>(
      await s.admin.get(`/api/orgs/${orgId}/records/account/${a.id}?columns=name,createdby`),
    );
    expect(read.entity.attributes).toMatchObject({ name: 'Keyed', createdby: { id: jonUserId } });
  });

  it('refreshes the access token on demand: ticket health counts the refresh and keeps it valid', async () => {
    const before = await json<{ ticket: { refreshCount: number } }>(
      await s.admin.get(`/api/orgs/${orgId}/ticket-health`),
    );
    const res = await s.admin.post(`/api/orgs/${orgId}/tickets/refresh`);
    expect(res.status).toBe(200);
    const after = await json<{
      ticket: { state: string; refreshCount: number };
      events: Array<{ type: string }>;
    }>(await s.admin.get(`/api/orgs/${orgId}/ticket-health`));
    expect(after.ticket.state).toBe('valid');
    expect(after.ticket.refreshCount).toBe(before.ticket.refreshCount + 1);
    expect(after.events[0]!.type).toBe('refreshed');
  });

  it('a token the environment stops accepting is refreshed once and the call succeeds; ticket health shows the 401 as an expired-ticket fault, then the refresh', async () => {
    // A reset of the identity platform's directory forgets every token it issued: the cached one now answers 401.
    s.emulator.entra.directory.reset();
    const res = await s.admin.post(`/api/orgs/${orgId}/records/account`, {
      attributes: { name: 'After a 401' },
      onBehalfOf: { entraObjectId: JON_OBJECT_ID },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const health = await json<{ events: Array<{ type: string; errorCode?: string | null }> }>(
      await s.admin.get(`/api/orgs/${orgId}/ticket-health`),
    );
    const types = health.events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['refreshed', 'expired-fault']);
    expect(health.events[1]).toMatchObject({ errorCode: '401' });
  });

  it('stages a certificate for rotation only once it gets a token for the environment (422 before it is on the app registration)', async () => {
    // The app registration knows the demo certificate only: another one is refused, as the identity platform does.
    const other = await s.emulator.control.issueCertificate({ commonName: 'other-app-cert' });
    const up = await s.admin.post('/api/certificates', {
      serviceAccountLiveId: 'app@contoso.example',
      format: 'pem',
      certificatePem: other.certPem,
      privateKeyPem: other.keyPem,
      chainPem: other.chainPem,
    });
    expect(up.status, await up.clone().text()).toBe(201);
    const otherId = (await json<{ id: string }>(up)).id;
    const res = await s.admin.post(`/api/orgs/${orgId}/certificate/stage`, { certificateId: otherId });
    expect(res.status).toBe(422);
    const body = await json<{ code: string; message: string }>(res);
    expect(body.code).toBe('CERTIFICATE_VERIFICATION_FAILED');
    expect(body.message).toMatch(/could not get a token for "Contoso \(Dataverse\)"/);
    // Uploaded to the app registration, it gets a token: staged.
    s.emulator.entra.directory.app(s.emulator.entra.clientId)!.certificatesPem.push(other.certPem);
    const staged = await s.admin.post(`/api/orgs/${orgId}/certificate/stage`, { certificateId: otherId });
    expect(staged.status, await staged.clone().text()).toBe(201);
    expect((await json<{ stagedCertificateId: string }>(staged)).stagedCertificateId).toBe(otherId);
  });

  it('a CRM 4.0 org refuses onBehalfOf.entraObjectId with 400 INVALID_ON_BEHALF_OF', async () => {
    const crmId = await onboard(s.admin, s.emulator, 'Contoso Ltd', certId);
    const res = await s.admin.post(`/api/orgs/${crmId}/records/account`, {
      attributes: { name: 'x' },
      onBehalfOf: { entraObjectId: JON_OBJECT_ID },
    });
    expect(res.status).toBe(400);
    const body = await json<{ code: string; message: string }>(res);
    expect(body.code).toBe('INVALID_ON_BEHALF_OF');
    expect(body.message).toMatch(/^This org runs CRM 4\.0: /);
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
