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
