import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './emulator-harness';

const RETURN = 'https://isv.example/signed-in?from=store';

describe('RPS sign-in', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const form = (fields: Record<string, string>) =>
    h.post('/rps/login', new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });

  function cookieOf(setCookie: string | string[] | undefined): string {
    const value = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    expect(value).toMatch(/^RPSSecAuth=[^;]+;.*HttpOnly/);
    return (value ?? '').split(';')[0] ?? '';
  }

  async function verifyTicket(ticket: string): Promise<Record<string, unknown>> {
    const [first, signature, extra] = ticket.split('.');
    expect(extra).toBeUndefined();
    expect(first).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(signature).toMatch(/^[A-Za-z0-9_-]+$/);
    const pem = (await h.get('/rps/signing-cert.pem')).body;
    expect(pem).toBe(await readFile(h.emu.demo.rpsSigningCertPath, 'utf8'));
    const key = createPublicKey(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'pem' }));
    const ok = verify(
      'sha256',
      Buffer.from(first ?? '', 'ascii'),
      key,
      Buffer.from(signature ?? '', 'base64url'),
    );
    expect(ok).toBe(true);
    const tampered = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(first ?? '', 'base64url').toString()), puid: 'X' }),
    ).toString('base64url');
    expect(
      verify('sha256', Buffer.from(tampered, 'ascii'), key, Buffer.from(signature ?? '', 'base64url')),
    ).toBe(false);
    return JSON.parse(Buffer.from(first ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  }

  it('shows an accessible sign-in page listing the seeded users', async () => {
    const res = await h.get(`/rps/login?siteId=store&returnUrl=${encodeURIComponent(RETURN)}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<label for="liveId">');
    expect(res.body).toMatch(/<button type="submit"[^>]*>Sign in<\/button>/);
    expect(res.body).toContain('jonw@contoso.example');
    expect(res.body).not.toContain('erp_integration@contoso-isv.example');
    expect(res.body).toMatch(/<input type="radio" id="account-0"[^>]*>\s*<label for="account-0">/);
  });

  it('signs in a typed Live ID and redirects back with a signed ticket', async () => {
    const res = await form({ siteId: 'store', returnUrl: RETURN, liveId: 'JonW@contoso.example' });
    expect(res.status).toBe(302);
    const location = new URL(String(res.headers['location']));
    expect(location.origin + location.pathname).toBe('https://isv.example/signed-in');
    expect(location.searchParams.get('from')).toBe('store');
    const payload = await verifyTicket(location.searchParams.get('t') ?? '');
    expect(payload).toMatchObject({
      v: 1,
      puid: '0003BFFD8F3A5B21',
      liveId: 'jonw@contoso.example',
      siteId: 'store',
      firstName: 'Jon',
      lastName: 'Wilson',
    });
    expect(Object.keys(payload)).toEqual([
      'v',
      'puid',
      'liveId',
      'siteId',
      'iat',
      'exp',
      'nonce',
      'firstName',
      'lastName',
    ]);
    expect(Number(payload['exp']) - Number(payload['iat'])).toBe(600);
    expect(Math.abs(Number(payload['iat']) - Date.now() / 1000)).toBeLessThan(60);
    cookieOf(res.headers['set-cookie']);
  });

  it('signs in a picked account', async () => {
    const res = await form({
      siteId: 'store',
      returnUrl: RETURN,
      account: 'rita.reed@contoso.example',
      liveId: '',
    });
    expect(res.status).toBe(302);
    const payload = await verifyTicket(new URL(String(res.headers['location'])).searchParams.get('t') ?? '');
    expect(payload['liveId']).toBe('rita.reed@contoso.example');
  });

  it('re-shows the page with an error for an unknown Live ID', async () => {
    const res = await form({ siteId: 'store', returnUrl: RETURN, liveId: 'nobody@example.com' });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(
      /<p role="alert"[^>]*>No Windows Live ID &#39;nobody@example.com&#39; exists.<\/p>/,
    );
  });

  it('refuses a returnUrl that is not an absolute http(s) URL', async () => {
    for (const bad of ['/relative', 'javascript:alert(1)', 'ftp://x.example/']) {
      expect((await h.get(`/rps/login?siteId=s&returnUrl=${encodeURIComponent(bad)}`)).status).toBe(400);
      expect((await h.get(`/rps/logout?returnUrl=${encodeURIComponent(bad)}`)).status).toBe(400);
      expect((await form({ siteId: 's', returnUrl: bad, liveId: 'jonw@contoso.example' })).status).toBe(400);
    }
  });

  it('SilentAuth returns a fresh ticket to a browser holding the cookie, RPSAuthState=1 otherwise', async () => {
    const silent = `/rps/login?mode=silent&siteId=store&returnUrl=${encodeURIComponent(RETURN)}`;
    const anonymous = await h.get(silent);
    expect(anonymous.status).toBe(302);
    const none = new URL(String(anonymous.headers['location']));
    expect(none.searchParams.get('RPSAuthState')).toBe('1');
    expect(none.searchParams.has('t')).toBe(false);

    const signIn = await form({ siteId: 'store', returnUrl: RETURN, liveId: 'noah.park@contoso.example' });
    const cookie = cookieOf(signIn.headers['set-cookie']);
    const again = await h.get(silent, { cookie });
    expect(again.status).toBe(302);
    const payload = await verifyTicket(
      new URL(String(again.headers['location'])).searchParams.get('t') ?? '',
    );
    expect(payload['liveId']).toBe('noah.park@contoso.example');

    const forged = await h.get(silent, { cookie: `${cookie}x` });
    expect(new URL(String(forged.headers['location'])).searchParams.get('RPSAuthState')).toBe('1');
  });

  it('RPS_MAYBE redirects with RPSAuthState=2 and no ticket; SilentAuth then succeeds', async () => {
    h.emu.control.addScenario({ name: 'RPS_MAYBE' });
    try {
      const res = await form({ siteId: 'store', returnUrl: RETURN, liveId: 'jonw@contoso.example' });
      expect(res.status).toBe(302);
      const location = new URL(String(res.headers['location']));
      expect(location.searchParams.get('RPSAuthState')).toBe('2');
      expect(location.searchParams.has('t')).toBe(false);
      const cookie = cookieOf(res.headers['set-cookie']);
      const silent = await h.get(
        `/rps/login?mode=silent&siteId=store&returnUrl=${encodeURIComponent(RETURN)}`,
        { cookie },
      );
      expect(new URL(String(silent.headers['location'])).searchParams.get('t')).toBeTruthy();
    } finally {
      h.emu.control.clearScenarios();
    }
  });

  it('logs out by clearing the cookie and redirecting', async () => {
    const res = await h.get(`/rps/logout?returnUrl=${encodeURIComponent(RETURN)}`);
    expect(res.status).toBe(302);
    expect(res.headers['location']).toBe(RETURN);
    expect(String(res.headers['set-cookie'])).toMatch(/^RPSSecAuth=;.*Max-Age=0/);
  });

  it('counts the RPS calls', () => {
    const counts = h.emu.control.counts();
    expect(counts.rps['SignIn']).toBeGreaterThanOrEqual(4);
    expect(counts.rps['SilentAuth']).toBeGreaterThanOrEqual(3);
  });
});
