// `npm start`: the whole product on one machine with only Node and npm.
// Installs and builds when needed, then runs an embedded Postgres, the CRM Online emulator
// (with its demo seed), the API and the console, all in this one process. Ctrl-C stops all.
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { installAndBuild } from './lib/build.mjs';
import { root } from './lib/pnpm.mjs';

const args = new Set(process.argv.slice(2));
const env = process.env;
const dataDir = resolve(root, env.ONBEHALF_DATA_DIR || '.data');
const t0 = Date.now();
const say = (msg) => console.log(`[onbehalf] ${msg}`);
if (args.has('--fresh')) {
  // Throwaway stacks (the browser tests) start from nothing.
  rmSync(dataDir, { recursive: true, force: true });
}
const fail = (msg) => {
  console.error(`[onbehalf] ${msg}`);
  process.exit(1);
};

try {
  installAndBuild({
    install: !args.has('--no-install'),
    build: !args.has('--no-build'),
    force: args.has('--rebuild'),
    log: say,
  });
} catch (err) {
  fail(err.message);
}

const require = createRequire(join(root, 'apps', 'api', 'package.json'));
const { startEmbeddedPostgres, isPortTaken } = require('@onbehalf/devdb');
const { startEmulator } = require('@onbehalf/emulator');
const { loadConfig, ConfigError } = require('./dist/config/app-config.js');
const { startApi } = require('./dist/server.js');
const { seedDemo } = require('./dist/demo/demo-seed.js');

function port(name, def) {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) fail(`${name} must be a port number, got "${raw}"`);
  return Number(raw);
}

const apiPort = port('ONBEHALF_API_PORT', 3000);
const emulatorPort = port('EMULATOR_PORT', 8443);
const useEmulator = (env.ONBEHALF_EMULATOR ?? 'on') !== 'off';
for (const [p, name] of [
  [apiPort, 'ONBEHALF_API_PORT'],
  ...(useEmulator ? [[emulatorPort, 'EMULATOR_PORT']] : []),
]) {
  if (await isPortTaken(p))
    fail(`port ${p} is already in use (${name}). Stop what uses it, or set ${name} to another port.`);
}

const stops = [];
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const [what, stop] of stops.reverse()) {
    try {
      await stop();
    } catch (err) {
      console.error(`[onbehalf] while stopping the ${what}: ${err.message}`);
    }
  }
  say('stopped');
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

