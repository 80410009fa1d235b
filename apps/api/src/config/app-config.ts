import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';

/** The API's whole configuration, validated once at boot. Nothing else reads process.env. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** The role the API serves as (the runtime role when `databaseOwnerUrl` is set). */
  databaseUrl: string;
  /**
   * The schema owner's URL (DATABASE_OWNER_URL): migrations run as it, then it grants the runtime role of
   * `databaseUrl` its rows and nothing more (database/runtime-role.ts). Null: one role does both.
   */
  databaseOwnerUrl: string | null;
  /** Where the built console lives; served at `/` when it exists. */
  webDistDir: string | null;
  /** Public origin of the console, for CSRF origin checks and RPS return URLs. */
  publicOrigin: string;
  /** Windows Live STS to ask for Passport tickets. */
  stsUrl: string;
  /** Partner domain written into wsp:AppliesTo. */
  partnerDomain: string;
  /**
   * The identity platform's host for Dataverse orgs (`ONBEHALF_ENTRA_AUTHORITY_URL`), without a trailing slash: a
   * tenant's token endpoint is `<authority>/<tenant>/oauth2/v2.0/token`, its admin consent `<authority>/<tenant>/adminconsent`.
   */
  entraAuthorityUrl: string;
  /** CA certificates (PEM) trusted for the STS, discovery and CrmService TLS servers. Empty: Node's default store. */
  trustedServerCaPems: string[];
  /** Extra supported roots (PEM) for service-account certificate chains, beside the SDK's three. */
  supportedRootPems: string[];
  /**
   * Legacy orgs only (`ONBEHALF_ALLOW_LEGACY_RSA_KEYS=on`): a certificate with a 1024- to 2047-bit RSA key
   * is accepted with a KEY_TOO_SHORT warning instead of refused. Off by default.
   */
  allowLegacyRsaKeys: boolean;
  /** Target of the emulator reachability check in /api/health (origin of the STS by default). */
  emulatorHealthUrl: string | null;
  /** RPS sign-in page and its signing certificate. */
  rpsLoginUrl: string | null;
  rpsSigningCertPem: string | null;
  rpsSiteId: string;
  /** Key-encryption keys: id → 32-byte key; the active one encrypts. */
  keks: Map<string, Buffer>;
  activeKekId: string;
  firstAdmin: { email: string; password: string | null };
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  loginRateLimitPerMinute: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Seconds before a CRM ticket's expiry at which the background job refreshes it. */
  ticketRefreshAheadSec: number;
  /** Keep-alive connections to each discovery service and CrmService host: the most calls in flight to one at a time. */
  crmConnections: number;
  /** Seconds after which reconciliation treats a still-pending ledger row as cut off (crash or lost reply). */
  reconcilePendingAfterSec: number;
  jobsEnabled: boolean;
  /**
   * `node dist/main.js` only: API processes sharing one port (ONBEHALF_API_WORKERS, a number or `auto` for one per
   * core). Each is an instance as docs/operations.md §5 describes them. Default 1: no extra process.
   */
  apiWorkers: number;
  /** This instance's name in ledger rows and ticket events (`ONBEHALF_INSTANCE_ID`, default `<host>:<pid>`). */
  instanceId: string;
}

