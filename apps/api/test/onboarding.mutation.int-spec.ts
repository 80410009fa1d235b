import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { json, startTestStack, type TestStack } from './harness';
import { uploadDemoCertificate } from './support/orgs';

/**
 * Onboarding's steps against the real emulator, one fresh emulator org per test (every test stands
 * alone: Stryker runs only the tests that reach a mutant). Pinned for mutation testing.
 */
interface Step {
  name: string;
  title: string;
  status: string;
  durationMs: number | null;
  detail: string | null;
  error?: { code: string; message: string; hint: string };
}
interface Onboarded {
  org: {
    id: string;
    status: string;
    organizationName: string | null;
    serviceAccount: { id: string | null; name: string | null };
  };
  run: { status: string; steps: Step[] };
}

describe('onboarding steps against the emulator (real Postgres)', () => {
  let s: TestStack;
  let certId: string;

  beforeAll(async () => {
    s = await startTestStack();
    certId = await uploadDemoCertificate(s.admin, s.emulator);
  });
  afterAll(async () => {
    await s?.close();
  });
  afterEach(() => {
    s.emulator.control.clearScenarios();
  });

  /** A new emulator org with the service account (holding the proxy role unless told) and, unless told, one ordinary user. */
  function emulatorOrg(opts: { users?: boolean; proxyRole?: boolean; friendlyName?: string } = {}) {
    const name = `o${randomUUID().slice(0, 8)}`;
    const friendlyName = opts.friendlyName ?? `Org ${name}`;
    const c = s.emulator.control;
    c.addOrg({ name, friendlyName });
    c.addUser({
      org: name,
      liveId: s.emulator.demo.serviceAccountLiveId,
      firstName: 'ERP',
      lastName: 'Integration',
      fullName: 'ERP_Integration',
      domainName: 'ERP_Integration',
      proxyRole: opts.proxyRole ?? true,
      isServiceAccount: true,
    });
    if (opts.users !== false)
      c.addUser({
        org: name,
        liveId: `ann.${name}@example.test`,
        firstName: 'Ann',
        lastName: 'Lee',
        fullName: 'Ann Lee',
      });
    return { name, friendlyName };
  }
  const onboard = async (friendlyName: string, discoveryUrl = s.emulator.discoveryUrl) => {
    const res = await s.admin.post('/api/orgs', { discoveryUrl, friendlyName, certificateId: certId });
    expect(res.status, await res.clone().text()).toBe(201);
    return json<Onboarded>(res);
  };
  const statuses = (b: Onboarded) => b.run.steps.map((x) => `${x.name}:${x.status}`);
  const stepOf = (b: Onboarded, name: string) => b.run.steps.find((x) => x.name === name)!;
  const tickets = async (orgId: string) =>
    (await s.api.dataSource.query(`SELECT count(*)::int AS n FROM tickets WHERE org_id = $1`, [orgId]))[0]
      .n as number;

  it('runs every step, records each with its title, duration and detail, and activates the org', async () => {
    const o = emulatorOrg();
    const b = await onboard(`  ${o.friendlyName.toUpperCase()} `);
    expect(statuses(b)).toEqual([
      'policy:succeeded',
      'wlid-ticket:succeeded',
      'organizations:succeeded',
      'crm-ticket:succeeded',
      'whoami:succeeded',
      'proxy-role:succeeded',
      'test-write:succeeded',
    ]);
    expect(b.run.steps.map((x) => x.title)).toEqual([
      'Windows Live policy (RetrievePolicy)',
      'Windows Live ticket for the service account',
      'Find the organization (RetrieveOrganizations)',
      'CRM ticket (RetrieveCrmTicket)',
      'Service account identity (WhoAmI)',
      'Proxy role (impersonated Retrieve)',
      'Test write on behalf of a user',
    ]);
    for (const x of b.run.steps) {
      expect(Number.isInteger(x.durationMs)).toBe(true);
      expect(x.error).toBeUndefined();
    }
    expect(b.run.status).toBe('succeeded');
    expect(b.org).toMatchObject({
      status: 'active',
      organizationName: o.name,
      serviceAccount: { name: 'ERP_Integration' },
    });
    const d = Object.fromEntries(b.run.steps.map((x) => [x.name, x.detail]));
    expect(d.policy).toMatch(/^Policy \S+/);
    expect(d['wlid-ticket']).toMatch(
      new RegExp(
        `^Passport ticket for ${s.emulator.demo.serviceAccountLiveId.replace(/\./g, '\\.')}, valid until \\d{4}-`,
      ),
    );
    expect(d.organizations).toMatch(
      new RegExp(`^Found "${o.friendlyName}" \\(unique name ${o.name}\\) among \\d+$`),
    );
    expect(d['crm-ticket']).toMatch(new RegExp(`^CRM ticket for ${o.name}, expires \\d{4}-`));
    expect(d.whoami).toMatch(/^Signed in as ERP_Integration \([0-9a-f-]{36}\)$/);
    expect(d['proxy-role']).toBe(
      'Acting on behalf of Ann Lee works (an impersonated Retrieve of their own user record succeeded)',
    );
    expect(d['test-write']).toMatch(
      /^Created account [0-9a-f-]{36}: createdby Ann Lee, createdonbehalfby ERP_Integration$/,
    );
    expect(await tickets(b.org.id)).toBeGreaterThan(0);

    const [row] = await s.api.dataSource.query(
      `SELECT operation, entity, outcome, caller, service_account_name, on_behalf_of_name, record_id FROM crm_calls WHERE org_id = $1`,
      [b.org.id],
    );
    expect(row).toMatchObject({
      operation: 'Create',
      entity: 'account',
      outcome: 'completed',
      caller: 'onboarding',
      service_account_name: 'ERP_Integration',
      on_behalf_of_name: 'Ann Lee',
    });
    expect(d['test-write']).toContain(row.record_id);
    const [stored] = await s.api.dataSource.query(
      `SELECT organization_name, crm_service_url, policy, service_account_name, status FROM orgs WHERE id = $1`,
      [b.org.id],
    );
    expect(stored).toMatchObject({
      organization_name: o.name,
      service_account_name: 'ERP_Integration',
      status: 'active',
    });
    expect(stored.crm_service_url).toMatch(/^https:/);
    expect(d.policy).toBe(`Policy ${stored.policy}`);
  });

  it('fails at "organizations" when the name is not visible, listing what the account sees, and skips the rest', async () => {
    emulatorOrg();
    const b = await onboard('No Such Org');
    expect(statuses(b)).toEqual([
      'policy:succeeded',
      'wlid-ticket:succeeded',
      'organizations:failed',
      'crm-ticket:skipped',
      'whoami:skipped',
      'proxy-role:skipped',
      'test-write:skipped',
    ]);
    const failed = stepOf(b, 'organizations');
    expect(failed.error).toMatchObject({
      code: 'ONBOARDING_ORG_NOT_FOUND',
      message: 'No organization named "No Such Org" is visible to the service account.',
    });
    expect(failed.detail).toBe(failed.error!.message);
    expect(failed.error!.hint).toMatch(
      /^Check the friendly name\. The service account sees: "[^"]+"(, "[^"]+")*\.$/,
    );
    expect(failed.error!.hint).toContain('"Contoso Ltd"');
    expect(b.run.status).toBe('failed');
    expect(b.org.status).toBe('failed');
    expect(await tickets(b.org.id)).toBe(0);
  });

  it('fails at "organizations" when two orgs share the name, naming both unique names; the unique name onboards', async () => {
    const shared = `Shared ${randomUUID().slice(0, 8)}`;
    const one = emulatorOrg({ friendlyName: shared });
    const two = emulatorOrg({ friendlyName: shared });
    const b = await onboard(shared);
    expect(statuses(b)).toEqual([
      'policy:succeeded',
      'wlid-ticket:succeeded',
      'organizations:failed',
      'crm-ticket:skipped',
      'whoami:skipped',
      'proxy-role:skipped',
      'test-write:skipped',
    ]);
    const failed = stepOf(b, 'organizations');
    expect(failed.error?.code).toBe('ORG_AMBIGUOUS');
    expect(failed.error!.message).toContain(`2 organizations are named "${shared}"`);
    expect(failed.error!.message).toContain(`"${shared}" (${one.name})`);
    expect(failed.error!.message).toContain(`"${shared}" (${two.name})`);
    expect(failed.detail).toBe(failed.error!.message);
    expect(failed.error!.hint).toMatch(
      new RegExp(`^Several organizations are named "${shared}": onboard with the unique name`),
    );
    expect(failed.error!.hint).toContain(one.name);
    expect(failed.error!.hint).toContain(two.name);
    expect(b.run.status).toBe('failed');
    expect(b.org.status).toBe('failed');
    expect(await tickets(b.org.id)).toBe(0);

    const byUniqueName = await onboard(two.name);
    expect(stepOf(byUniqueName, 'organizations').detail).toMatch(
      new RegExp(`^Found "${shared}" \\(unique name ${two.name}\\) among \\d+$`),
    );
    expect(byUniqueName.org).toMatchObject({ status: 'active', organizationName: two.name });
  });

  it('fails at "proxy-role" when the org has no user but the service account', async () => {
    const o = emulatorOrg({ users: false });
    const b = await onboard(o.friendlyName);
    expect(stepOf(b, 'proxy-role')).toMatchObject({
      status: 'failed',
      error: {
        code: 'ONBOARDING_NO_USER',
        message: 'The org has no enabled user other than the service account to act for.',
        hint: `Add a user to ${o.friendlyName}, then retry.`,
      },
    });
    expect(stepOf(b, 'test-write').status).toBe('skipped');
    expect(b.org.status).toBe('failed');
  });

  it('fails at "proxy-role" without the proxy role, naming the service account found by WhoAmI, and drops the tickets', async () => {
    const o = emulatorOrg({ proxyRole: false });
    const b = await onboard(o.friendlyName);
    expect(stepOf(b, 'whoami').status).toBe('succeeded');
    expect(stepOf(b, 'proxy-role')).toMatchObject({
      status: 'failed',
      error: {
        code: 'CRM_PRIVILEGE_DENIED',
        hint: `Give ERP_Integration the proxy role, with "Act on Behalf of Another User" (prvActOnBehalfOfAnotherUser), in ${o.friendlyName}.`,
      },
    });
    expect(b.org).toMatchObject({ status: 'failed', serviceAccount: { name: 'ERP_Integration' } });
    expect(await tickets(b.org.id)).toBe(0);
  });

  it('fails at "policy" when nothing answers at the discovery URL, naming it', async () => {
    const url = 'https://127.0.0.1:9/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx';
    const b = await onboard('Anything', url);
    expect(statuses(b)[0]).toBe('policy:failed');
    expect(stepOf(b, 'policy').error).toMatchObject({
      code: 'CONNECTION_REFUSED',
      hint: `Nothing answers at ${url}. Check the URL and that the service is running.`,
    });
    expect(stepOf(b, 'wlid-ticket').status).toBe('skipped');
    expect(b.org.status).toBe('failed');
  });

  it('fails at "wlid-ticket" for a revoked certificate, naming the Live ID it must belong to', async () => {
    const o = emulatorOrg();
    s.emulator.control.addScenario({ name: 'REVOKED_CERTIFICATE' });
    const b = await onboard(o.friendlyName);
    expect(stepOf(b, 'policy').status).toBe('succeeded');
    expect(stepOf(b, 'wlid-ticket')).toMatchObject({
      status: 'failed',
      error: {
        code: 'WLID_FAULT',
        hint: expect.stringContaining(`(${s.emulator.demo.serviceAccountLiveId})`),
      },
    });
  });

  it('records a failed test write in the ledger and fails the step when the user may not create accounts', async () => {
    const o = emulatorOrg();
    s.emulator.control.addScenario({ name: 'USER_WITHOUT_RIGHT', org: o.name, params: { right: 'create' } });
    const b = await onboard(o.friendlyName);
    const w = stepOf(b, 'test-write');
    expect(w.status).toBe('failed');
    expect(w.error?.code).toBe('CRM_PRINCIPAL_PRIVILEGE_DENIED');
    const rows = await s.api.dataSource.query(
      `SELECT outcome, error_code, caller FROM crm_calls WHERE org_id = $1`,
      [b.org.id],
    );
    expect(rows).toEqual([
      { outcome: 'failed', error_code: 'ERR_CRM_PRINCIPAL_PRIVILEGE_DENIED', caller: 'onboarding' },
    ]);
    expect(b.org.status).toBe('failed');
  });

  it('keeps an active org and its tickets when a re-check fails, and records the failed run', async () => {
    const o = emulatorOrg();
    const first = await onboard(o.friendlyName);
    expect(first.org.status).toBe('active');
    const before = await tickets(first.org.id);
    s.emulator.control.addScenario({ name: 'NO_PROXY_ROLE', org: o.name });
    const res = await s.admin.post(`/api/orgs/${first.org.id}/onboarding`);
    const again = await json<Onboarded>(res);
    expect(again.run.status).toBe('failed');
    expect(again.org.status).toBe('active');
    expect(await tickets(first.org.id)).toBe(before);
    const [run] = await s.api.dataSource.query(
      `SELECT status, finished_at FROM onboarding_runs WHERE org_id = $1 ORDER BY started_at DESC LIMIT 1`,
      [first.org.id],
    );
    expect(run.status).toBe('failed');
    expect(run.finished_at).toBeInstanceOf(Date);
  });
});
