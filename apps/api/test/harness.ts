import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '@onbehalf/emulator';
import { Client } from 'pg';
import { inject } from 'vitest';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { startApi, type RunningApi } from '../src/server';

/** A fresh database cloned from the migrated template, private to one test file. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const template = inject('pgUrlTemplate');
  const name = `t_${randomUUID().replace(/-/g, '')}`;
  const admin = new Client({ connectionString: template.replace('{db}', 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE template_test`);
  await admin.end();
  return {
    url: template.replace('{db}', name),
    async drop() {
      const c = new Client({ connectionString: template.replace('{db}', 'postgres') });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestApi {
  api: RunningApi;
  config: AppConfig;
  url: string;
  adminEmail: string;
  adminPassword: string;
  close(): Promise<void>;
}

/** The API's configuration in a test: jobs off, quiet, its own KEK, a first admin, an STS nobody answers. */
export function testConfig(env: Record<string, string>): AppConfig {
  return loadConfig({
    ONBEHALF_API_PORT: '0',
    ONBEHALF_KEK_test: randomBytes(32).toString('base64'),
    ONBEHALF_ADMIN_EMAIL: 'admin@example.test',
    ONBEHALF_ADMIN_PASSWORD: `pw-${randomBytes(8).toString('hex')}`,
    ONBEHALF_LOG_LEVEL: 'error',
    ONBEHALF_JOBS: 'off',
    ONBEHALF_STS_URL: 'https://127.0.0.1:9/RST2.srf',
    ...env,
  });
}

/**
 * A login role of the test cluster that is neither superuser nor BYPASSRLS (the runtime role of the two-role
 * setup), with its URL on database `url`'s database. `drop` removes it once that database is gone.
 */
export async function createRuntimeRole(
  url: string,
): Promise<{ role: string; url: string; drop(): Promise<void> }> {
  const template = inject('pgUrlTemplate');
  const role = `t_app_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const admin = new Client({ connectionString: template.replace('{db}', 'postgres') });
  await admin.connect();
  await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${password}'`);
  await admin.end();
  const u = new URL(url);
  u.username = role;
  u.password = password;
  return {
    role,
    url: u.toString(),
    async drop() {
      const c = new Client({ connectionString: template.replace('{db}', 'postgres') });
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS ${role}`);
      await c.end();
    },
  };
}

/**
 * Starts the real API (real Postgres, real HTTP) on a free port with a known first admin. With `runtimeRole`, it
 * serves as a runtime role of its own (DATABASE_URL) and migrates as the test cluster's owner (DATABASE_OWNER_URL).
 */
export async function startTestApi(
  env: Record<string, string> = {},
  opts: { runtimeRole?: boolean } = {},
): Promise<TestApi> {
  const db = await freshDatabase();
  const runtime = opts.runtimeRole ? await createRuntimeRole(db.url) : null;
  const dir = mkdtempSync(join(tmpdir(), 'onbehalf-api-'));
  const adminPassword = `pw-${randomBytes(8).toString('hex')}`;
  const config = testConfig({
    DATABASE_URL: runtime?.url ?? db.url,
    ...(runtime ? { DATABASE_OWNER_URL: db.url } : {}),
    ONBEHALF_ADMIN_PASSWORD: adminPassword,
    ...env,
  });
  const api = await startApi(config, { logger: false });
  return {
    api,
    config,
    url: api.url,
    adminEmail: 'admin@example.test',
    adminPassword,
    async close() {
      await api.close();
      await db.drop();
      await runtime?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A signed-in console client: keeps the session cookie and sends the CSRF token on unsafe requests. */
export class ConsoleClient {
  private cookie = '';
  private csrf = '';

  constructor(private readonly base: string) {}

  async login(email: string, password: string): Promise<Response> {
    const res = await fetch(`${this.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.ok) {
      this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const unsafe = !['GET', 'HEAD'].includes(method);
    return fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(unsafe && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    this.request('POST', path, body ?? {}, headers);
}

export interface TestStack extends TestApi {
  emulator: RunningEmulator;
  admin: ConsoleClient;
}

/** The real emulator over HTTPS (random port, its own CA) and the API configured against it. */
export async function startTestStack(
  env: Record<string, string> = {},
  emulatorOptions: Partial<EmulatorOptions> = {},
  apiOptions: { runtimeRole?: boolean } = {},
): Promise<TestStack> {
  const dir = mkdtempSync(join(tmpdir(), 'onbehalf-emu-'));
  const emulator = await startEmulator({
    port: 0,
    dataDir: join(dir, 'emulator'),
    demoDir: join(dir, 'demo'),
    ...emulatorOptions,
  });
  const t = await startTestApi(
    {
      ONBEHALF_STS_URL: emulator.stsUrl,
      ONBEHALF_ENTRA_AUTHORITY_URL: emulator.entra.authorityUrl,
      ONBEHALF_TRUSTED_CA_FILES: emulator.caCertPath,
      ONBEHALF_SUPPORTED_ROOT_FILES: emulator.caCertPath,
      ONBEHALF_RPS_LOGIN_URL: emulator.rpsLoginUrl,
      ONBEHALF_RPS_SIGNING_CERT_FILE: emulator.demo.rpsSigningCertPath,
      ...env,
    },
    apiOptions,
  );
  const admin = new ConsoleClient(t.url);
  const res = await admin.login(t.adminEmail, t.adminPassword);
  if (res.status !== 200) throw new Error(`test admin could not sign in: ${res.status}`);
  return {
    ...t,
    emulator,
    admin,
    async close() {
      await t.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The emulator's demo certificate as an upload body. */
export function demoCertificateUpload(e: RunningEmulator): Record<string, string> {
  return {
    serviceAccountLiveId: e.demo.serviceAccountLiveId,
    format: 'pem',
    certificatePem: readFileSync(e.demo.certPath, 'utf8'),
    privateKeyPem: readFileSync(e.demo.keyPath, 'utf8'),
    chainPem: readFileSync(e.demo.chainPath, 'utf8'),
  };
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
