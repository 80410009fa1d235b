import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseProbe } from './database-probe';

export interface HealthCheck {
  /** `not-configured`: the dependency is not part of this deployment (no emulator beside production services). */
  status: 'up' | 'down' | 'not-configured';
  latencyMs: number;
  target: string;
  error?: { code: string; message: string };
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  version: string;
  checks: { database: HealthCheck; emulator: HealthCheck };
}

const TIMEOUT_MS = 3_000;
const API_VERSION = '0.1.0';

@Injectable()
export class HealthService implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly logger = new Logger('health');

  constructor(
    private readonly database: DatabaseProbe,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.agent = new Agent({
      connect: {
        ca: config.trustedServerCaPems.length ? config.trustedServerCaPems : undefined,
        timeout: TIMEOUT_MS,
      },
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
  }

  async report(): Promise<HealthReport> {
    const [database, emulator] = await Promise.all([this.checkDatabase(), this.checkEmulator()]);
    return {
      status: database.status === 'up' && emulator.status !== 'down' ? 'ok' : 'degraded',
      version: API_VERSION,
      checks: { database, emulator },
    };
  }

  private async checkDatabase(): Promise<HealthCheck> {
    const t0 = performance.now();
    // The reply is public: it names the dependency, not its address.
    const target = 'postgres';
    try {
      await Promise.race([
        this.database.ping(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS),
        ),
      ]);
      return { status: 'up', latencyMs: ms(t0), target };
    } catch (err) {
      this.logger.warn(`database check failed: ${describe(err)}`);
      return {
        status: 'down',
        latencyMs: ms(t0),
        target,
        error: { code: 'DATABASE_UNREACHABLE', message: 'The database does not answer.' },
      };
    }
  }

  /** The emulator (or CRM Online) is reachable when its discovery endpoint answers over trusted TLS. */
  private async checkEmulator(): Promise<HealthCheck> {
    const base = this.config.emulatorHealthUrl;
    // Production Microsoft services: there is no emulator to check, and saying `up` would claim a check never made.
    if (!base)
      return { status: 'not-configured', latencyMs: 0, target: 'none (production Microsoft services)' };
    const url = new URL('/MSCRMServices/2007/Passport/CrmDiscoveryService.asmx?WSDL', base).toString();
    const target = 'emulator';
    const t0 = performance.now();
    try {
      const res = await request(url, { dispatcher: this.agent, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.body.dump();
      if (res.statusCode >= 500) {
        return {
          status: 'down',
          latencyMs: ms(t0),
          target,
          error: { code: 'EMULATOR_ERROR', message: `HTTP ${res.statusCode}` },
        };
      }
      return { status: 'up', latencyMs: ms(t0), target };
    } catch (err) {
      this.logger.warn(`emulator check failed: ${describe(err)}`);
      return {
        status: 'down',
        latencyMs: ms(t0),
        target,
        error: {
          code: 'EMULATOR_UNREACHABLE',
          message: `The CRM services do not answer at ${new URL(base).host}.`,
        },
      };
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }
}

const ms = (t0: number) => Math.round((performance.now() - t0) * 10) / 10;

function describe(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const code = (err as { code?: string }).code ?? (err.cause as { code?: string } | undefined)?.code;
  return code ? `${code}: ${err.message}` : err.message;
}
