import path from 'node:path';
import type { EmulatorOptions } from '../start-emulator';

/** A configuration value that cannot be used; names the variable. */
export class EmulatorConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'EmulatorConfigError';
  }
}

/** The CLI's configuration: the options of startEmulator with every default filled in. */
export type EmulatorConfig = Required<Omit<EmulatorOptions, 'log' | 'partnerDomains' | 'persistState'>>;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new EmulatorConfigError(name, `must be an integer between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

/**
 * Reads and checks the CLI configuration once from environment variables (EMULATOR_*). `repoRoot`
 * anchors the default data directories (<repo>/.data/emulator and <repo>/.data/demo).
 */
export function loadEmulatorConfig(env: NodeJS.ProcessEnv, repoRoot: string): EmulatorConfig {
  const host = (env['EMULATOR_LISTEN_HOST'] ?? '').trim() || '127.0.0.1';
  if (/\s/.test(host)) throw new EmulatorConfigError('EMULATOR_LISTEN_HOST', `'${host}' is not an address`);
  const hostnames = (env['EMULATOR_HOSTNAMES'] ?? 'localhost')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (hostnames.length === 0) hostnames.push('localhost');
  for (const name of hostnames) {
    if (!/^[A-Za-z0-9.:-]+$/.test(name)) {
      throw new EmulatorConfigError('EMULATOR_HOSTNAMES', `'${name}' is not a host name or IP address`);
    }
  }
  const seed = (env['EMULATOR_SEED'] ?? 'demo').trim() || 'demo';
  if (seed !== 'demo' && seed !== 'none') {
    throw new EmulatorConfigError('EMULATOR_SEED', `must be 'demo' or 'none', got '${seed}'`);
  }
  const dir = (name: string, fallback: string): string => {
    const raw = (env[name] ?? '').trim();
    return path.resolve(repoRoot, raw === '' ? fallback : raw);
  };
  return {
    port: integer(env, 'EMULATOR_PORT', 8443, 0, 65535),
    host,
    hostnames,
    dataDir: dir('EMULATOR_DATA_DIR', '.data/emulator'),
    demoDir: dir('EMULATOR_DEMO_DIR', '.data/demo'),
    seed,
    crmTicketLifetimeSec: integer(env, 'EMULATOR_CRM_TICKET_LIFETIME_SEC', 8 * 3600, 1, 31_536_000),
    passportTicketLifetimeSec: integer(
      env,
      'EMULATOR_PASSPORT_TICKET_LIFETIME_SEC',
      24 * 3600,
      1,
      31_536_000,
    ),
    rpsTicketLifetimeSec: integer(env, 'EMULATOR_RPS_TICKET_LIFETIME_SEC', 600, 1, 31_536_000),
  };
}