/** A configuration problem; the message names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function apiWorkers(env: Env): number {
  const raw = env.ONBEHALF_API_WORKERS?.trim();
  if (raw === 'auto') return Math.min(availableParallelism(), 64);
  return int(env, 'ONBEHALF_API_WORKERS', 1, 1, 64);
}

function onOff(env: Env, name: string, def: boolean): boolean {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return def;
  if (raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(name, `must be on or off, got "${raw}"`);
}

function url(env: Env, name: string, def: string | null, protocols: string[]): string | null {
  const raw = env[name]?.trim() || def;
  if (raw === null) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${raw}"`);
  }
  if (!protocols.includes(u.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${u.protocol}"`);
  }
  return raw;
}

function pemFiles(env: Env, name: string, required: boolean): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw
    .split(/[,:]/)
    .map((p) => p.trim())
    .filter(Boolean)
    .flatMap((p) => {
      const file = resolve(p);
      if (!existsSync(file)) {
        if (required) throw new ConfigError(name, `file not found: ${file}`);
        return [];
      }
      const text = readFileSync(file, 'utf8');
      if (!text.includes('-----BEGIN CERTIFICATE-----'))
        throw new ConfigError(name, `no PEM certificate in ${file}`);
      return [text];
    });
}

function keks(env: Env, devKeyFile: string | null): { keks: Map<string, Buffer>; active: string } {
  const map = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(env)) {
    const m = /^ONBEHALF_KEK_([A-Za-z0-9_-]+)$/.exec(k);
    if (!m || !v || k === 'ONBEHALF_KEK_ACTIVE' || k === 'ONBEHALF_KEK_FILE') continue;
    const key = Buffer.from(v.trim(), 'base64');
    if (key.length !== 32) throw new ConfigError(k, 'must be 32 bytes, base64-encoded');
    map.set(m[1]!, key);
  }
  if (map.size === 0 && devKeyFile) {
    const file = resolve(devKeyFile);
    if (!existsSync(file)) {
      throw new ConfigError('ONBEHALF_KEK_FILE', `key file not found: ${file}`);
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32)
      throw new ConfigError('ONBEHALF_KEK_FILE', `${file} must hold 32 bytes, base64-encoded`);
    map.set('file', key);
  }
  if (map.size === 0) {
    throw new ConfigError(
      'ONBEHALF_KEK_<id>',
      'no key-encryption key: set ONBEHALF_KEK_<id> (32 bytes base64) or ONBEHALF_KEK_FILE',
    );
  }
  const active = env.ONBEHALF_KEK_ACTIVE?.trim() || [...map.keys()][0]!;
  if (!map.has(active)) throw new ConfigError('ONBEHALF_KEK_ACTIVE', `no key with id "${active}"`);
  return { keks: map, active };
}

/**
 * After how long a still-pending ledger row counts as cut off by a crash. It must exceed the slowest live call,
 * or reconciliation would fail a call still running as CRASHED_UNKNOWN_OUTCOME and its reply would find its row
 * sealed. With the session's bounds (tickets.service.ts SESSION_CALL_BOUNDS) that is (90 s + 30 s) × 8 + 32 s =
 * 992 s, most of it the six early expiries a call may retry past; hence 20 minutes.
 */
export const DEFAULT_RECONCILE_PENDING_AFTER_SEC = 1200;

