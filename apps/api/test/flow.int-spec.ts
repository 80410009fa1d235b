import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/password-hasher';
import { TicketStoreService } from '../src/tickets/ticket-store.service';
import { ConsoleClient, demoCertificateUpload, json, startTestStack, type TestStack } from './harness';

const JON_PUID = '0003BFFD8F3A5B21';

interface Step {
  name: string;
  status: string;
  detail?: string | null;
  error?: { code: string; message: string; hint: string };
}

describe('certificates, onboarding and impersonated calls against the real emulator (HTTPS, real Postgres)', () => {
  let s: TestStack;
  let certId: string;
  let contosoId: string;

  beforeAll(async () => {
    s = await startTestStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('uploads the demo certificate, validates its chain, and never returns the private key', async () => {
    const res = await s.admin.post('/api/certificates', demoCertificateUpload(s.emulator));
    const body = await json<{
      id: string;
      status: string;
      thumbprintSha1Hex: string;
      thumbprintSha1Base64: string;
      chain: unknown[];
      problems: unknown[];
    }>(res);
    expect(res.status).toBe(201);
    expect(body.status).toBe('valid');
    expect(body.thumbprintSha1Hex).toMatch(/^([0-9a-f]{2} ){19}[0-9a-f]{2}$/);
    expect(body.thumbprintSha1Base64).toMatch(/^[A-Za-z0-9+/]{27}$/);
    expect(body.chain.length).toBeGreaterThanOrEqual(2);
    certId = body.id;
    const list = await s.admin.get('/api/certificates');
    expect(JSON.stringify(await list.json())).not.toMatch(/PRIVATE KEY/);
    const dup = await s.admin.post('/api/certificates', demoCertificateUpload(s.emulator));
    expect(dup.status).toBe(409);
  });

  it('refuses a certificate that cannot be used with 422 and every problem listed', async () => {
    const issued = await s.emulator.control.issueCertificate({
      commonName: 'no-client-auth',
      clientAuth: false,
      notAfter: new Date(Date.now() - 86_400_000).toISOString(),
      notBefore: new Date(Date.now() - 10 * 86_400_000).toISOString(),
    });
    const res = await s.admin.post('/api/certificates', {
      serviceAccountLiveId: 'x@example.test',
      format: 'pem',
      certificatePem: issued.certPem,
      privateKeyPem: issued.keyPem,
      chainPem: issued.chainPem,
    });
    expect(res.status).toBe(422);
    const body = await json<{ code: string; details: { problems: { code: string }[] } }>(res);
    expect(body.code).toBe('CERTIFICATE_INVALID');
    const codes = body.details.problems.map((p) => p.code);
    expect(codes).toContain('EXPIRED');
    expect(codes).toContain('NO_CLIENT_AUTH');
  });

  it('names a wrong PKCS#12 password and unreadable input', async () => {
    const wrong = await s.admin.post('/api/certificates', {
      serviceAccountLiveId: 'x@example.test',
      format: 'pkcs12',
      pkcs12Base64: readFileSync(s.emulator.demo.pfxPath).toString('base64'),
      password: 'not-the-password',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ code: 'CERTIFICATE_BAD_PASSWORD' });
    const garbage = await s.admin.post('/api/certificates', {
      serviceAccountLiveId: 'x@example.test',
      format: 'pem',
      certificatePem: 'hello',
      privateKeyPem: 'x',
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toMatchObject({ code: 'CERTIFICATE_UNREADABLE' });
  });

  it('onboards Contoso: every step succeeds and the test write is stamped on behalf', async () => {
    const res = await s.admin.post('/api/orgs', {
      discoveryUrl: s.emulator.discoveryUrl,
      friendlyName: 'Contoso Ltd',
      certificateId: certId,
    });
    const body = await json<{
      org: { id: string; status: string; organizationName: string; serviceAccount: { name: string } };
      run: { status: string; steps: Step[] };
    }>(res);
    expect(res.status).toBe(201);
    expect(body.run.steps.map((x) => `${x.name}:${x.status}`)).toEqual([
      'policy:succeeded',
      'wlid-ticket:succeeded',
      'organizations:succeeded',
      'crm-ticket:succeeded',
      'whoami:succeeded',
      'proxy-role:succeeded',
      'test-write:succeeded',
    ]);
    expect(body.org).toMatchObject({ status: 'active', organizationName: 'contoso' });
    expect(body.org.serviceAccount.name).toMatch(/ERP_Integration/);
    // WhoAmI cannot prove impersonation (it answers the service account): the step reads the user's own row as them.
    expect(body.run.steps.find((x) => x.name === 'proxy-role')?.detail).toMatch(
      /impersonated Retrieve of their own user record/,
    );
    contosoId = body.org.id;
  });

  it('onboarding Fabrikam fails at the proxy-role step with a hint that says what to fix', async () => {
    const res = await s.admin.post('/api/orgs', {
      discoveryUrl: s.emulator.discoveryUrl,
      friendlyName: 'Fabrikam Inc',
      certificateId: certId,
    });
    const body = await json<{ org: { status: string }; run: { steps: Step[] } }>(res);
    expect(res.status).toBe(201);
    expect(body.org.status).toBe('failed');
    const failed = body.run.steps.find((x) => x.status === 'failed');
    expect(failed?.name).toBe('proxy-role');
    expect(failed?.error?.code).toBe('CRM_PRIVILEGE_DENIED');
    expect(failed?.error?.hint).toMatch(/proxy role/i);
    expect(failed?.error?.hint).toMatch(/Act on Behalf of Another User/);
    expect(failed?.error?.hint).toMatch(/Fabrikam Inc/);
    expect(body.run.steps.find((x) => x.name === 'test-write')?.status).toBe('skipped');
  });

  it('creates a record on behalf of Jon Wilson by PUID; CRM stamps createdby = Jon, createdonbehalfby = ERP_Integration', async () => {
    const res = await s.admin.post(`/api/orgs/${contosoId}/records/account`, {
      attributes: { name: 'Fourth Coffee via Onbehalf' },
      onBehalfOf: { puid: JON_PUID },
    });
    const body = await json<{ id: string; ledgerId: string }>(res);
    expect(res.status).toBe(201);
    const rec = s.emulator.control
      .records({ org: 'contoso', entity: 'account' })
      .find((r) => JSON.stringify(r).toLowerCase().includes(body.id));
    const text = JSON.stringify(rec);
    expect(text).toContain('Jon Wilson');
    expect(text).toMatch(/ERP_Integration/);
    const ledger = await s.api.dataSource.query(
      `SELECT outcome, on_behalf_of_name, service_account_name, record_id FROM crm_calls WHERE id = $1`,
      [body.ledgerId],
    );
    expect(ledger[0]).toMatchObject({
      outcome: 'completed',
      on_behalf_of_name: 'Jon Wilson',
      record_id: body.id,
    });
    const rec2 = await s.admin.post(`/api/orgs/${contosoId}/reconcile`);
    expect(rec2.status).toBe(200);
    const row = await s.api.dataSource.query(`SELECT reconciliation FROM crm_calls WHERE id = $1`, [
      body.ledgerId,
    ]);
    expect(row[0].reconciliation).toBe('match');
    // The org page's recent calls are audit items: org, actor and CRM's own stamps beside the verdict.
    const calls = await json<{
      items: {
        id: string;
        org: { friendlyName: string };
        reconciliation: string;
        crm: { createdby: { name: string } };
      }[];
    }>(await s.admin.get(`/api/orgs/${contosoId}/calls?limit=5`));
    expect(calls.items.find((c) => c.id === body.ledgerId)).toMatchObject({
      org: { friendlyName: 'Contoso Ltd' },
      reconciliation: 'match',
      crm: { createdby: { name: 'Jon Wilson' } },
    });
  });

  it('makes one round trip per impersonated call at steady state', async () => {
    await s.admin.post(`/api/orgs/${contosoId}/records/account`, {
      attributes: { name: 'warm-up' },
      onBehalfOf: { puid: JON_PUID },
    });
    s.emulator.control.resetCounts();
    for (let i = 0; i < 20; i++) {
      const r = await s.admin.post(`/api/orgs/${contosoId}/records/account`, {
        attributes: { name: `steady ${i}` },
        onBehalfOf: { puid: JON_PUID },
      });
      expect(r.status).toBe(201);
    }
    const counts = s.emulator.control.counts() as unknown as { total: number; crm?: Record<string, number> };
    expect(counts.crm?.Create).toBe(20);
    expect(counts.total).toBe(20);
  });

  it('recovers from an expired ticket (8004A101) with one refresh, and records it in ticket health', async () => {
    s.emulator.control.expireTickets({ org: 'contoso' });
    s.emulator.control.resetCounts();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.admin.post(`/api/orgs/${contosoId}/records/account`, {
          attributes: { name: `herd ${i}` },
          onBehalfOf: { puid: JON_PUID },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    const counts = s.emulator.control.counts() as unknown as { discovery?: Record<string, number> };
    expect(counts.discovery?.RetrieveCrmTicket).toBe(1);
    const health = await json<{ ticket: { state: string }; events: { type: string }[] }>(
      await s.admin.get(`/api/orgs/${contosoId}/ticket-health`),
    );
    expect(health.ticket.state).toBe('valid');
    expect(health.events.map((e) => e.type)).toContain('refreshed');
  });

  it('resolves, caches and evicts PUID mappings per org', async () => {
    const r = await s.admin.post(`/api/orgs/${contosoId}/user-mappings/resolve`, {
      puid: JON_PUID.toLowerCase(),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ puid: JON_PUID, status: 'found', fullName: 'Jon Wilson' });
    const unknown = await s.admin.post(`/api/orgs/${contosoId}/user-mappings/resolve`, {
      puid: 'FFFFFFFFFFFFFFFF',
    });
    expect(await unknown.json()).toMatchObject({ status: 'not-found' });
    const list = await json<{ items: { puid: string; hits: number }[] }>(
      await s.admin.get(`/api/orgs/${contosoId}/user-mappings`),
    );
    expect(list.items.find((i) => i.puid === JON_PUID)?.hits).toBeGreaterThan(0);
    expect((await s.admin.request('DELETE', `/api/orgs/${contosoId}/user-mappings/${JON_PUID}`)).status).toBe(
      204,
    );
    const after = await json<{ items: { puid: string }[] }>(
      await s.admin.get(`/api/orgs/${contosoId}/user-mappings`),
    );
    expect(after.items.some((i) => i.puid === JON_PUID)).toBe(false);
    const bad = await s.admin.post(`/api/orgs/${contosoId}/user-mappings/resolve`, {
      puid: '../../etc/passwd',
    });
    expect(bad.status).toBe(400);
  });

  it('keeps tickets sealed: a ticket copied to another org does not open', async () => {
    const rows = await s.api.dataSource.query(`SELECT org_id, crm_ticket_enc FROM tickets`);
    const contoso = rows.find((r: { org_id: string }) => r.org_id === contosoId);
    expect(contoso.crm_ticket_enc.toString('latin1')).not.toMatch(/contoso/i);
    const fabrikam = (
      await s.api.dataSource.query(`SELECT id FROM orgs WHERE friendly_name = 'Fabrikam Inc'`)
    )[0].id;
    await s.api.dataSource.query(
      `INSERT INTO tickets (org_id, generation, crm_ticket_enc, crm_expires_at, crm_issued_at, kek_id) VALUES ($1, 1, $2, now() + interval '1 hour', now(), 'test')
       ON CONFLICT (org_id) DO UPDATE SET crm_ticket_enc = EXCLUDED.crm_ticket_enc`,
      [fabrikam, contoso.crm_ticket_enc],
    );
    await expect(s.api.app.get(TicketStoreService).load(fabrikam)).rejects.toThrow();
  });

  it('re-checks an active org without taking it out of service, one run at a time', async () => {
    const [a, b] = await Promise.all([
      s.admin.post(`/api/orgs/${contosoId}/onboarding`),
      s.admin.post(`/api/orgs/${contosoId}/onboarding`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const busy = a.status === 409 ? a : b;
    expect(await busy.json()).toMatchObject({ code: 'ONBOARDING_RUNNING' });
    const org = await json<{ status: string; lastRun: { status: string } }>(
      await s.admin.get(`/api/orgs/${contosoId}`),
    );
    expect(org).toMatchObject({ status: 'active', lastRun: { status: 'succeeded' } });
    // A failing re-check (the proxy role taken away) is recorded but the org keeps serving calls.
    s.emulator.control.addScenario({ name: 'NO_PROXY_ROLE', org: 'contoso' });
    try {
      const failed = await json<{ org: { status: string }; run: { status: string } }>(
        await s.admin.post(`/api/orgs/${contosoId}/onboarding`),
      );
      expect(failed.run.status).toBe('failed');
      expect(failed.org.status).toBe('active');
      const overview = await json<{ orgs: { id: string; attention: string[] }[] }>(
        await s.admin.get('/api/overview'),
      );
      expect(overview.orgs.find((o) => o.id === contosoId)?.attention).toContain(
        'The last onboarding check failed',
      );
    } finally {
      s.emulator.control.clearScenarios();
    }
    expect(
      (await s.admin.post(`/api/orgs/${contosoId}/records/account`, { attributes: { name: 'still served' } }))
        .status,
    ).toBe(201);
  });

  it('answers 404 for a ticket refresh of an org that does not exist, and records no event', async () => {
    const res = await s.admin.post('/api/orgs/00000000-0000-4000-8000-000000000000/tickets/refresh');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'ORG_NOT_FOUND' });
  });

  it('drops tickets obtained with the old certificate when a new one is promoted, without failing a call', async () => {
    const issued = await s.emulator.control.issueCertificate({
      commonName: 'ERP_Integration rotated',
      account: s.emulator.demo.serviceAccountLiveId,
    });
    const up = await s.admin.post('/api/certificates', {
      serviceAccountLiveId: s.emulator.demo.serviceAccountLiveId,
      format: 'pem',
      certificatePem: issued.certPem,
      privateKeyPem: issued.keyPem,
      chainPem: issued.chainPem,
    });
    expect(up.status).toBe(201);
    const newCert = await json<{ id: string }>(up);
    expect(
      (await s.admin.post(`/api/orgs/${contosoId}/certificate/stage`, { certificateId: newCert.id })).status,
    ).toBe(201);
    const promoted = await json<{ certificateId: string; stagedCertificateId: string | null }>(
      await s.admin.post(`/api/orgs/${contosoId}/certificate/promote`),
    );
    expect(promoted).toMatchObject({ certificateId: newCert.id, stagedCertificateId: null });
    s.emulator.control.resetCounts();
    const r = await s.admin.post(`/api/orgs/${contosoId}/records/account`, {
      attributes: { name: 'after rotation' },
      onBehalfOf: { puid: JON_PUID },
    });
    expect(r.status).toBe(201);
    const counts = s.emulator.control.counts() as unknown as {
      sts?: Record<string, number>;
      discovery?: Record<string, number>;
    };
    expect(counts.sts?.RequestSecurityToken).toBe(1); // signed in again, with the new certificate
    expect(counts.discovery?.RetrieveCrmTicket).toBe(1);
    expect((await s.admin.request('DELETE', `/api/certificates/${certId}`)).status).toBe(409); // still used by Fabrikam
  });

  it('refuses writes from an auditor and deleting a certificate in use', async () => {
    const inUse = await s.admin.request('DELETE', `/api/certificates/${certId}`);
    expect(inUse.status).toBe(409);
    expect(await inUse.json()).toMatchObject({ code: 'CERTIFICATE_IN_USE' });
    await s.api.dataSource.query(
      `INSERT INTO admin_users (email, name, role, password_hash) VALUES ('auditor@example.test', 'Auditor', 'auditor', $1)`,
      [await hashPassword('auditor-password')],
    );
    const auditor = new ConsoleClient(s.url);
    expect((await auditor.login('auditor@example.test', 'auditor-password')).status).toBe(200);
    const write = await auditor.post(`/api/orgs/${contosoId}/records/account`, {
      attributes: { name: 'nope' },
    });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ code: 'FORBIDDEN_ROLE' });
    expect((await auditor.get(`/api/orgs/${contosoId}`)).status).toBe(200);
  });
});
