import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoCertificateUpload, json, startTestStack, type TestStack } from './harness';

describe("test as an end user: RPS sign-in, then a record created on that user's behalf", () => {
  let s: TestStack;
  let orgId: string;
  let tls: Agent;
  beforeAll(async () => {
    s = await startTestStack();
    tls = new Agent({ connect: { ca: s.emulator.caCertPem } });
    const cert = await json<{ id: string }>(
      await s.admin.post('/api/certificates', demoCertificateUpload(s.emulator)),
    );
    const org = await json<{ org: { id: string } }>(
      await s.admin.post('/api/orgs', {
        discoveryUrl: s.emulator.discoveryUrl,
        friendlyName: 'Contoso Ltd',
        certificateId: cert.id,
      }),
    );
    orgId = org.org.id;
  });
  afterAll(async () => {
    await tls?.close();
    await s?.close();
  });

  it('signs in at the RPS page as Jon Wilson and creates an account stamped on his behalf', async () => {
    // 1. The console sends the browser to the emulator's RPS sign-in page.
    const start = await fetch(`${s.url}/api/rps/login?orgId=${orgId}`, {
      headers: { cookie: cookieOf(s) },
      redirect: 'manual',
    });
    expect(start.status).toBe(302);
    const signIn = new URL(start.headers.get('location')!);
    expect(signIn.origin).toBe(s.emulator.url);
    expect(signIn.pathname).toBe('/rps/login');
    const page = await request(signIn, { dispatcher: tls });
    expect(page.statusCode).toBe(200);
    await page.body.dump();
    // 2. The user signs in; the RPS page sends the browser back to our callback with a ticket.
    const form = new URLSearchParams({
      siteId: signIn.searchParams.get('siteId')!,
      returnUrl: signIn.searchParams.get('returnUrl')!,
      liveId: 'jonw@contoso.example',
    });
    const posted = await request(new URL('/rps/login', s.emulator.url), {
      method: 'POST',
      dispatcher: tls,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(posted.statusCode).toBe(302);
    await posted.body.dump();
    const back = new URL(String(posted.headers.location));
    expect(back.pathname).toBe('/api/rps/callback');
    expect(back.searchParams.get('t')).toBeTruthy();
    const stateCookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(stateCookie).toMatch(/^onbehalf_rps_state=/);
    const cb = await fetch(`${s.url}${back.pathname}${back.search}`, {
      redirect: 'manual',
      headers: { cookie: stateCookie },
    });
    expect(cb.status).toBe(302);
    expect(cb.headers.get('location')).toBe(`/test-as-user?orgId=${orgId}`);
    const endUserCookie = (cb.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(endUserCookie).toMatch(/^onbehalf_eu=/);
    // 3. The console shows who is signed in and creates a record on that user's behalf.
    const me = await json<{ puid: string; liveId: string }>(
      await s.admin.request('GET', '/api/rps/me', undefined, { cookie: `${cookieOf(s)}; ${endUserCookie}` }),
    );
    expect(me).toMatchObject({ puid: '0003BFFD8F3A5B21', liveId: 'jonw@contoso.example' });
    const created = await s.admin.request(
      'POST',
      '/api/rps/records/account',
      { attributes: { name: 'Made by Jon through Onbehalf' } },
      { cookie: `${cookieOf(s)}; ${endUserCookie}` },
    );
    expect(created.status).toBe(201);
    const body = await json<{
      ledgerId: string;
      stamps: { createdby: { name: string }; createdonbehalfby: { name: string } };
    }>(created);
    expect(body.stamps.createdby.name).toBe('Jon Wilson');
    expect(body.stamps.createdonbehalfby.name).toMatch(/ERP_Integration/);
    const audit = await json<{
      items: { id: string; reconciliation: string; onBehalfOf: { name: string } }[];
    }>(await s.admin.get(`/api/audit?orgId=${orgId}`));
    const row = audit.items.find((i) => i.id === body.ledgerId);
    expect(row).toMatchObject({ reconciliation: 'match', onBehalfOf: { name: 'Jon Wilson' } });
  });

  it('refuses a forged RPS ticket and sends the browser back to sign in', async () => {
    const start = await fetch(`${s.url}/api/rps/login?orgId=${orgId}`, {
      headers: { cookie: cookieOf(s) },
      redirect: 'manual',
    });
    const stateCookie = (start.headers.get('set-cookie') ?? '').split(';')[0]!;
    const nonce = new URL(
      new URL(start.headers.get('location')!).searchParams.get('returnUrl')!,
    ).searchParams.get('state')!;
    const cb = await fetch(`${s.url}/api/rps/callback?orgId=${orgId}&state=${nonce}&t=eyJ2IjoxfQ.forged`, {
      redirect: 'manual',
      headers: { cookie: stateCookie },
    });
    expect(cb.status).toBe(302);
    expect(cb.headers.get('location')).toMatch(/\/rps\/login\?/);
    expect(cb.headers.get('set-cookie') ?? '').not.toMatch(/onbehalf_eu=/);
  });

  it('refuses a callback that this browser did not start (login CSRF), even with a valid ticket', async () => {
    const start = await fetch(`${s.url}/api/rps/login?orgId=${orgId}`, {
      headers: { cookie: cookieOf(s) },
      redirect: 'manual',
    });
    const signIn = new URL(start.headers.get('location')!);
    const posted = await request(new URL('/rps/login', s.emulator.url), {
      method: 'POST',
      dispatcher: tls,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        siteId: signIn.searchParams.get('siteId')!,
        returnUrl: signIn.searchParams.get('returnUrl')!,
        liveId: 'jonw@contoso.example',
      }).toString(),
    });
    await posted.body.dump();
    const back = new URL(String(posted.headers.location));
    // The attacker's browser has no state cookie of ours.
    const cb = await fetch(`${s.url}${back.pathname}${back.search}`, { redirect: 'manual' });
    expect(cb.status).toBe(302);
    expect(cb.headers.get('location')).toMatch(/rps=state-mismatch/);
    expect(cb.headers.get('set-cookie') ?? '').not.toMatch(/onbehalf_eu=/);
  });

  it('records how long each ticket refresh took (health bookkeeping, written just after the refresh)', async () => {
    expect((await s.admin.post(`/api/orgs/${orgId}/tickets/refresh`)).status).toBe(200);
    // The session reports the latency after the ticket is saved, and the bookkeeping never delays a call:
    // it lands moments after the reply.
    await vi.waitFor(
      async () => {
        const health = await json<{
          ticket: { lastRefreshLatencyMs: number | null };
          events: { type: string; latencyMs: number | null }[];
        }>(await s.admin.get(`/api/orgs/${orgId}/ticket-health`));
        expect(health.ticket.lastRefreshLatencyMs).not.toBeNull();
        expect(health.events.find((e) => e.type === 'refreshed')?.latencyMs).not.toBeNull();
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});

/** The admin's session cookie, as the ConsoleClient sends it. */
function cookieOf(s: TestStack): string {
  return (s.admin as unknown as { cookie: string }).cookie;
}
