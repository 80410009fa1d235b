import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Starts the real API (real Postgres, real HTTP) on a free port with a known first admin. */
export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const db = await freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'onbehalf-api-'));
  const adminPassword = `pw-${randomBytes(8).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: db.url,
    ONBEHALF_API_PORT: '0',
    ONBEHALF_KEK_test: randomBytes(32).toString('base64'),
    ONBEHALF_ADMIN_EMAIL: 'admin@example.test',
    ONBEHALF_ADMIN_PASSWORD: adminPassword,
    ONBEHALF_LOG_LEVEL: 'error',
    ONBEHALF_JOBS: 'off',
    ONBEHALF_STS_URL: 'https://127.0.0.1:9/RST2.srf',
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

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
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
  post = (path: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', path, body ?? {}, headers);
}
