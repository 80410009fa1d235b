import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness';

describe('GET /api/health', () => {
  let t: TestApi;
  beforeAll(async () => {
    // An emulator address where nothing listens: health must say which dependency is down.
    t = await startTestApi({ ONBEHALF_EMULATOR_URL: 'https://127.0.0.1:9' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is public and reports the database up and an unreachable emulator as down (503)', async () => {
    const res = await fetch(`${t.url}/api/health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      status: string;
      checks: { database: { status: string }; emulator: { status: string; error?: { code: string } } };
    };
    expect(body.status).toBe('degraded');
    expect(body.checks.database.status).toBe('up');
    expect(body.checks.emulator.status).toBe('down');
    expect(body.checks.emulator.error?.code).toBe('EMULATOR_UNREACHABLE');
  });
});

describe('GET /api/health against the production Microsoft services', () => {
  let t: TestApi;
  beforeAll(async () => {
    // The real Windows Live ID STS and no ONBEHALF_EMULATOR_URL: this deployment has no emulator.
    t = await startTestApi({ ONBEHALF_STS_URL: 'https://login.live.com/RST2.srf' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports the emulator as not-configured, not up, and the whole as ok (200)', async () => {
    const res = await fetch(`${t.url}/api/health`);
    const body = (await res.json()) as {
      status: string;
      checks: { database: { status: string }; emulator: { status: string; target: string } };
    };
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks.database.status).toBe('up');
    expect(body.checks.emulator.status).toBe('not-configured');
    expect(body.checks.emulator.target).toMatch(/production Microsoft services/);
  });
});
