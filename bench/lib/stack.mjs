// The pieces a suite needs, each in its own process: an embedded Postgres (one per run), the
// emulator (bench/lib/emulator-child.mjs) and the API (apps/api/dist/main.js, as in production).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Agent, Pool, request } from 'undici';
import {
  benchDir,
  freePort,
  onCleanup,
  removeTempDir,
  repoRoot,
  spawnUntil,
  stopChild,
  tempDir,
} from './util.mjs';

const require = createRequire(import.meta.url);
export const JON_PUID = '0003BFFD8F3A5B21';

// ---------------------------------------------------------------- Postgres
let pgPromise = null;
/** One embedded cluster for the whole run, deleted at the end. */
export function postgres() {
  if (!pgPromise) {
    pgPromise = (async () => {
      const { startEmbeddedPostgres } = require('@onbehalf/devdb');
      const dir = tempDir('pg');
      const pg = await startEmbeddedPostgres({
        dataDir: join(dir, 'data'),
        port: await freePort(),
        persistent: false,
      });
      onCleanup(async () => {
        pgPromise = null;
        await pg.stop();
        removeTempDir(dir);
      });
      // The postmaster's pid, to account the CPU of Postgres (it and its backends).
      // pg.dataDir: where the cluster is (as root it may be relocated from the directory asked for).
      pg.postmasterPid = Number(readFileSync(join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pg;
    })();
  }
  return pgPromise;
}

/** A new empty database on the run's cluster; the API migrates it on start. */
export async function freshDatabase(name) {
  const pg = await postgres();
  const db = `bench_${name}_${randomBytes(4).toString('hex')}`;
  await pg.createDatabase(db);
  return pg.url(db);
}

/**
 * The product as `npm start` runs it: the API serves as a runtime role of its own (row-level security and the
 * grants apply) and migrates as the cluster's owner. BENCH_DB_ROLES=one: as the owner alone (the setup before
 * least-privilege Postgres, to compare with it).
 */
export const DB_ROLES = process.env.BENCH_DB_ROLES === 'one' ? 'one' : 'two';

async function databaseRoles(databaseUrl) {
  if (DB_ROLES === 'one') return { DATABASE_URL: databaseUrl };
  const pg = await postgres();
  const db = new URL(databaseUrl).pathname.slice(1);
  const runtime = await pg.loginRole(`bench_app_${randomBytes(4).toString('hex')}`, db);
  return { DATABASE_URL: runtime, DATABASE_OWNER_URL: databaseUrl };
}

// ---------------------------------------------------------------- emulator
export async function startEmulatorProcess(options = {}) {
  const dir = tempDir('emu');
  const port = await freePort();
  const { child, value: info } = await spawnUntil(
    process.execPath,
    [
      join(benchDir, 'lib', 'emulator-child.mjs'),
      JSON.stringify({ port, dataDir: join(dir, 'emulator'), demoDir: join(dir, 'demo'), ...options }),
    ],
    {
      name: 'emulator',
      ipc: true,
      env: { ...process.env },
      ready: (m) => (m && typeof m === 'object' && m.type === 'ready' ? m : undefined),
      timeoutMs: 120_000,
    },
  );
  const agent = new Agent({ connect: { ca: info.caCertPem }, connections: 4 });
  const control = async (method, path, body) => {
    const res = await request(`${info.url}/_control/${path}`, {
      method,
      dispatcher: agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300)
      throw new Error(`emulator control ${method} ${path}: ${res.statusCode} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await agent.close().catch(() => undefined);
    await stopChild(child, 'SIGTERM');
    removeTempDir(dir);
  };
  onCleanup(close);
  return {
    ...info,
    pid: child.pid,
    control,
    counts: () => control('GET', 'counts'),
    resetCounts: () => control('POST', 'counts/reset', {}),
    close,
  };
}

/**
 * The demo service account's certificate, as the emulator wrote it, with the discovery and Windows Live
 * clients that trust the emulator's CA: what a suite needs to get tickets itself, beside the API.
 */
export function demoServiceAccount(emulator) {
  const { CertificateBundle, DiscoveryClient, WlidClient } = require('@onbehalf/crm-auth');
  const ca = [emulator.caCertPem];
  const bundle = CertificateBundle.fromPem({
    certificatePem: readFileSync(emulator.demo.certPath, 'utf8'),
    privateKeyPem: readFileSync(emulator.demo.keyPath, 'utf8'),
    chainPem: readFileSync(emulator.demo.chainPath, 'utf8'),
  });
  const discovery = new DiscoveryClient({ url: emulator.discoveryUrl, ca });
  const wlid = new WlidClient({ stsUrl: emulator.stsUrl, certificate: bundle, ca });
  return { ca, bundle, discovery, wlid };
}

// ---------------------------------------------------------------- API
/**
 * The API as a child process (`node apps/api/dist/main.js`), on a fresh port, with a known first
 * admin and its own key-encryption key. `emulator` wires the STS, trust and RPS settings to it.
 */
export async function startApiProcess({
  databaseUrl,
  emulator = null,
  env = {},
  // A second instance on the same database passes the first's KEK and admin password.
  kek = randomBytes(32).toString('base64'),
  adminPassword = `pw-${randomBytes(9).toString('hex')}`,
}) {
  const port = await freePort();
  const roles = await databaseRoles(databaseUrl);
  const adminEmail = 'bench@example.test';
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ...roles,
    ONBEHALF_API_PORT: String(port),
    ONBEHALF_API_HOST: '127.0.0.1',
    ONBEHALF_PUBLIC_URL: `http://127.0.0.1:${port}`,
    ONBEHALF_KEK_bench: kek,
    ONBEHALF_ADMIN_EMAIL: adminEmail,
    ONBEHALF_ADMIN_PASSWORD: adminPassword,
    ONBEHALF_LOG_LEVEL: 'error',
    ...(emulator
      ? {
          ONBEHALF_STS_URL: emulator.stsUrl,
          ONBEHALF_ENTRA_AUTHORITY_URL: emulator.entra.authorityUrl,
          ONBEHALF_TRUSTED_CA_FILES: emulator.caCertPath,
          ONBEHALF_SUPPORTED_ROOT_FILES: emulator.caCertPath,
          ONBEHALF_RPS_LOGIN_URL: emulator.rpsLoginUrl,
          ONBEHALF_RPS_SIGNING_CERT_FILE: emulator.demo.rpsSigningCertPath,
        }
      : { ONBEHALF_STS_URL: 'https://127.0.0.1:9/RST2.srf' }),
    ...env,
  };
  // BENCH_PROFILE_DIR=dir: the API writes a V8 CPU profile there when it stops (to find where the time goes).
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const { child, value: url } = await spawnUntil(
    process.execPath,
    [...profile, join(repoRoot, 'apps', 'api', 'dist', 'main.js')],
    {
      name: 'api',
      env: childEnv,
      ready: (line) => /listening on (http\S+)/.exec(line)?.[1],
      timeoutMs: 120_000,
    },
  );
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await stopChild(child, 'SIGTERM');
  };
  onCleanup(close);
  return { url, port, pid: child.pid, child, adminEmail, adminPassword, kek, close };
}

/** An HTTP client of the API: a keep-alive pool, a console session (cookie + CSRF) or an API key. */
export class ApiClient {
  constructor(base, { connections = 16 } = {}) {
    this.base = base;
    this.pool = new Pool(base, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
    this.cookie = '';
    this.csrf = '';
    this.bearer = '';
  }

  async login(email, password) {
    const res = await this.pool.request({
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const body = await res.body.json();
    if (res.statusCode !== 200) throw new Error(`login: ${res.statusCode} ${JSON.stringify(body)}`);
    const setCookie = res.headers['set-cookie'];
    this.cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0];
    this.csrf = body.csrfToken;
    return body;
  }

  useApiKey(key) {
    this.bearer = key;
    this.cookie = '';
    this.csrf = '';
  }

  headers(unsafe, hasBody) {
    return {
      ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
      ...(this.cookie ? { cookie: this.cookie } : {}),
      ...(unsafe && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    };
  }

  /** JSON request; returns {status, body}. */
  async call(method, path, body) {
    const unsafe = method !== 'GET' && method !== 'HEAD';
    const res = await this.pool.request({
      method,
      path,
      headers: this.headers(unsafe, body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body: parsed };
  }

  async ok(method, path, body, expect = [200, 201, 204]) {
    const r = await this.call(method, path, body);
    if (!expect.includes(r.status))
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
    return r.body;
  }

  close() {
    return this.pool.close();
  }
}

/**
 * The full product path: emulator + API on a fresh database, the demo certificate uploaded,
 * Contoso onboarded, and an API key for the load (what the ISV's software would use).
 */
export async function startCrmStack({ apiEnv = {}, emulatorOptions = {} } = {}) {
  const emulator = await startEmulatorProcess(emulatorOptions);
  const databaseUrl = await freshDatabase('crm');
  const api = await startApiProcess({ databaseUrl, emulator, env: apiEnv });
  const admin = new ApiClient(api.url, { connections: 4 });
  await admin.login(api.adminEmail, api.adminPassword);
  const cert = await admin.ok('POST', '/api/certificates', {
    serviceAccountLiveId: emulator.demo.serviceAccountLiveId,
    format: 'pem',
    certificatePem: readFileSync(emulator.demo.certPath, 'utf8'),
    privateKeyPem: readFileSync(emulator.demo.keyPath, 'utf8'),
    chainPem: readFileSync(emulator.demo.chainPath, 'utf8'),
  });
  const onboarded = await admin.ok('POST', '/api/orgs', {
    discoveryUrl: emulator.discoveryUrl,
    friendlyName: 'Contoso Ltd',
    certificateId: cert.id,
  });
  if (onboarded.org.status !== 'active')
    throw new Error(`onboarding Contoso failed: ${JSON.stringify(onboarded.run.steps)}`);
  // What an ISV's integration would hold: impersonated calls on this org, nothing else.
  const key = await admin.ok('POST', '/api/api-keys', {
    name: 'bench',
    scopes: ['calls'],
    orgIds: [onboarded.org.id],
  });
  const close = async () => {
    await admin.close().catch(() => undefined);
    await api.close();
    await emulator.close();
  };
  return {
    emulator,
    api,
    admin,
    databaseUrl,
    orgId: onboarded.org.id,
    certificateId: cert.id,
    apiKey: key.key,
    close,
  };
}
