import { request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_ENTRA } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { demoMsalApp, demoToken } from './entra-clients';

/**
 * The identity platform's named scenarios (docs/protocol.md §13.5), set through the control API as a test of
 * another package would: NO_CONSENT, WRONG_CERTIFICATE and TOKEN_EXPIRY, endpoint `entra`.
 */
describe('the emulated identity platform: scenarios', () => {
  let h: Harness;
  const scenario = async (body: Record<string, unknown>) => {
    const r = await h.control('POST', '/scenarios', { endpoint: 'entra', ...body });
    expect(r.status).toBe(201);
  };
  const whoAmI = async (token: string) => {
    const res = await request(`${h.emu.entra.environmentUrl}/api/data/v9.2/WhoAmI`, {
      dispatcher: h.agent,
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await res.body.text();
    return { status: res.statusCode, code: (JSON.parse(text) as { error?: { code: string } }).error?.code };
  };

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', {});
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('NO_CONSENT refuses the token with AADSTS700016 for the next N requests, then serves again', async () => {
    await scenario({ name: 'NO_CONSENT', params: { count: 1 } });
    await expect(demoToken(h)).rejects.toThrow(/AADSTS700016/);
    expect(await demoToken(h)).toEqual(expect.any(String));
  });

  it('NO_CONSENT narrowed to another tenant (org) or another client id (account) does not apply', async () => {
    await scenario({ name: 'NO_CONSENT', org: '00000000-0000-4000-8000-000000000000' });
    await scenario({ name: 'NO_CONSENT', account: '00000000-0000-4000-8000-000000000001' });
    expect(await demoToken(h)).toEqual(expect.any(String));
    await scenario({ name: 'NO_CONSENT', org: DEMO_ENTRA.tenantId, account: DEMO_ENTRA.clientId });
    await expect(demoToken(h)).rejects.toThrow(/AADSTS700016/);
  });

  it('WRONG_CERTIFICATE refuses the registered certificate with AADSTS700027', async () => {
    await scenario({ name: 'WRONG_CERTIFICATE', params: { count: 1 } });
    await expect(demoToken(h)).rejects.toThrow(/AADSTS700027/);
    expect(await demoToken(h)).toEqual(expect.any(String));
  });

  it('TOKEN_EXPIRY issues tokens of the given seconds; the Web API answers 401 once that has passed', async () => {
    await scenario({ name: 'TOKEN_EXPIRY', params: { seconds: 30 } });
    const issuedAt = Date.now();
    const result = await (
      await demoMsalApp(h)
    ).acquireTokenByClientCredential({
      scopes: [`${h.emu.entra.environmentUrl}/.default`],
      skipCache: true,
    });
    const lifetimeMs = result!.expiresOn!.getTime() - issuedAt;
    expect(lifetimeMs).toBeGreaterThan(25_000);
    expect(lifetimeMs).toBeLessThanOrEqual(31_000);
    expect(await whoAmI(result!.accessToken)).toEqual({ status: 200, code: undefined });
    // Only the clock moves: the emulator runs in this process and reads Date.now().
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(issuedAt + 31_000);
    expect(await whoAmI(result!.accessToken)).toEqual({ status: 401, code: '0x80072560' });
  });

  it('refuses a TOKEN_EXPIRY without a usable number of seconds, and an unknown endpoint', async () => {
    const bad = await h.control('POST', '/scenarios', { name: 'TOKEN_EXPIRY', params: { seconds: 0 } });
    expect(bad.status).toBe(400);
    const endpoint = await h.control('POST', '/scenarios', { name: 'NO_CONSENT', endpoint: 'graph' });
    expect(endpoint.status).toBe(400);
  });
});