try {
  // 1. Postgres: DATABASE_URL (and DATABASE_OWNER_URL when given), or the embedded cluster under .data/pg with
  // two roles: its owner applies the migrations, and the API serves as onbehalf_app, which owns nothing.
  let databaseUrl = env.DATABASE_URL;
  let databaseOwnerUrl = env.DATABASE_OWNER_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'pg'),
      port: env.ONBEHALF_PG_PORT ? port('ONBEHALF_PG_PORT', 0) : undefined,
      preferredPort: 54329,
      persistent: true,
      fresh: args.has('--fresh'),
    });
    stops.push(['embedded Postgres', () => pg.stop()]);
    await pg.createDatabase('onbehalf');
    databaseOwnerUrl = pg.url('onbehalf');
    databaseUrl = await pg.loginRole('onbehalf_app', 'onbehalf');
    say(`embedded Postgres on 127.0.0.1:${pg.port} (data in ${pg.dataDir})`);
    if (pg.relocated) {
      // As root the server runs as user postgres, which cannot enter a private directory (devdb).
      say(
        `  (not in ${pg.relocated.from}: user postgres, which runs it, cannot enter ${pg.relocated.blockedBy}; ` +
          'set ONBEHALF_DATA_DIR to a directory it can reach to keep the cluster there)',
      );
    }
  }

  // 2. The key-encryption key: from the environment, else a generated file (development only).
  const kekFile = join(dataDir, 'kek');
  const hasEnvKek = Object.keys(env).some((k) => /^ONBEHALF_KEK_(?!ACTIVE$|FILE$)/.test(k));
  if (!hasEnvKek && !env.ONBEHALF_KEK_FILE && !existsSync(kekFile)) {
    writeFileSync(kekFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    say(`generated a development key-encryption key in ${kekFile}; set ONBEHALF_KEK_<id> in production`);
  }

  // 3. The CRM Online emulator.
  let emulator = null;
  if (useEmulator) {
    const lifetime = (name) => (env[name] ? Number(env[name]) : undefined);
    emulator = await startEmulator({
      port: emulatorPort,
      host: env.EMULATOR_LISTEN_HOST || '127.0.0.1',
      hostnames: (env.EMULATOR_HOSTNAMES || 'localhost')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
      dataDir: join(dataDir, 'emulator'),
      demoDir: join(dataDir, 'demo'),
      crmTicketLifetimeSec: lifetime('EMULATOR_CRM_TICKET_LIFETIME_SEC'),
      passportTicketLifetimeSec: lifetime('EMULATOR_PASSPORT_TICKET_LIFETIME_SEC'),
      rpsTicketLifetimeSec: lifetime('EMULATOR_RPS_TICKET_LIFETIME_SEC'),
    });
    stops.push(['emulator', () => emulator.close()]);
    say(`emulator on ${emulator.url}`);
  }

  // 4. The API, serving the console at / and the API under /api.
  let config;
  try {
    config = loadConfig({
      ONBEHALF_LOG_LEVEL: 'warn',
      ONBEHALF_WEB_DIST: join(root, 'apps', 'web', 'dist'),
      ONBEHALF_API_HOST: '127.0.0.1',
      ...(emulator
        ? {
            ONBEHALF_STS_URL: emulator.stsUrl,
            ONBEHALF_ENTRA_AUTHORITY_URL: emulator.entra.authorityUrl,
            ONBEHALF_TRUSTED_CA_FILES: emulator.caCertPath,
            ONBEHALF_SUPPORTED_ROOT_FILES: emulator.caCertPath,
            ONBEHALF_RPS_LOGIN_URL: emulator.rpsLoginUrl,
            ONBEHALF_RPS_SIGNING_CERT_FILE: emulator.demo.rpsSigningCertPath,
          }
        : {}),
      ...(hasEnvKek || env.ONBEHALF_KEK_FILE ? {} : { ONBEHALF_KEK_FILE: kekFile }),
      ...env,
      ONBEHALF_API_PORT: String(apiPort),
      DATABASE_URL: databaseUrl,
      ...(databaseOwnerUrl ? { DATABASE_OWNER_URL: databaseOwnerUrl } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) fail(`bad configuration: ${err.message}`);
    throw err;
  }
  const api = await startApi(config);
  stops.push(['API', () => api.close()]);

  // 5. Demo data in the console (first start only): the demo certificate and Contoso onboarded.
  let demoNote = '';
  if (emulator && (env.ONBEHALF_DEMO ?? 'on') !== 'off') {
    try {
      demoNote = await seedDemo(api, emulator);
    } catch (err) {
      demoNote = `demo data could not be loaded: ${err.message}`;
    }
  }

  const consoleUrl = `http://localhost:${api.port}`;
  const lines = [
    '',
    `  Onbehalf is running (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    '',
    `  Console     ${consoleUrl}`,
    `  API         ${consoleUrl}/api   (OpenAPI: ${consoleUrl}/api/docs)`,
    ...(emulator ? [`  Emulator    ${emulator.url}`] : []),
    '',
    `  Sign in as  ${api.firstAdmin.email}`,
    api.firstAdmin.generatedPassword
      ? `  Password    ${api.firstAdmin.generatedPassword}   (generated now and shown only once: keep it)`
      : config.firstAdmin.password
        ? '  Password    the one in ONBEHALF_ADMIN_PASSWORD'
        : '  Password    the one printed at the first start (set ONBEHALF_ADMIN_PASSWORD to reset it)',
    ...(emulator
      ? [
          '',
          `  Demo certificate  ${emulator.demo.pfxPath}  (PKCS#12 password: ${emulator.demo.pfxPassword})`,
          `                    ${emulator.demo.certPath} + ${emulator.demo.keyPath}`,
        ]
      : []),
    ...(demoNote ? ['', `  ${demoNote}`] : []),
    '',
    '  Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
} catch (err) {
  console.error(`[onbehalf] could not start: ${err?.message ?? String(err)}`);
  await stopAll(1);
}