/** Reads and checks the configuration; throws ConfigError naming the variable at fault. */
export function loadConfig(env: Env): AppConfig {
  const nodeEnv =
    env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl)
    throw new ConfigError('DATABASE_URL', 'is required (postgres://user:password@host:port/db)');
  if (!/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ConfigError('DATABASE_URL', 'must start with postgres://');
  const databaseOwnerUrl = env.DATABASE_OWNER_URL?.trim() || null;
  if (databaseOwnerUrl !== null && !/^postgres(ql)?:\/\//.test(databaseOwnerUrl))
    throw new ConfigError('DATABASE_OWNER_URL', 'must start with postgres://');
  const port = int(env, 'ONBEHALF_API_PORT', 3000, 0, 65535);
  const stsUrl = url(env, 'ONBEHALF_STS_URL', 'https://login.live.com/RST2.srf', ['https:'])!;
  const level = (env.ONBEHALF_LOG_LEVEL ?? 'info').trim();
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    throw new ConfigError('ONBEHALF_LOG_LEVEL', `must be debug, info, warn or error, got "${level}"`);
  }
  const email = (env.ONBEHALF_ADMIN_EMAIL ?? 'admin@localhost').trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email))
    throw new ConfigError('ONBEHALF_ADMIN_EMAIL', `is not an email address: "${email}"`);
  const adminPassword = env.ONBEHALF_ADMIN_PASSWORD ?? null;
  if (adminPassword !== null && adminPassword.length < 10) {
    throw new ConfigError('ONBEHALF_ADMIN_PASSWORD', 'must be at least 10 characters');
  }
  const webDist = env.ONBEHALF_WEB_DIST?.trim() || null;
  const k = keks(env, env.ONBEHALF_KEK_FILE?.trim() || null);
  const rpsCert = pemFiles(env, 'ONBEHALF_RPS_SIGNING_CERT_FILE', true)[0] ?? null;
  const stsOrigin = new URL(stsUrl).origin;
  return {
    env: nodeEnv,
    port,
    host: env.ONBEHALF_API_HOST?.trim() || '127.0.0.1',
    databaseUrl,
    databaseOwnerUrl,
    webDistDir: webDist ? resolve(webDist) : null,
    publicOrigin: url(env, 'ONBEHALF_PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:'])!.replace(
      /\/$/,
      '',
    ),
    stsUrl,
    partnerDomain: env.ONBEHALF_PARTNER_DOMAIN?.trim() || 'crm.dynamics.com',
    entraAuthorityUrl: url(env, 'ONBEHALF_ENTRA_AUTHORITY_URL', 'https://login.microsoftonline.com', [
      'https:',
    ])!.replace(/\/+$/, ''),
    trustedServerCaPems: pemFiles(env, 'ONBEHALF_TRUSTED_CA_FILES', true),
    supportedRootPems: pemFiles(env, 'ONBEHALF_SUPPORTED_ROOT_FILES', true),
    allowLegacyRsaKeys: onOff(env, 'ONBEHALF_ALLOW_LEGACY_RSA_KEYS', false),
    emulatorHealthUrl: url(
      env,
      'ONBEHALF_EMULATOR_URL',
      stsOrigin.includes('login.live.com') ? null : stsOrigin,
      ['https:', 'http:'],
    ),
    rpsLoginUrl: url(env, 'ONBEHALF_RPS_LOGIN_URL', null, ['https:', 'http:']),
    rpsSigningCertPem: rpsCert,
    rpsSiteId: env.ONBEHALF_RPS_SITE_ID?.trim() || 'onbehalf',
    keks: k.keks,
    activeKekId: k.active,
    firstAdmin: { email, password: adminPassword },
    sessionIdleMinutes: int(env, 'ONBEHALF_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: int(env, 'ONBEHALF_SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    loginRateLimitPerMinute: int(env, 'ONBEHALF_LOGIN_RATE_LIMIT', 5, 1, 10_000),
    logLevel: level as AppConfig['logLevel'],
    ticketRefreshAheadSec: int(env, 'ONBEHALF_TICKET_REFRESH_AHEAD_SEC', 300, 0, 86_400),
    crmConnections: int(env, 'ONBEHALF_CRM_CONNECTIONS', 32, 1, 4096),
    reconcilePendingAfterSec: int(
      env,
      'ONBEHALF_RECONCILE_PENDING_AFTER_SEC',
      DEFAULT_RECONCILE_PENDING_AFTER_SEC,
      0,
      86_400,
    ),
    jobsEnabled: (env.ONBEHALF_JOBS ?? 'on') !== 'off',
    apiWorkers: apiWorkers(env),
    instanceId: instanceId(env),
  };
}

/** The instance's name: set it per replica (e.g. the pod name) when host and pid do not tell instances apart. */
function instanceId(env: Env): string {
  const v = env.ONBEHALF_INSTANCE_ID?.trim();
  if (v === undefined || v === '') return `${hostname()}:${process.pid}`;
  if (!/^[\x21-\x7e]{1,100}$/.test(v)) {
    throw new ConfigError(
      'ONBEHALF_INSTANCE_ID',
      'must be 1 to 100 printable ASCII characters without spaces',
    );
  }
  return v;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
