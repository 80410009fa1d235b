import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ENTRA } from '../src/index';
import { startHarness, type Harness } from './emulator-harness';
import { demoToken } from './entra-clients';

/**
 * The emulator's scenarios (endpoint crm) on the Dataverse Web API (docs/protocol.md §13.5): the rule ones answer
 * with the Web API's codes, the transport ones change the reply as they do for SOAP.
 */
describe('the emulated Dataverse Web API: scenarios', () => {
  let h: Harness;
  let token: string;
  const whoAmI = (headers: Record<string, string> = {}) =>
    request(`${h.emu.entra.environmentUrl}/api/data/v9.2/WhoAmI`, {
      dispatcher: h.agent,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
  const scenario = async (body: Record<string, unknown>) => {
    const r = await h.control('POST', '/scenarios', { endpoint: 'crm', params: { count: 1 }, ...body });
    expect(r.status).toBe(201);
  };
  const errorOf = async (res: Awaited<ReturnType<typeof whoAmI>>) => ({
    status: res.statusCode,
    code: ((await res.body.json()) as { error?: { code?: string } }).error?.code,
  });

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', {});
    token = await demoToken(h);
  });

  it('DISABLED_ORG answers 403 0x8004A104, then the next call is served', async () => {
    await scenario({ name: 'DISABLED_ORG', org: DEMO_ENTRA.environmentOrg });
    expect(await errorOf(await whoAmI())).toEqual({ status: 403, code: '0x8004A104' });
    expect((await whoAmI()).statusCode).toBe(200);
  });

  it('a disabled organization answers 403 0x8004A104', async () => {
    await h.control('PATCH', `/orgs/${DEMO_ENTRA.environmentOrg}`, { enabled: false });
    expect(await errorOf(await whoAmI())).toEqual({ status: 403, code: '0x8004A104' });
  });

  it('DISABLED_USER answers 403 0x80040225 for the user acted for', async () => {
    await scenario({ name: 'DISABLED_USER' });
    expect(await errorOf(await whoAmI({ callerobjectid: DEMO_ENTRA.jonObjectId }))).toEqual({
      status: 403,
      code: '0x80040225',
    });
  });

  it('HTTP_500 answers 500 with the OData error body', async () => {
    await scenario({ name: 'HTTP_500' });
    const res = await whoAmI();
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(await errorOf(res)).toEqual({ status: 500, code: '0x80040216' });
  });

  it('SLOW delays the reply by its ms', async () => {
    await scenario({ name: 'SLOW', params: { ms: 400, count: 1 } });
    const started = performance.now();
    const res = await whoAmI();
    await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('MALFORMED_REPLY cuts the JSON so that it does not parse', async () => {
    await scenario({ name: 'MALFORMED_REPLY' });
    const res = await whoAmI();
    const text = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(text.startsWith('{"@odata.context"')).toBe(true);
  });

  it('DROP_CONNECTION closes the connection without a reply', async () => {
    await scenario({ name: 'DROP_CONNECTION' });
    await expect(whoAmI()).rejects.toThrow();
    expect((await whoAmI()).statusCode).toBe(200);
  });

  it('HTML_LOGIN_PAGE answers a sign-in page instead of JSON', async () => {
    await scenario({ name: 'HTML_LOGIN_PAGE' });
    const res = await whoAmI();
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(await res.body.text()).toContain('<form');
  });
});
