import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { DatabaseProbe } from './database-probe';
import { HealthService } from './health.service';

/** A HealthService whose database answers as `ping` does, beside production services (no emulator to check). */
function health(ping: () => Promise<void>) {
  const config = { trustedServerCaPems: [], emulatorHealthUrl: null } as unknown as AppConfig;
  return new HealthService({ ping } as DatabaseProbe, config);
}

const services: HealthService[] = [];
const make = (ping: () => Promise<void>) => {
  const s = health(ping);
  services.push(s);
  return s;
};

beforeEach(() => {
  vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const s of services.splice(0)) await s.onModuleDestroy();
});

describe('HealthService database check', () => {
  it('reports the database up, and the whole ok, when it answers', async () => {
    const report = await make(async () => undefined).report();
    expect(report.status).toBe('ok');
    expect(report.checks.database).toStrictEqual({
      status: 'up',
      latencyMs: expect.any(Number),
      target: 'postgres',
    });
    expect(report.checks.emulator).toMatchObject({ status: 'not-configured' });
  });

  it("reports it down, and the whole degraded, when it fails, without the driver's words", async () => {
    const report = await make(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    }).report();
    expect(report.status).toBe('degraded');
    expect(report.checks.database).toStrictEqual({
      status: 'down',
      latencyMs: expect.any(Number),
      target: 'postgres',
      error: { code: 'DATABASE_UNREACHABLE', message: 'The database does not answer.' },
    });
  });

  it('reports it down once it has not answered for 3 s, not before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    let settled = false;
    const pending = make(() => new Promise<void>(() => undefined))
      .report()
      .finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const report = await pending;
    expect(report.status).toBe('degraded');
    expect(report.checks.database).toMatchObject({ status: 'down', error: { code: 'DATABASE_UNREACHABLE' } });
  });
});
